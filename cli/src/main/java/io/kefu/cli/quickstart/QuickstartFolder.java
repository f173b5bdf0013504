package io.kefu.cli.quickstart;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * The quickstart's output folder. A run is built in a hidden sibling ({@code .NAME.partial}) and
 * moved into place only when it completes, replacing the folder of an earlier quickstart, which
 * the marker file {@value #MARKER} identifies. A non-empty folder without the marker is refused
 * before anything is written, so the quickstart never overwrites files it did not make.
 */
final class QuickstartFolder {
    /** The file that marks a folder as a quickstart's output, safe to replace. */
    static final String MARKER = ".kefu-quickstart";

    private final Path target;
    private final Path staging;

    private QuickstartFolder(Path target) {
        this.target = target;
        this.staging = target.resolveSibling("." + target.getFileName() + ".partial");
    }

    /**
     * Checks the folder without writing anything.
     *
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when it is a file, or a non-empty folder without the marker
     */
    static QuickstartFolder check(Path out) {
        Path target = out.toAbsolutePath().normalize();
        if (target.getFileName() == null) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--out " + out + ": choose a folder below the file system root");
        }
        if (Files.exists(target)) {
            if (!Files.isDirectory(target)) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--out " + out + ": is a file, not a folder");
            }
            if (!isEmpty(target) && !Files.isRegularFile(target.resolve(MARKER))) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--out " + out + ": the folder is not empty and was not made by"
                        + " kefu quickstart (it has no " + MARKER + " file); choose another --out or empty it");
            }
        }
        return new QuickstartFolder(target);
    }

    /** @return where the run ends up */
    Path target() {
        return target;
    }

    /**
     * Creates the hidden folder the run is built in (replacing one an interrupted run left), with the marker.
     *
     * @return that folder
     */
    Path begin() {
        try {
            AtomicFiles.deleteRecursively(staging);
            Files.createDirectories(staging);
            Files.writeString(staging.resolve(MARKER), "Made by kefu quickstart; running it again replaces this folder.\n",
                    StandardCharsets.UTF_8);
            return staging;
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, staging + ": cannot create: " + e.getMessage(), e);
        }
    }

    /** Moves the finished run into place, replacing the earlier quickstart's folder if there is one. */
    void publish() {
        Path old = target.resolveSibling("." + target.getFileName() + ".old");
        try {
            AtomicFiles.deleteRecursively(old);
            if (Files.exists(target)) {
                move(target, old);
            }
            AtomicFiles.moveFolderIntoPlace(staging, target);
            AtomicFiles.deleteRecursively(old);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, target + ": cannot move the finished run into place from " + staging + ": "
                    + e.getMessage(), e);
        }
    }

    /** Deletes the unfinished run, best effort. */
    void discard() {
        try {
            AtomicFiles.deleteRecursively(staging);
        } catch (IOException ignored) {
            // the failure that led here is the one to report; the next run clears the folder anyway
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, dir + ": cannot read: " + e.getMessage(), e);
        }
    }
}
