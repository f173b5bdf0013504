package io.kefu.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagedFolderTest {
    @TempDir
    Path dir;

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stream<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).toList().stream();
        }
    }

    @Test
    void replaceSwapsInTheNewContentsWhole() throws IOException {
        Path target = dir.resolve("adapter");
        Files.createDirectories(target);
        write(target.resolve("old.json"), "old");
        write(target.resolve("shared.json"), "old");

        StagedFolder.replace(target, d -> {
            write(d.resolve("shared.json"), "new");
            write(d.resolve("new.json"), "new");
        });

        assertThat(names(target)).containsExactlyInAnyOrder("shared.json", "new.json");
        assertThat(target.resolve("shared.json")).hasContent("new");
        assertThat(names(dir)).containsExactly("adapter");
    }

    @Test
    void aFailedFillLeavesTheOldContentsAndNoTempFolder() throws IOException {
        Path target = dir.resolve("adapter");
        Files.createDirectories(target);
        write(target.resolve("old.json"), "old");

        assertThatThrownBy(() -> StagedFolder.replace(target, d -> {
            write(d.resolve("half.json"), "half");
            throw new IllegalStateException("disk full");
        })).hasMessage("disk full");

        assertThat(names(target)).containsExactly("old.json");
        assertThat(names(dir)).containsExactly("adapter");
    }
}
