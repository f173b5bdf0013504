package io.kefu.server;

import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every request passes before its route, in this order: a request id (answered in {@code X-Request-Id}
 * and written beside every error in the log); the {@code Host} check ({@link AllowedHosts}: 400 without one, 421
 * for a name this server does not answer to, which stops DNS rebinding); the API key check (all but
 * {@code /health} and the files of the {@link DeskPage}, which hold no data); once shutdown begins, a 503 (all but
 * {@code /health} and {@code /metrics}); and for a request with a body, {@code Content-Type: application/json} (415
 * otherwise, which also keeps a cross-site HTML form from posting without a CORS preflight). Counts the requests being
 * handled, so shutdown can wait for their answers to be written.
 */
final class RequestGate {
    static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final String COUNTED = "counted";
    private static final String REQUEST_ID = "requestId";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Optional<String> apiKey;
    private final AllowedHosts hosts;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();

    RequestGate(Optional<String> apiKey, AllowedHosts hosts) {
        this.apiKey = apiKey;
        this.hosts = hosts;
    }

    /** @return the id of the request, as answered in {@value #REQUEST_ID_HEADER} */
    static String requestId(Context ctx) {
        String id = ctx.attribute(REQUEST_ID);
        return id == null ? "none" : id;
    }

    void before(Context ctx) {
        JsonExchange.markStart(ctx);
        inFlight.incrementAndGet();
        ctx.attribute(COUNTED, Boolean.TRUE);
        String id = newRequestId();
        ctx.attribute(REQUEST_ID, id);
        ctx.header(REQUEST_ID_HEADER, id);
        hosts.check(ctx.header("Host"));
        if (ctx.path().equals("/health") || DeskPage.PUBLIC_PATHS.contains(ctx.path())) {
            return;
        }
        if (apiKey.isPresent()) {
            String header = ctx.header("Authorization");
            String given = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
            if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), apiKey.get().getBytes(StandardCharsets.UTF_8))) {
                throw new ApiException(401, "authentication_error", null, "Authorization: a valid 'Bearer <api key>' header is required");
            }
        }
        if (draining.get() && !ctx.path().equals("/metrics")) {
            throw new ApiException(503, "unavailable", null, "the server is shutting down");
        }
        if (hasBody(ctx.method().name())) {
            checkJson(ctx.header("Content-Type"));
        }
    }

    private static boolean hasBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    /** 415 unless the media type (before any {@code ;charset=...}) is {@code application/json}. */
    static void checkJson(String contentType) {
        String media = contentType == null ? "" : contentType.split(";", 2)[0].strip();
        if (!media.equalsIgnoreCase("application/json")) {
            throw new ApiException(415, "invalid_request_error", "Content-Type", "Content-Type: must be application/json, got "
                    + (contentType == null ? "none" : "'" + shorten(contentType) + "'"));
        }
    }

    static String shorten(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "...";
    }

    /** @return 16 random bytes in hex: unique per request, and unguessable */
    private static String newRequestId() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return HexFormat.of().formatHex(bits);
    }

    void after(Context ctx) {
        if (ctx.attribute(COUNTED) != null) {
            inFlight.decrementAndGet();
        }
    }

    /** From now on, requests are refused with 503. */
    void startDraining() {
        draining.set(true);
    }

    boolean isDraining() {
        return draining.get();
    }

    /** Waits until no request is being handled, at most {@code limit}. */
    void awaitIdle(Duration limit) {
        long until = System.nanoTime() + limit.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < until) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
