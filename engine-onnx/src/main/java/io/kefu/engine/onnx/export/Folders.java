package io.kefu.engine.onnx.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes temporary export folders. */
public final class Folders {
    private Folders() {
    }

    /**
     * Deletes a folder and everything in it, best effort: used on error paths and for temporary
     * exports, where what cannot be deleted is left to the system's temp cleaner.
     */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort, see the method comment
                }
            });
        } catch (IOException ignored) {
            // best effort, see the method comment
        }
    }
}
