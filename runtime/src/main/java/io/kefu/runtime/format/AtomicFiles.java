package io.kefu.runtime.format;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Durable, all-or-nothing file writes, and recursive deletion. A durable write goes to a temp file in
 * the target's folder, is flushed to disk, renamed over the target (atomically where the file system
 * allows) and then the folder itself is flushed, so that after a crash a reader finds either the old
 * file or the whole new one.
 */
public final class AtomicFiles {
    private static final boolean FOLDERS_CAN_BE_OPENED = !System.getProperty("os.name", "").startsWith("Windows");

    private AtomicFiles() {
    }

    /** @return a new empty temp file next to {@code target} (same folder, so the final rename is atomic) */
    public static Path tempSibling(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            return Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, dir + ": cannot create a temp file: " + e.getMessage(), e);
        }
    }

    /** Writes a UTF-8 text file durably. */
    public static void writeString(Path target, String text) {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a file durably. */
    public static void writeBytes(Path target, byte[] bytes) {
        Path temp = tempSibling(target);
        try {
            Files.write(temp, bytes);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new KefuException(ErrorCode.IO, target + ": cannot write: " + e.getMessage(), e);
        }
        moveIntoPlace(temp, target);
    }

    /**
     * Flushes a finished temp file to disk and renames it over {@code target}, then flushes the
     * folder. The temp file is deleted when this fails.
     */
    public static void moveIntoPlace(Path temp, Path target) {
        try {
            syncFile(temp);
            rename(temp, target, StandardCopyOption.REPLACE_EXISTING);
            syncFolder(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new KefuException(ErrorCode.IO, target + ": cannot move the finished file into place: " + e.getMessage(), e);
        }
    }

    /**
     * Flushes every file of a finished temp folder to disk and renames the folder to {@code target},
     * which must not exist or be an empty folder; then flushes the parent folder.
     *
     * @throws java.nio.file.DirectoryNotEmptyException when something was written to {@code target} meanwhile
     */
    public static void moveFolderIntoPlace(Path tempFolder, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(tempFolder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                syncFile(file);
            }
        }
        syncFolder(tempFolder);
        Files.deleteIfExists(target);
        rename(tempFolder, target);
        syncFolder(target.toAbsolutePath().getParent());
    }

    private static void rename(Path from, Path to, StandardCopyOption... options) throws IOException {
        List<StandardCopyOption> atomic = new ArrayList<>(List.of(options));
        atomic.add(StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(from, to, atomic.toArray(StandardCopyOption[]::new));
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, options);
        }
    }

    /** Flushes a file's content to disk; a symbolic link has no content of its own and is left alone. */
    public static void syncFile(Path file) throws IOException {
        if (Files.isSymbolicLink(file)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /**
     * Flushes a folder's entries (names created, renamed or removed in it) to disk. Where the
     * operating system does not let a folder be opened (Windows), the rename is already durable and
     * there is nothing to do.
     */
    public static void syncFolder(Path folder) throws IOException {
        if (!FOLDERS_CAN_BE_OPENED) {
            return;
        }
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Deletes a file if it exists, ignoring failures (used on error paths). */
    public static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort on an error path; the original failure is reported
        }
    }

    /**
     * Deletes a file, or a folder and everything in it; symbolic links are removed, not followed.
     * Nothing happens when the path does not exist.
     */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Deletes a file or folder tree, best effort: for error paths and temporary folders, where what
     * cannot be deleted is left to the system's temp cleaner and the original failure is the one to report.
     */
    public static void deleteRecursivelyQuietly(Path path) {
        try {
            deleteRecursively(path);
        } catch (IOException ignored) {
            // best effort, see the method comment
        }
    }
}
