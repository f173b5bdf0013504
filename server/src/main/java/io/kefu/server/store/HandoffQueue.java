package io.kefu.server.store;

import io.kefu.KefuException;
import io.kefu.shop.policy.Handoff;
import io.kefu.shop.policy.HandoffSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes hand-offs to the store's queue; one the store refuses (the database is down or stalls) is logged and kept
 * in a small bounded queue that is retried every few seconds, oldest first, so a customer who asked for a person is
 * neither lost nor answered with an error. When the queue is full the oldest waiting hand-off is dropped and logged
 * at ERROR level with everything staff need to call the customer back; so is what is left at {@link #close()}.
 */
public final class HandoffQueue implements HandoffSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HandoffQueue.class);

    private final HandoffSink store;
    private final int capacity;
    private final Deque<Handoff> pending = new ArrayDeque<>();
    private final ScheduledExecutorService retrier;

    /**
     * @param store where hand-offs go ({@link ConversationStore})
     * @param capacity how many failed hand-offs are kept for retrying
     * @param retryEvery how often they are retried
     */
    public HandoffQueue(HandoffSink store, int capacity, Duration retryEvery) {
        this.store = Objects.requireNonNull(store, "store");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.retrier = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kefu-handoff-retry");
            t.setDaemon(true);
            return t;
        });
        retrier.scheduleWithFixedDelay(this::retry, retryEvery.toMillis(), retryEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Writes the hand-off now, or queues it for a retry when the store fails; never throws for a store failure. */
    @Override
    public void handOff(Handoff handoff) {
        try {
            store.handOff(handoff);
        } catch (KefuException e) {
            LOG.warn("hand-off of session {} ({}) not written, queued for retry: {}", handoff.sessionId(), handoff.reason().wireName(),
                    e.getMessage());
            Handoff dropped = null;
            synchronized (pending) {
                if (pending.size() >= capacity) {
                    dropped = pending.pollFirst();
                }
                pending.addLast(handoff);
            }
            if (dropped != null) {
                lost(dropped, "the retry queue is full (" + capacity + ")");
            }
        }
    }

    /** @return hand-offs waiting for a retry */
    public int pending() {
        synchronized (pending) {
            return pending.size();
        }
    }

    /** Writes the waiting hand-offs, oldest first, until the store fails again. */
    void retry() {
        while (true) {
            Handoff next;
            synchronized (pending) {
                next = pending.peekFirst();
            }
            if (next == null) {
                return;
            }
            try {
                store.handOff(next);
            } catch (KefuException e) {
                LOG.debug("hand-off retry failed, {} waiting: {}", pending(), e.getMessage());
                return;
            } catch (RuntimeException e) {
                LOG.warn("hand-off retry failed, {} waiting", pending(), e);
                return;
            }
            synchronized (pending) {
                pending.remove(next);
            }
            LOG.info("hand-off of session {} written on retry", next.sessionId());
        }
    }

    /** Stops retrying after one last try; what still waits is logged at ERROR level. Idempotent. */
    @Override
    public void close() {
        if (retrier.isShutdown()) {
            return;
        }
        retrier.shutdown();
        try {
            retrier.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        retry();
        synchronized (pending) {
            pending.forEach(h -> lost(h, "the server stopped before the store took it"));
            pending.clear();
        }
    }

    private static void lost(Handoff h, String why) {
        LOG.error("hand-off NOT stored ({}): session={} reason={} question={} detail={}", why, h.sessionId(), h.reason().wireName(),
                h.question(), h.detail());
    }
}
