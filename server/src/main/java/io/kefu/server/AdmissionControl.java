package io.kefu.server;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ModelInfo;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control in front of models that batch concurrent calls themselves (an engine's
 * continuous batching: a call joins the running batch at the next token boundary). Each model
 * handed out by {@link #admit(ChatModel)} generates at most {@code maxInFlight} calls at once,
 * whole answers and streams alike, so the engine's batch is never asked to hold more than it was
 * built for; further calls wait their turn, first come first served, in one bounded queue shared by
 * every model. A full queue refuses at once ({@link ErrorCode#RESOURCE_EXHAUSTED}: 429 with
 * Retry-After); a call that waits and generates longer than the request timeout gets
 * {@link ErrorCode#TIMEOUT} (504).
 *
 * <p>A whole-answer call is generated on a pool thread so that its caller can stop waiting at the
 * deadline; the generation is then cancelled by interrupting that thread (a batching engine drops the row at the
 * next token boundary), and its place is freed as soon as the model returns. A stream holds
 * its place until it is closed (callers close every stream); closing one that still runs (the
 * client went away) cancels its generation. A whole-answer call whose client hangs up while it waits (a
 * {@link ClientWatch} on the caller's thread) is cancelled the same way as at the deadline.
 */
final class AdmissionControl implements AutoCloseable {
    private static final Runnable NOTHING = () -> { };
    private final int queueCapacity;
    private final int maxInFlight;
    private final Duration timeout;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    /** Calls admitted or waiting, on every model; shutdown drains it to zero. */
    private final AtomicInteger calls = new AtomicInteger();
    private final Object idle = new Object();
    private final Map<ChatModel, Admitted> admitted = new IdentityHashMap<>();
    private final ExecutorService generators;
    private volatile boolean closed;

    /**
     * @param queueCapacity calls that may wait, over all models
     * @param maxInFlight calls one model generates at once (its engine's batch size)
     * @param timeout the longest a call may wait and generate
     */
    AdmissionControl(int queueCapacity, int maxInFlight, Duration timeout) {
        this.queueCapacity = queueCapacity;
        this.maxInFlight = maxInFlight;
        this.timeout = timeout;
        AtomicInteger threads = new AtomicInteger();
        this.generators = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kefu-generate-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @return a view of {@code model} whose calls pass this admission control; the same view for
     *     the same model, so a model served under several names shares one limit
     */
    synchronized Admitted admit(ChatModel model) {
        return admitted.computeIfAbsent(model, Admitted::new);
    }

    /** @return calls waiting for a place */
    int depth() {
        return waiting.get();
    }

    /** @return calls being generated now */
    int running() {
        return running.get();
    }

    /**
     * Takes no new calls and waits up to {@code limit} for the waiting and running ones to end.
     *
     * @return true when they all ended
     */
    boolean drain(Duration limit) {
        closed = true;
        long until = System.nanoTime() + limit.toNanos();
        synchronized (idle) {
            while (calls.get() > 0) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return calls.get() == 0;
                }
            }
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        generators.shutdown();
    }

    private static long remaining(long deadline) {
        return deadline - System.nanoTime();
    }

    private KefuException timedOut() {
        String limit = timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
        return new KefuException(ErrorCode.TIMEOUT, "the model did not answer within " + limit);
    }

    /**
     * A model whose calls pass the admission control. {@link #retire(Runnable)} takes it out of
     * service: calls already admitted or waiting finish, new ones are refused.
     */
    final class Admitted implements ChatModel {
        private final ChatModel model;
        private final Semaphore places = new Semaphore(maxInFlight, true);
        /** Calls admitted or waiting on this model. */
        private final AtomicInteger active = new AtomicInteger();
        private final AtomicBoolean idleActionRan = new AtomicBoolean();
        private volatile boolean retired;
        private volatile Runnable whenRetiredAndIdle;

        private Admitted(ChatModel model) {
            this.model = model;
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            long deadline = System.nanoTime() + timeout.toNanos();
            enter(deadline);
            // whoever claims the call first frees its place: the generating task when it starts, or the caller when
            // it gives up before the task started (a cancelled task that never ran has no finally of its own)
            AtomicBoolean claimed = new AtomicBoolean();
            Future<ChatResponse> answer;
            try {
                answer = generators.submit(() -> {
                    if (!claimed.compareAndSet(false, true)) {
                        return null;
                    }
                    try {
                        return model.chat(request);
                    } finally {
                        leave(true);
                    }
                });
            } catch (RejectedExecutionException e) {
                leave(true);
                throw new KefuException(ErrorCode.CLOSED, "the server is shutting down and takes no new requests");
            }
            Runnable unwatch = ClientWatch.current().map(client -> client.whenGone(() -> giveUp(answer, claimed))).orElse(NOTHING);
            try {
                return answer.get(Math.max(0, remaining(deadline)), TimeUnit.NANOSECONDS);
            } catch (CancellationException e) {
                throw new ClientGoneException();
            } catch (TimeoutException e) {
                giveUp(answer, claimed);
                throw timedOut();
            } catch (InterruptedException e) {
                giveUp(answer, claimed);
                Thread.currentThread().interrupt();
                throw new KefuException(ErrorCode.CANCELLED, "interrupted while waiting for the model");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new KefuException(ErrorCode.ENGINE_FAILURE, "the model failed: " + e.getCause(), e.getCause());
            } finally {
                unwatch.run();
            }
        }

        /**
         * Stops a whole-answer call the caller no longer waits for: one not started yet never starts and its place is
         * freed here; a running one is interrupted, which a batching engine takes as a cancel at the next token
         * boundary, and frees its place when the model returns.
         */
        private void giveUp(Future<ChatResponse> answer, AtomicBoolean claimed) {
            if (claimed.compareAndSet(false, true)) {
                answer.cancel(false);
                leave(true);
            } else {
                answer.cancel(true);
            }
        }

        @Override
        public ChatStream stream(ChatRequest request) {
            enter(System.nanoTime() + timeout.toNanos());
            try {
                return new AdmittedStream(model.stream(request), this);
            } catch (RuntimeException e) {
                leave(true);
                throw e;
            }
        }

        @Override
        public ModelInfo info() {
            return model.info();
        }

        /** The engine's model is owned by whoever built it. */
        @Override
        public void close() {
        }

        /**
         * Refuses new calls ({@link ErrorCode#NOT_FOUND}) and runs {@code action} once every call
         * already admitted or waiting has ended (at once when there is none).
         */
        void retire(Runnable action) {
            whenRetiredAndIdle = action;
            retired = true;
            synchronized (AdmissionControl.this) {
                admitted.remove(model, this);
            }
            if (active.get() == 0) {
                runIdleAction();
            }
        }

        /** Waits for a place until the deadline. */
        private void enter(long deadline) {
            if (closed) {
                throw new KefuException(ErrorCode.CLOSED, "the server is shutting down and takes no new requests");
            }
            // counted before the retired check, so that retire() either sees this call or this call sees retire()
            active.incrementAndGet();
            calls.incrementAndGet();
            boolean placed = false;
            try {
                if (retired) {
                    throw new KefuException(ErrorCode.NOT_FOUND, "the adapter was unloaded and takes no new requests");
                }
                if (!places.tryAcquire(0, TimeUnit.NANOSECONDS)) {
                    if (waiting.incrementAndGet() > queueCapacity) {
                        waiting.decrementAndGet();
                        throw new KefuException(ErrorCode.RESOURCE_EXHAUSTED,
                                "the request queue is full (" + queueCapacity + " waiting); retry shortly");
                    }
                    try {
                        if (!places.tryAcquire(Math.max(0, remaining(deadline)), TimeUnit.NANOSECONDS)) {
                            throw timedOut();
                        }
                    } finally {
                        waiting.decrementAndGet();
                    }
                }
                placed = true;
                running.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KefuException(ErrorCode.CANCELLED, "interrupted while waiting for the model");
            } finally {
                if (!placed) {
                    leave(false);
                }
            }
        }

        /** Ends a call: frees its place when it had one. */
        private void leave(boolean placed) {
            if (placed) {
                running.decrementAndGet();
                places.release();
            }
            if (active.decrementAndGet() == 0 && retired) {
                runIdleAction();
            }
            if (calls.decrementAndGet() == 0) {
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
        }

        private void runIdleAction() {
            Runnable action = whenRetiredAndIdle;
            if (action != null && idleActionRan.compareAndSet(false, true)) {
                action.run();
            }
        }
    }

    /**
     * A stream that gives its place back when it is closed: closing waits for the engine to let go of
     * the stream's row, so a retired model is never closed under a generation that is still winding down.
     */
    private static final class AdmittedStream implements ChatStream {
        private final ChatStream source;
        private final Admitted owner;
        private final AtomicBoolean closed = new AtomicBoolean();

        AdmittedStream(ChatStream source, Admitted owner) {
            this.source = source;
            this.owner = owner;
        }

        @Override
        public Iterator<ChatChunk> iterator() {
            return source.iterator();
        }

        @Override
        public void cancel() {
            source.cancel();
        }

        @Override
        public boolean isDone() {
            return source.isDone();
        }

        @Override
        public ChatResponse response() {
            return source.response();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                try {
                    source.close();
                } finally {
                    owner.leave(true);
                }
            }
        }
    }
}
