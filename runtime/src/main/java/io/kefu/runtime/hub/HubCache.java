package io.kefu.runtime.hub;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The cache layout of Python's {@code huggingface_hub}, so downloads are shared with it:
 * <pre>
 * {cache}/models--{owner}--{name}/
 *     blobs/{etag}                       file contents, named by their ETag (sha256 for LFS files)
 *     blobs/{etag}.incomplete            a download in progress, resumed with a Range request
 *     refs/{revision}                    the commit hash the revision pointed to
 *     snapshots/{commit}/{file}          relative symbolic links to ../../blobs/{etag}
 * {cache}/.locks/models--{owner}--{name}/{etag}.lock
 * </pre>
 */
final class HubCache {
    private final Path root;

    HubCache(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path repoDir(HubModelId id) {
        return root.resolve(id.cacheFolderName());
    }

    Path snapshotDir(HubModelId id, String commit) {
        return repoDir(id).resolve("snapshots").resolve(commit);
    }

    Path blob(HubModelId id, String etag) {
        return repoDir(id).resolve("blobs").resolve(etag);
    }

    Path incomplete(HubModelId id, String etag) {
        return repoDir(id).resolve("blobs").resolve(etag + ".incomplete");
    }

    /** @return the commit the revision resolves to in the cache: itself when a commit hash, else refs/{revision} */
    Optional<String> commitOf(HubModelId id) {
        if (id.isCommit()) {
            return Optional.of(id.revision());
        }
        Path ref = repoDir(id).resolve("refs").resolve(id.revision());
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        try {
            String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
            return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, ref + ": cannot read the cached revision: " + e.getMessage(), e);
        }
    }

    /** Records which commit a branch or tag points to (nothing to record when the revision is the commit). */
    void writeRef(HubModelId id, String commit) {
        if (id.revision().equals(commit)) {
            return;
        }
        Path ref = repoDir(id).resolve("refs").resolve(id.revision());
        AtomicFiles.writeString(ref, commit);
    }

    /**
     * Points {@code snapshots/{commit}/{file}} at the blob with a relative symbolic link, as
     * huggingface_hub does; where the file system has no symbolic links, copies the blob instead.
     */
    void link(HubModelId id, String commit, String file, String etag) {
        Path target = snapshotDir(id, commit).resolve(file);
        Path blob = blob(id, etag);
        Path temp = target.resolveSibling("." + target.getFileName() + "." + etag + ".link");
        try {
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(temp);
            try {
                Files.createSymbolicLink(temp, target.getParent().relativize(blob));
            } catch (UnsupportedOperationException | FileSystemException e) {
                Files.copy(blob, temp, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, target + ": cannot link the downloaded file into the snapshot: "
                    + e.getMessage(), e);
        }
        AtomicFiles.moveIntoPlace(temp, target);
    }

    /** Locks one blob across processes (as huggingface_hub does) while it is downloaded. */
    FileLock lock(HubModelId id, String etag) {
        Path lockFile = root.resolve(".locks").resolve(id.cacheFolderName()).resolve(etag + ".lock");
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return channel.lock();
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, lockFile + ": cannot lock the download: " + e.getMessage(), e);
        }
    }
}
