package io.kefu.runtime.format;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Builds an output folder under a hidden temporary name next to it and renames it into place when
 * complete, so that a failure leaves no half-written folder behind.
 */
public final class StagedFolder {
    private StagedFolder() {
    }

    /**
     * @param target the folder to create; it must not exist or must be empty
     * @param fill writes the folder's contents into the directory it is given
     */
    public static void publish(Path target, Consumer<Path> fill) {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs)) {
            try (Stream<Path> s = Files.list(abs)) {
                if (s.findAny().isPresent()) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, abs + " already exists and is not empty; "
                            + "choose a new output folder");
                }
            } catch (IOException e) {
                throw new KefuException(ErrorCode.IO, abs + ": cannot read: " + e.getMessage(), e);
            }
        }
        stage(abs, fill, false);
    }

    /**
     * Like {@link #publish} but for a folder that a command rewrites on each run: an existing
     * {@code target} is removed only once the new contents are complete, just before they are renamed
     * into place, so the folder holds either the old contents, nothing, or the new contents, never a mix.
     */
    public static void replace(Path target, Consumer<Path> fill) {
        stage(target.toAbsolutePath().normalize(), fill, true);
    }

    private static void stage(Path abs, Consumer<Path> fill, boolean replaceExisting) {
        Path temp = abs.resolveSibling("." + abs.getFileName() + ".partial");
        try {
            AtomicFiles.deleteRecursively(temp);
            Files.createDirectories(temp);
            fill.accept(temp);
            if (replaceExisting) {
                AtomicFiles.deleteRecursively(abs);
            }
            AtomicFiles.moveFolderIntoPlace(temp, abs);
        } catch (IOException e) {
            AtomicFiles.deleteRecursivelyQuietly(temp);
            throw new KefuException(ErrorCode.IO, abs + ": cannot write: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            AtomicFiles.deleteRecursivelyQuietly(temp);
            throw e;
        }
    }
}
