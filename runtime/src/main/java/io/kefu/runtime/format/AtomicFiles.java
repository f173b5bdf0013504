package io.kefu.runtime.format;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes files so that readers see either the old file or the whole new one, never a half-written one. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** @return a temp path next to {@code target} (same directory, so the final move is atomic) */
    public static Path tempSibling(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            return Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, dir + ": cannot create a temp file: " + e.getMessage(), e);
        }
    }

    /** Moves {@code temp} over {@code target}, atomically where the file system allows. */
    public static void moveIntoPlace(Path temp, Path target) {
        try {
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new KefuException(ErrorCode.IO, target + ": cannot move the finished file into place: " + e.getMessage(), e);
        }
    }

    /** Writes a UTF-8 text file atomically. */
    public static void writeString(Path target, String text) {
        Path temp = tempSibling(target);
        try {
            Files.write(temp, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new KefuException(ErrorCode.IO, target + ": cannot write: " + e.getMessage(), e);
        }
        moveIntoPlace(temp, target);
    }

    /** Deletes a file if it exists, ignoring failures (used on error paths). */
    public static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort on an error path; the original failure is reported
        }
    }
}
