package io.kefu.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private long entries(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.count();
        }
    }

    @Test
    void writeReplacesTheFileAndLeavesNoTempBehind() throws IOException {
        Path file = dir.resolve("sub/a.txt");
        AtomicFiles.writeString(file, "old");
        AtomicFiles.writeString(file, "新");
        AtomicFiles.writeBytes(dir.resolve("sub/b.bin"), new byte[] {1, 2});
        assertThat(Files.readString(file)).isEqualTo("新");
        assertThat(Files.readAllBytes(dir.resolve("sub/b.bin"))).containsExactly(1, 2);
        assertThat(entries(dir.resolve("sub"))).isEqualTo(2);
    }

    @Test
    void aFailedMoveDeletesTheTempFile() throws IOException {
        Path target = dir.resolve("taken");
        Files.createDirectories(target.resolve("child"));
        Path temp = AtomicFiles.tempSibling(target);
        assertThatThrownBy(() -> AtomicFiles.moveIntoPlace(temp, target))
                .isInstanceOf(KefuException.class).satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.IO));
        assertThat(temp).doesNotExist();
    }

    @Test
    void aFolderMovesIntoAnEmptyPlaceButNotOverContent() throws IOException {
        Path temp = dir.resolve(".out.tmp");
        Files.createDirectories(temp.resolve("nested"));
        Files.writeString(temp.resolve("nested/f.txt"), "x");
        Path target = dir.resolve("out");
        Files.createDirectories(target);
        AtomicFiles.moveFolderIntoPlace(temp, target);
        assertThat(Files.readString(target.resolve("nested/f.txt"))).isEqualTo("x");
        assertThat(temp).doesNotExist();

        Path second = dir.resolve(".second.tmp");
        Files.createDirectories(second);
        assertThatThrownBy(() -> AtomicFiles.moveFolderIntoPlace(second, target)).isInstanceOf(DirectoryNotEmptyException.class);
        assertThat(target.resolve("nested/f.txt")).exists();
    }

    @Test
    void recursiveDeleteRemovesATreeButNotWhatALinkPointsTo() throws IOException {
        Path keep = dir.resolve("keep");
        Files.createDirectories(keep);
        Files.writeString(keep.resolve("k.txt"), "k");
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("a/b"));
        Files.writeString(tree.resolve("a/b/c.txt"), "c");
        Files.createSymbolicLink(tree.resolve("link"), keep);
        AtomicFiles.deleteRecursively(tree);
        assertThat(tree).doesNotExist();
        assertThat(keep.resolve("k.txt")).exists();
        AtomicFiles.deleteRecursively(tree);
        AtomicFiles.deleteRecursivelyQuietly(dir.resolve("missing"));
        Path single = dir.resolve("single.txt");
        Files.writeString(single, "s");
        AtomicFiles.deleteRecursively(single);
        assertThat(single).doesNotExist();
    }
}
