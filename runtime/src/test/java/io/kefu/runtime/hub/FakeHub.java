package io.kefu.runtime.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Imitates the Hugging Face hub on loopback: the model info API, {@code resolve} URLs that answer
 * small files directly (ETag = git blob sha1) and redirect LFS files with a 302 to a second server
 * (the "CDN", another port, so another host for redirects) with {@code X-Linked-Etag} (sha256),
 * {@code X-Linked-Size} and {@code X-Repo-Commit}; the CDN honours Range requests. Gated repos
 * answer 401 without the right token, unknown repos and files 404 with the hub's X-Error-Code.
 * Faults can be injected: cut a file's body after some bytes, or serve other bytes than its ETag says.
 * Public so that other modules' tests can serve a model through it.
 */
public final class FakeHub implements AutoCloseable {
    /** One request as a server saw it. */
    public record Request(String server, String method, String path, String range, String authorization) {
    }

    /** A repository at one commit. */
    public static final class Repo {
        final String commit;
        final Map<String, byte[]> files = new ConcurrentHashMap<>();
        final java.util.Set<String> lfs = ConcurrentHashMap.newKeySet();
        String requiredToken;

        Repo(String commit) {
            this.commit = commit;
        }

        /** Adds a file kept in git (answered directly, ETag = git blob sha1). */
        public Repo small(String name, String text) {
            files.put(name, text.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /** Adds a file kept in Git LFS (redirected to the CDN, X-Linked-Etag = sha256). */
        public Repo large(String name, byte[] content) {
            files.put(name, content);
            lfs.add(name);
            return this;
        }

        /** Requires this token. */
        public Repo gated(String token) {
            this.requiredToken = token;
            return this;
        }
    }

    private final HttpServer hub;
    private final HttpServer cdn;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, Integer> cutAfter = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> cutsLeft = new ConcurrentHashMap<>();
    private final Map<String, byte[]> corrupted = new ConcurrentHashMap<>();
    private final Map<String, String> renamed = new ConcurrentHashMap<>();
    private volatile boolean mirrorStyle;
    private volatile boolean opaqueEtags;
    private volatile boolean apiWithoutHashes;
    private volatile Long claimedSize;
    /** Every request either server received, in order. */
    public final List<Request> requests = new CopyOnWriteArrayList<>();

    /** Starts both servers on loopback, on free ports. */
    public FakeHub() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        hub.createContext("/", this::handleHub);
        cdn.createContext("/", this::handleCdn);
        hub.start();
        cdn.start();
    }

    /** @return the hub's base URL, for HF_ENDPOINT */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    /** Adds an empty repository at one commit. */
    public Repo add(String repoId, String commit) {
        Repo repo = new Repo(commit);
        repos.put(repoId, repo);
        return repo;
    }

    /** The next {@code times} downloads of the file from the CDN stop after {@code bytes} bytes. */
    void cut(String sha256, int bytes, int times) {
        cutAfter.put(sha256, bytes);
        cutsLeft.put(sha256, new AtomicInteger(times));
    }

    /** Requests for the old repo id are redirected (307, relative Location) to the new one, as the hub does after a rename. */
    void rename(String oldId, String newId) {
        renamed.put(oldId, newId);
    }

    /**
     * Answers HEAD of LFS files with 200 and the X-Linked headers but no Location, and GET with the
     * 302 to the CDN, as some mirrors do: the client then follows the redirect itself.
     */
    void mirrorStyle() {
        mirrorStyle = true;
    }

    /**
     * Answers with ETags that name no content hash (as some mirrors do): no X-Linked-Etag, an opaque
     * ETag. The revision API still lists each file's size, git blob id and LFS sha256 ({@code blobs=true}).
     */
    void opaqueEtags() {
        opaqueEtags = true;
    }

    /** The revision API lists file names only, with no sizes or hashes. */
    void apiWithoutHashes() {
        apiWithoutHashes = true;
    }

    /** Every file's size header claims this many bytes. */
    void claimSize(long bytes) {
        claimedSize = bytes;
    }

    /** The CDN serves these bytes for the blob, whatever its ETag says. */
    void corrupt(String sha256, byte[] other) {
        corrupted.put(sha256, other);
    }

    /** @return the requests "hub" or "cdn" received */
    public List<Request> requestsTo(String server) {
        return requests.stream().filter(r -> r.server().equals(server)).toList();
    }

    /** @return the hex sha256 of the bytes */
    public static String sha256(byte[] content) {
        return digest("SHA-256", new byte[0], content);
    }

    /** @return the git blob id of the bytes */
    public static String gitSha1(byte[] content) {
        return digest("SHA-1", ("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII), content);
    }

    private static String digest(String algorithm, byte[] prefix, byte[] content) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            md.update(prefix);
            return HexFormat.of().formatHex(md.digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void record(String server, HttpExchange ex) {
        requests.add(new Request(server, ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                ex.getRequestHeaders().getFirst("Range"), ex.getRequestHeaders().getFirst("Authorization")));
    }

    private void handleHub(HttpExchange ex) throws IOException {
        record("hub", ex);
        try (ex) {
            String path = ex.getRequestURI().getPath();
            for (Map.Entry<String, String> rename : renamed.entrySet()) {
                for (String prefix : new String[] {"/api/models/", "/"}) {
                    if (path.startsWith(prefix + rename.getKey() + "/")) {
                        String moved = prefix + rename.getValue() + path.substring(prefix.length() + rename.getKey().length());
                        send(ex, 307, new byte[0], Map.of("Location", moved));
                        return;
                    }
                }
            }
            if (path.startsWith("/api/models/")) {
                String rest = path.substring("/api/models/".length());
                int rev = rest.indexOf("/revision/");
                Optional<Repo> repo = repo(ex, rev < 0 ? rest : rest.substring(0, rev));
                if (repo.isEmpty()) {
                    return;
                }
                StringBuilder json = new StringBuilder("{\"id\":\"" + rest.substring(0, rev) + "\",\"sha\":\""
                        + repo.get().commit + "\",\"siblings\":[");
                boolean blobs = "blobs=true".equals(ex.getRequestURI().getQuery()) && !apiWithoutHashes;
                json.append(String.join(",", repo.get().files.keySet().stream().sorted()
                        .map(f -> sibling(repo.get(), f, blobs)).toList()));
                json.append("]}");
                send(ex, 200, json.toString().getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"));
                return;
            }
            int resolve = path.indexOf("/resolve/");
            if (resolve < 0) {
                send(ex, 404, new byte[0], Map.of());
                return;
            }
            Optional<Repo> repo = repo(ex, path.substring(1, resolve));
            if (repo.isEmpty()) {
                return;
            }
            String revAndFile = path.substring(resolve + "/resolve/".length());
            int slash = revAndFile.indexOf('/');
            String rev = revAndFile.substring(0, slash);
            String file = revAndFile.substring(slash + 1);
            if (!rev.equals(repo.get().commit) && !rev.equals("main")) {
                send(ex, 404, new byte[0], Map.of("X-Error-Code", "RevisionNotFound"));
                return;
            }
            byte[] content = repo.get().files.get(file);
            if (content == null) {
                send(ex, 404, new byte[0], Map.of("X-Error-Code", "EntryNotFound", "X-Error-Message", "Entry not found"));
                return;
            }
            if (repo.get().lfs.contains(file)) {
                String sha = sha256(content);
                blobs.put(sha, content);
                if (opaqueEtags) {
                    ex.getResponseHeaders().add("ETag", "W/\"" + opaque(content) + "\"");
                } else {
                    ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
                    ex.getResponseHeaders().add("ETag", "\"" + gitSha1(("pointer " + sha).getBytes(StandardCharsets.UTF_8)) + "\"");
                }
                ex.getResponseHeaders().add("X-Linked-Size", claimedSize != null ? claimedSize.toString() : Integer.toString(content.length));
                ex.getResponseHeaders().add("X-Repo-Commit", repo.get().commit);
                if (mirrorStyle && ex.getRequestMethod().equals("HEAD")) {
                    ex.sendResponseHeaders(200, -1);
                    return;
                }
                ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/blobs/" + sha);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            ex.getResponseHeaders().add("X-Repo-Commit", repo.get().commit);
            ex.getResponseHeaders().add("ETag", "\"" + (opaqueEtags ? opaque(content) : gitSha1(content)) + "\"");
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().add("Content-Length", claimedSize != null ? claimedSize.toString() : Integer.toString(content.length));
                ex.sendResponseHeaders(200, -1);
            } else {
                send(ex, 200, content, Map.of());
            }
        }
    }

    /** A sibling of the revision API; with {@code blobs}, with size, git blob id and (LFS files) sha256. */
    private static String sibling(Repo repo, String file, boolean blobs) {
        if (!blobs) {
            return "{\"rfilename\":\"" + file + "\"}";
        }
        byte[] content = repo.files.get(file);
        String lfs = repo.lfs.contains(file)
                ? ",\"lfs\":{\"sha256\":\"" + sha256(content) + "\",\"size\":" + content.length + ",\"pointerSize\":130}" : "";
        return "{\"rfilename\":\"" + file + "\",\"size\":" + content.length + ",\"blobId\":\""
                + gitSha1(repo.lfs.contains(file) ? ("pointer " + sha256(content)).getBytes(StandardCharsets.UTF_8) : content)
                + "\"" + lfs + "}";
    }

    /** An ETag that names no hash: a mirror's own version tag. */
    private static String opaque(byte[] content) {
        return "mirror-" + content.length + "-" + sha256(content).substring(0, 8);
    }

    private Optional<Repo> repo(HttpExchange ex, String repoId) throws IOException {
        Repo repo = repos.get(repoId);
        if (repo == null) {
            // the real hub answers 401 for unknown repos to anonymous callers; with a token, 404
            boolean anonymous = ex.getRequestHeaders().getFirst("Authorization") == null;
            send(ex, anonymous ? 401 : 404, new byte[0], Map.of("X-Error-Code", "RepoNotFound",
                    "X-Error-Message", "Repository not found"));
            return Optional.empty();
        }
        if (repo.requiredToken != null
                && !("Bearer " + repo.requiredToken).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            send(ex, 401, new byte[0], Map.of("X-Error-Code", "GatedRepo", "X-Error-Message", "Access to model is restricted"));
            return Optional.empty();
        }
        return Optional.of(repo);
    }

    private void handleCdn(HttpExchange ex) throws IOException {
        record("cdn", ex);
        try (ex) {
            String sha = ex.getRequestURI().getPath().substring("/blobs/".length());
            byte[] content = corrupted.getOrDefault(sha, blobs.get(sha));
            if (content == null) {
                send(ex, 404, new byte[0], Map.of());
                return;
            }
            int from = 0;
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null) {
                from = Integer.parseInt(range.substring("bytes=".length(), range.indexOf('-')));
                if (from >= content.length) {
                    send(ex, 416, new byte[0], Map.of());
                    return;
                }
                ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
            }
            int length = content.length - from;
            ex.sendResponseHeaders(range == null ? 200 : 206, length);
            OutputStream body = ex.getResponseBody();
            AtomicInteger cuts = cutsLeft.get(sha);
            if (cuts != null && cuts.getAndDecrement() > 0) {
                int upTo = Math.min(cutAfter.get(sha), length);
                body.write(content, from, upTo);
                body.flush();
                return; // the body is left short: closing the exchange drops the connection
            }
            body.write(content, from, length);
        } catch (IOException e) {
            // a cut body makes close() complain; the client sees the connection end early, as intended
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body, Map<String, String> headers) throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        if (ex.getRequestMethod().equals("HEAD") || body.length == 0) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
    }
}
