package io.kefu.runtime.hub;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP side of the hub client. Redirects are followed by hand so the token is sent only to
 * the host it belongs to, the endpoint's: a request or redirect to another host or port (the CDN
 * behind {@code resolve}) goes without the {@code Authorization} header, and once a redirect has
 * left the endpoint's host the token is not sent again on that chain. Messages name the URL,
 * never the token.
 */
final class HubHttp {
    private static final int MAX_REDIRECTS = 10;
    private static final String USER_AGENT = "kefu-hub-client";

    private final String endpointAuthority;
    private final Optional<String> token;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    HubHttp(URI endpoint, Optional<String> token, Duration connectTimeout, Duration readTimeout) {
        this.endpointAuthority = authority(endpoint);
        this.token = Objects.requireNonNull(token);
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** An open response: the connection after redirects, and the URL that answered. */
    record Response(HttpURLConnection connection, URI url, int status) implements AutoCloseable {
        String header(String name) {
            return connection.getHeaderField(name);
        }

        InputStream body() throws IOException {
            return connection.getInputStream();
        }

        @Override
        public void close() {
            connection.disconnect();
        }
    }

    /**
     * Sends a request with the token, following redirects; only relative redirects when
     * {@code relativeRedirectsOnly} (as huggingface_hub does when reading a file's metadata, so the
     * 302 to the CDN and its headers come back to the caller).
     *
     * @throws IOException on network failures (the caller retries or reports them)
     */
    Response send(String method, URI url, Map<String, String> headers, boolean relativeRedirectsOnly) throws IOException {
        URI current = url;
        boolean withToken = token.isPresent() && authority(url).equals(endpointAuthority);
        for (int hop = 0; ; hop++) {
            HttpURLConnection c = (HttpURLConnection) current.toURL().openConnection();
            c.setInstanceFollowRedirects(false);
            c.setRequestMethod(method);
            c.setConnectTimeout((int) connectTimeout.toMillis());
            c.setReadTimeout((int) readTimeout.toMillis());
            c.setUseCaches(false);
            c.setRequestProperty("User-Agent", USER_AGENT);
            c.setRequestProperty("Accept-Encoding", "identity");
            headers.forEach(c::setRequestProperty);
            if (withToken) {
                c.setRequestProperty("Authorization", "Bearer " + token.get());
            }
            int status = c.getResponseCode();
            String location = c.getHeaderField("Location");
            if (status < 300 || status >= 400 || status == 304 || location == null) {
                return new Response(c, current, status);
            }
            URI next = current.resolve(location);
            boolean relative = !URI.create(location).isAbsolute();
            if (relativeRedirectsOnly && !relative) {
                return new Response(c, current, status);
            }
            c.disconnect();
            if (hop + 1 >= MAX_REDIRECTS) {
                throw new KefuException(ErrorCode.REMOTE, url + ": more than " + MAX_REDIRECTS + " redirects");
            }
            if (!authority(next).equals(authority(current))) {
                withToken = false;
            }
            current = next;
        }
    }

    /**
     * Turns an error status into a {@link KefuException} a user can act on.
     *
     * @param what what was asked for, e.g. "hub model Qwen/Qwen2.5-0.5B-Instruct@main" or "file config.json of ..."
     */
    KefuException failure(Response response, String what) {
        int status = response.status();
        String hubCode = Optional.ofNullable(response.header("X-Error-Code")).orElse("");
        String hubMessage = Optional.ofNullable(response.header("X-Error-Message")).map(m -> " (" + m + ")").orElse("");
        String at = " at " + response.url();
        if (status == 401 || status == 403 || "GatedRepo".equals(hubCode)) {
            String advice = token.isPresent()
                    ? "the token in HF_TOKEN was refused: check it has read access and that you accepted the model's terms on its hub page"
                    : "it is gated or private (or does not exist): set HF_TOKEN to an access token with read access";
            return new KefuException(ErrorCode.UNAUTHENTICATED, what + ": HTTP " + status + at + hubMessage + "; " + advice);
        }
        if (status == 404) {
            String kind = switch (hubCode) {
                case "RepoNotFound" -> "the repository does not exist";
                case "RevisionNotFound" -> "the revision does not exist";
                case "EntryNotFound" -> "the file does not exist in the repository";
                default -> "not found";
            };
            return new KefuException(ErrorCode.NOT_FOUND, what + ": HTTP 404" + at + ": " + kind + hubMessage);
        }
        return new KefuException(ErrorCode.REMOTE, what + ": HTTP " + status + at + hubMessage);
    }

    /** Reads a small response body as UTF-8 text. */
    static String text(Response response) throws IOException {
        try (InputStream in = response.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String authority(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return uri.getScheme() + "://" + uri.getHost() + ":" + port;
    }
}
