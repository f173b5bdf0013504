package io.kefu.server;

import io.javalin.http.Context;
import io.kefu.server.store.HandoffStore;
import io.kefu.server.store.HandoffStore.Handoff;
import io.kefu.server.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /handoffs/feed}: new hand-offs as server-sent events. First {@code event: ready} (the page loads the queue
 * then, so nothing falls between the list and the feed), then one {@code event: handoff} per hand-off opened after that,
 * its data the hand-off as JSON, and a comment line every {@value #KEEP_ALIVE_SECONDS} s to keep the connection open.
 *
 * <p>The feed polls the store, not this server's memory: a hand-off is a row, and with several instances behind a load
 * balancer the one a customer talked to is seldom the one a person's desk is connected to. It looks back
 * {@link #LOOK_BACK} by {@code created_at} and remembers what it announced, so a row written late (a slow transaction,
 * a hand-off stored on retry) is still announced once. The stream ends when the client goes away or the server begins to
 * shut down. At most {@value #MAX_CLIENTS} feeds are open at once (429 beyond), since each holds a request thread.
 */
final class HandoffFeed {
    private static final Logger LOG = LoggerFactory.getLogger(HandoffFeed.class);
    static final int MAX_CLIENTS = 32;
    static final int KEEP_ALIVE_SECONDS = 10;
    private static final Duration POLL_EVERY = Duration.ofSeconds(1);
    private static final Duration LOOK_BACK = Duration.ofMinutes(2);
    private static final int MAX_ROWS = 1000;

    private final HandoffStore store;
    private final Clock clock;
    private final BooleanSupplier stopping;
    private final JsonExchange exchange;
    private final AtomicInteger clients = new AtomicInteger();

    /**
     * @param clock the clock the store stamps rows with
     * @param stopping true once the server shuts down: open feeds end within a poll
     */
    HandoffFeed(HandoffStore store, Clock clock, BooleanSupplier stopping, JsonExchange exchange) {
        this.store = store;
        this.clock = clock;
        this.stopping = stopping;
        this.exchange = exchange;
    }

    void stream(Context ctx) {
        if (clients.incrementAndGet() > MAX_CLIENTS) {
            clients.decrementAndGet();
            throw new ApiException(429, "rate_limit_exceeded", null, MAX_CLIENTS + " hand-off feeds are open, the most this server keeps;"
                    + " close a desk first");
        }
        try {
            Set<Long> announced = new HashSet<>();
            // what is open now is the queue the page loads on 'ready'; only what comes after is announced
            store.openSince(clock.instant().minus(LOOK_BACK), MAX_ROWS).forEach(h -> announced.add(h.id()));
            ctx.res().setStatus(200);
            ctx.res().setContentType("text/event-stream; charset=utf-8");
            ctx.res().setHeader("Cache-Control", "no-store");
            OutputStream out = ctx.res().getOutputStream();
            send(out, "event: ready\ndata: {}\n\n");
            long lastWrite = System.nanoTime();
            while (!stopping.getAsBoolean()) {
                Thread.sleep(POLL_EVERY.toMillis());
                if (announceNew(out, announced)) {
                    lastWrite = System.nanoTime();
                } else if (System.nanoTime() - lastWrite > Duration.ofSeconds(KEEP_ALIVE_SECONDS).toNanos()) {
                    send(out, ": keep-alive\n\n");
                    lastWrite = System.nanoTime();
                }
            }
            exchange.record(ctx, 200, HandoffRoutes.FEED_PATH);
        } catch (IOException e) {
            LOG.debug("a hand-off feed client went away: {}", e.toString());
            exchange.record(ctx, 499, HandoffRoutes.FEED_PATH);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clients.decrementAndGet();
        }
    }

    /** @return whether something was written */
    private boolean announceNew(OutputStream out, Set<Long> announced) throws IOException {
        List<Handoff> open;
        try {
            open = store.openSince(clock.instant().minus(LOOK_BACK), MAX_ROWS);
        } catch (StoreUnavailableException e) {
            LOG.debug("hand-off feed: the store is unavailable, polling again: {}", e.getMessage());
            return false;
        }
        boolean wrote = false;
        for (Handoff h : open) {
            if (announced.add(h.id())) {
                send(out, "event: handoff\nid: " + h.id() + "\ndata: " + HandoffRoutes.write(Json.MAPPER.createObjectNode(), h) + "\n\n");
                wrote = true;
            }
        }
        // what left the window or the open queue will not come back into it
        announced.retainAll(open.stream().map(Handoff::id).toList());
        return wrote;
    }

    private static void send(OutputStream out, String event) throws IOException {
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
