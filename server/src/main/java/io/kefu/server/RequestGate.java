package io.kefu.server;

import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every request passes before its route: the API key check (all but {@code /health}) and, once
 * shutdown begins, a 503 (all but {@code /health} and {@code /metrics}). Counts the requests being
 * handled, so shutdown can wait for their answers to be written.
 */
final class RequestGate {
    private static final String COUNTED = "counted";

    private final Optional<String> apiKey;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();

    RequestGate(Optional<String> apiKey) {
        this.apiKey = apiKey;
    }

    void before(Context ctx) {
        JsonExchange.markStart(ctx);
        inFlight.incrementAndGet();
        ctx.attribute(COUNTED, Boolean.TRUE);
        if (ctx.path().equals("/health")) {
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
