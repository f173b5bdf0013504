package io.kefu.runtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the files of a model checkpoint from the Hugging Face hub (or a mirror) into the
 * huggingface_hub cache and returns the snapshot folder, which is a normal checkpoint folder.
 *
 * <p>What it does, in order:
 * <ol>
 *   <li>offline ({@code HF_HUB_OFFLINE}): answers from the cache only, or fails naming the missing repo or file;</li>
 *   <li>a complete checkpoint already cached for the revision (by Kefu or by huggingface_hub) is
 *       returned without any request; pin a commit ({@code owner/name@<sha>}) or delete
 *       {@code refs/<revision>} in the cache to look for a newer one;</li>
 *   <li>otherwise asks {@code GET {endpoint}/api/models/{repo}/revision/{revision}} for the commit and
 *       file list, and downloads each file the checkpoint needs from
 *       {@code {endpoint}/{repo}/resolve/{commit}/{file}}: a HEAD request gives the ETag, size and
 *       the CDN location; the body is streamed into {@code blobs/{etag}.incomplete}, resumed with a
 *       Range request after a cut connection, verified against the ETag (sha256 for LFS files, git
 *       blob sha1 for others), then moved into place and linked from {@code snapshots/{commit}/}.</li>
 * </ol>
 * A file whose checksum does not match is deleted and reported; nothing of it stays in the cache.
 *
 * <p>Defaults: settings from the environment ({@link HubSettings#fromEnvironment()}), 5 attempts
 * per file with a 1 s back-off doubling each time, a 10 s connect timeout and a 60 s read timeout,
 * progress logged at DEBUG only.
 *
 * <p>Why one long class: resolving a revision, fetching a file (HEAD, redirect, resumable GET),
 * verifying it and retrying are steps of one download that share its cache, HTTP client and retry
 * policy; the parts that stand alone (the cache layout, content hashes, expected content, disk
 * space) are classes of their own.
 */
public final class HubClient {
    private static final Logger LOG = LoggerFactory.getLogger(HubClient.class);
    private static final ObjectMapper JSON = Json.mapper();

    private final HubSettings settings;
    private final HubCache cache;
    private final HubHttp http;
    private final DownloadListener listener;
    private final int maxAttempts;
    private final Duration retryBackoff;

    private HubClient(Builder b) {
        this.settings = b.settings;
        this.cache = new HubCache(settings.cacheDir());
        this.http = new HubHttp(settings.endpoint(), settings.token(), b.connectTimeout, b.readTimeout);
        this.listener = b.listener;
        this.maxAttempts = b.maxAttempts;
        this.retryBackoff = b.retryBackoff;
    }

    /** @return a client configured from the environment with the defaults in the class javadoc */
    public static HubClient fromEnvironment() {
        return builder().build();
    }

    /** @return a builder holding the defaults listed in the class javadoc */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the settings in use */
    public HubSettings settings() {
        return settings;
    }

    /**
     * @return the local snapshot folder holding the checkpoint's files
     * @throws KefuException {@link ErrorCode#NOT_FOUND} (repo, revision or file missing, or not cached
     *     when offline), {@link ErrorCode#UNAUTHENTICATED} (gated or private), {@link ErrorCode#IO}
     *     (network failure, checksum mismatch), {@link ErrorCode#INVALID_CHECKPOINT} (no safetensors
     *     weights or no tokenizer), {@link ErrorCode#REMOTE} (other HTTP errors)
     */
    public Path download(HubModelId id) {
        Optional<Path> cached = cachedSnapshot(id);
        if (cached.isPresent()) {
            LOG.debug("{}: using the cached snapshot {}", id, cached.get());
            return cached.get();
        }
        if (settings.offline()) {
            throw notCached(id);
        }
        RepoInfo info = repoInfo(id);
        Path snapshot = cache.snapshotDir(id, info.commit());
        for (String file : CheckpointFiles.smallFiles(id, info.files())) {
            fetch(id, info, file);
        }
        for (String file : CheckpointFiles.weightFiles(id, snapshot, info.files())) {
            fetch(id, info, file);
        }
        cache.writeRef(id, info.commit());
        LOG.info("{}: checkpoint ready in {}", id, snapshot);
        return snapshot;
    }

    private Optional<Path> cachedSnapshot(HubModelId id) {
        return cache.commitOf(id)
                .map(commit -> cache.snapshotDir(id, commit))
                .filter(dir -> Files.isDirectory(dir) && CheckpointFiles.missingFrom(dir).isEmpty());
    }

    private KefuException notCached(HubModelId id) {
        Optional<String> commit = cache.commitOf(id);
        String where = " in the cache " + settings.cacheDir() + " and HF_HUB_OFFLINE is set, so the hub was not asked";
        if (commit.isEmpty()) {
            return new KefuException(ErrorCode.NOT_FOUND, "hub model " + id + ": no cached revision (no "
                    + cache.repoDir(id).resolve("refs").resolve(id.revision()) + ")" + where);
        }
        Path dir = cache.snapshotDir(id, commit.get());
        List<String> missing = Files.isDirectory(dir) ? CheckpointFiles.missingFrom(dir) : CheckpointFiles.REQUIRED;
        return new KefuException(ErrorCode.NOT_FOUND, "hub model " + id + " (commit " + commit.get() + "): "
                + String.join(", ", missing) + " missing from " + dir + where);
    }

    /**
     * The commit a revision points to, the files the repository holds at that commit, and what the
     * API says of each file's content (for files whose download ETag names no hash).
     */
    private record RepoInfo(String commit, Set<String> files, Map<String, ExpectedContent> content) {
    }


    private RepoInfo repoInfo(HubModelId id) {
        URI url = URI.create(settings.endpoint() + "/api/models/" + id.repo() + "/revision/" + encode(id.revision()) + "?blobs=true");
        String what = "hub model " + id;
        JsonNode json = withRetries(url, () -> {
            try (HubHttp.Response r = http.send("GET", url, Map.of("Accept", "application/json"), false)) {
                if (r.status() != 200) {
                    throw http.failure(r, what);
                }
                return JSON.readTree(HubHttp.text(r));
            }
        });
        String commit = json.path("sha").asText("");
        if (!commit.matches("[0-9a-f]{40}")) {
            throw new KefuException(ErrorCode.REMOTE, what + ": the answer of " + url + " has no commit hash in 'sha'");
        }
        Set<String> files = new LinkedHashSet<>();
        Map<String, ExpectedContent> content = new java.util.HashMap<>();
        for (JsonNode sibling : json.path("siblings")) {
            String name = sibling.path("rfilename").asText("");
            if (!name.isEmpty()) {
                files.add(name);
                ExpectedContent.of(sibling).ifPresent(c -> content.put(name, c));
            }
        }
        return new RepoInfo(commit, files, content);
    }

    /** A file's metadata from the HEAD of its resolve URL. */
    private record FileMetadata(String etag, long size, URI location) {
    }

    private void fetch(HubModelId id, RepoInfo info, String file) {
        String commit = info.commit();
        Path linked = cache.snapshotDir(id, commit).resolve(file);
        if (Files.exists(linked)) {
            return;
        }
        URI url = URI.create(settings.endpoint() + "/" + id.repo() + "/resolve/" + commit + "/" + encodePath(file));
        String what = "file " + file + " of hub model " + id;
        FileMetadata meta = withRetries(url, () -> metadata(url, what));
        Path blob = cache.blob(id, meta.etag());
        if (!Files.exists(blob)) {
            FileLock lock = cache.lock(id, meta.etag());
            try {
                if (!Files.exists(blob)) {
                    downloadBlob(id, file, meta, ExpectedContent.forDownload(meta.etag(), meta.size(), info.content().get(file), what), what);
                }
            } finally {
                try {
                    lock.channel().close();
                } catch (IOException ignored) {
                    // closing the channel releases the lock; nothing else to do
                }
            }
        }
        cache.link(id, commit, file, meta.etag());
    }

    private FileMetadata metadata(URI url, String what) throws IOException {
        try (HubHttp.Response r = http.send("HEAD", url, Map.of(), true)) {
            if (r.status() >= 400) {
                throw http.failure(r, what);
            }
            String etag = Optional.ofNullable(r.header("X-Linked-Etag")).orElse(r.header("ETag"));
            if (etag == null || ContentHash.normalizeEtag(etag).isEmpty()) {
                throw new KefuException(ErrorCode.REMOTE, what + ": " + url + " sent no ETag; cannot name or verify the file");
            }
            etag = ContentHash.normalizeEtag(etag);
            if (!etag.matches("[\\w.-]+")) {
                throw new KefuException(ErrorCode.REMOTE, what + ": " + url + " sent the ETag '" + etag
                        + "', which is not a safe file name");
            }
            String size = Optional.ofNullable(r.header("X-Linked-Size")).orElse(r.header("Content-Length"));
            String location = r.status() >= 300 ? r.header("Location") : null;
            return new FileMetadata(etag, parseSize(size), location == null ? r.url() : r.url().resolve(location));
        }
    }

    private void downloadBlob(HubModelId id, String file, FileMetadata meta, ExpectedContent expected, String what) {
        Path partial = cache.incomplete(id, meta.etag());
        DiskSpace.require(partial.getParent(), meta.size() >= 0 ? meta.size() : expected.size(), what);
        withRetries(meta.location(), () -> {
            transfer(partial, file, meta, what);
            return null;
        });
        long size = size(partial);
        String actual = expected.hash().digest(partial);
        if (!actual.equals(expected.digest()) || (expected.size() >= 0 && size != expected.size())) {
            AtomicFiles.deleteQuietly(partial);
            throw new KefuException(ErrorCode.IO, what + ": checksum mismatch: expected " + expected.hash().label() + " "
                    + expected.digest() + (expected.size() >= 0 ? " (" + expected.size() + " bytes)" : "") + ", got " + actual
                    + " (" + size + " bytes) from " + meta.location() + "; the download was discarded and nothing was cached");
        }
        AtomicFiles.moveIntoPlace(partial, cache.blob(id, meta.etag()));
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read its size: " + e.getMessage(), e);
        }
    }

    /** One attempt: appends to the partial file from where it ends (or starts over when the server ignores Range). */
    private void transfer(Path partial, String file, FileMetadata meta, String what) throws IOException {
        Files.createDirectories(partial.getParent());
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (meta.size() >= 0 && have > meta.size()) {
            Files.delete(partial);
            have = 0;
        }
        if (meta.size() >= 0 && have == meta.size()) {
            return;
        }
        Map<String, String> headers = have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of();
        try (HubHttp.Response r = http.send("GET", meta.location(), headers, false)) {
            boolean append;
            if (r.status() == 206) {
                append = true;
            } else if (r.status() == 200) {
                append = false;
                have = 0;
            } else if (r.status() == 416) {
                Files.deleteIfExists(partial);
                throw new IOException("the server refused to resume at byte " + have + " (HTTP 416); starting over");
            } else {
                throw http.failure(r, what);
            }
            if (have > 0) {
                LOG.info("{}: resuming at byte {}", what, have);
            }
            long done = have;
            listener.progress(file, done, meta.size());
            try (InputStream in = r.body();
                 OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    try {
                        out.write(buffer, 0, n);
                    } catch (IOException e) {
                        // a local write failure (a full disk above all) is not retried like a cut connection
                        throw DiskSpace.writeFailure(partial, e, what);
                    }
                    done += n;
                    listener.progress(file, done, meta.size());
                }
            }
            if (meta.size() >= 0 && done != meta.size()) {
                throw new IOException("the connection ended at byte " + done + " of " + meta.size());
            }
        }
    }

    /** A step that may fail on the network. */
    @FunctionalInterface
    private interface NetworkStep<T> {
        T run() throws IOException;
    }

    /** Runs a step, retrying network failures (never HTTP errors) with a doubling back-off. */
    private <T> T withRetries(URI url, NetworkStep<T> step) {
        Duration wait = retryBackoff;
        for (int attempt = 1; ; attempt++) {
            try {
                return step.run();
            } catch (IOException e) {
                if (attempt >= maxAttempts) {
                    throw new KefuException(ErrorCode.IO, url + ": network failure after " + attempt + " attempt"
                            + (attempt == 1 ? "" : "s") + ": " + e.getClass().getSimpleName() + ": " + e.getMessage()
                            + " (is the hub reachable? HF_ENDPOINT=" + settings.endpoint()
                            + "; set HF_HUB_OFFLINE=1 to use the cache only)", e);
                }
                LOG.warn("{}: attempt {} of {} failed ({}); retrying", url, attempt, maxAttempts, e.getMessage());
                sleep(wait);
                wait = wait.multipliedBy(2);
            }
        }
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KefuException(ErrorCode.CANCELLED, "interrupted while waiting to retry a download", e);
        }
    }

    private static long parseSize(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String file) {
        StringBuilder out = new StringBuilder();
        for (String part : file.split("/", -1)) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(encode(part));
        }
        return out.toString();
    }

    /** Builds a {@link HubClient}; defaults in the class javadoc. */
    public static final class Builder {
        private HubSettings settings;
        private DownloadListener listener = DownloadListener.NONE;
        private int maxAttempts = 5;
        private Duration retryBackoff = Duration.ofSeconds(1);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** @param value endpoint, token, cache and offline mode (default: from the environment) */
        public Builder settings(HubSettings value) { this.settings = Objects.requireNonNull(value, "settings"); return this; }

        /** @param value hears download progress (default: none) */
        public Builder listener(DownloadListener value) { this.listener = Objects.requireNonNull(value, "listener"); return this; }

        /** @param value attempts per request before a network failure is reported, at least 1 (default 5) */
        public Builder maxAttempts(int value) { this.maxAttempts = value; return this; }

        /** @param value wait before the first retry, doubled after each (default 1 s) */
        public Builder retryBackoff(Duration value) { this.retryBackoff = Objects.requireNonNull(value, "retryBackoff"); return this; }

        /** @param value connect timeout, positive (default 10 s) */
        public Builder connectTimeout(Duration value) { this.connectTimeout = Objects.requireNonNull(value, "connectTimeout"); return this; }

        /** @param value longest wait for the next bytes, positive (default 60 s) */
        public Builder readTimeout(Duration value) { this.readTimeout = Objects.requireNonNull(value, "readTimeout"); return this; }

        /**
         * @return the client
         * @throws KefuException with {@link ErrorCode#INVALID_ARGUMENT} naming a setting out of range
         */
        public HubClient build() {
            if (maxAttempts < 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "hub client maxAttempts=" + maxAttempts + " must be at least 1");
            }
            if (retryBackoff.isNegative() || connectTimeout.isNegative() || connectTimeout.isZero()
                    || readTimeout.isNegative() || readTimeout.isZero()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "hub client timeouts must be positive and the back-off not negative");
            }
            if (settings == null) {
                settings = HubSettings.fromEnvironment();
            }
            return new HubClient(this);
        }
    }
}
