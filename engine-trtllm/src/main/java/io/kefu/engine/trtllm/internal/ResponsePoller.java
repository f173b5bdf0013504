package io.kefu.engine.trtllm.internal;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns an executor and the one thread that awaits its responses and hands each to the sink of its
 * request. Requests past their deadline are cancelled and their sinks told {@link ErrorCode#TIMEOUT}.
 * {@link #close(Duration)} drains: no new requests, those in flight finish, then the executor is freed.
 */
public final class ResponsePoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResponsePoller.class);
    private static final int AWAIT_MS = 20;

    private record Route(ResponseSink sink, long deadlineNanos) {
    }

    private final ExecutorHandle executor;
    private final Map<Long, Route> routes = new HashMap<>();
    /** Read: calls into the executor; write: freeing it. */
    private final ReentrantReadWriteLock handleLock = new ReentrantReadWriteLock();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean closed;

    /** Starts polling the executor, which this poller now owns. */
    public ResponsePoller(ExecutorHandle executor, String name) {
        this.executor = executor;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a request and routes its responses to the sink.
     *
     * @param timeout how long the request may take before it is cancelled with {@link ErrorCode#TIMEOUT}
     * @return the request id
     * @throws KefuException CLOSED after close, RESOURCE_EXHAUSTED when the executor's queue is full
     */
    public long submit(RequestSpec spec, ResponseSink sink, Duration timeout) {
        handleLock.readLock().lock();
        try {
            if (closed) {
                throw new KefuException(ErrorCode.CLOSED, "the TensorRT-LLM chat model is closed");
            }
            synchronized (routes) {
                long id = executor.enqueue(spec);
                routes.put(id, new Route(sink, System.nanoTime() + timeout.toNanos()));
                return id;
            }
        } finally {
            handleLock.readLock().unlock();
        }
    }

    /** Asks a request to stop; its sink then gets a final CANCELLED response. */
    public void cancel(long requestId) {
        handleLock.readLock().lock();
        try {
            if (!executor.isClosed()) {
                executor.cancel(requestId);
            }
        } finally {
            handleLock.readLock().unlock();
        }
    }

    /** @return the executor's latest iteration statistics as JSON */
    public String statsJson() {
        handleLock.readLock().lock();
        try {
            return executor.statsJson();
        } finally {
            handleLock.readLock().unlock();
        }
    }

    /** @return requests whose final response has not arrived yet */
    public int inFlight() {
        synchronized (routes) {
            return routes.size();
        }
    }

    private void run() {
        while (!stopping) {
            List<NativeResponse> responses;
            try {
                responses = executor.await(AWAIT_MS);
            } catch (RuntimeException e) {
                LOG.error("awaiting TensorRT-LLM responses failed; failing every request in flight", e);
                failAll(new KefuException(ErrorCode.ENGINE_FAILURE, "awaiting TensorRT-LLM responses failed: " + e.getMessage(), e));
                return;
            }
            for (NativeResponse response : responses) {
                Route route;
                synchronized (routes) {
                    route = response.isFinal() ? routes.remove(response.requestId()) : routes.get(response.requestId());
                }
                if (route != null) {
                    deliver(route.sink(), response);
                }
            }
            expireOverdue();
        }
    }

    private static void deliver(ResponseSink sink, NativeResponse response) {
        try {
            sink.onResponse(response);
        } catch (RuntimeException e) {
            LOG.error("a response handler of request {} failed", response.requestId(), e);
        }
    }

    private void expireOverdue() {
        long now = System.nanoTime();
        List<Map.Entry<Long, Route>> overdue = new ArrayList<>();
        synchronized (routes) {
            for (Map.Entry<Long, Route> e : routes.entrySet()) {
                if (now - e.getValue().deadlineNanos() > 0) {
                    overdue.add(Map.entry(e.getKey(), e.getValue()));
                }
            }
            // keep the route until the final CANCELLED response arrives, but never time it out twice
            for (Map.Entry<Long, Route> e : overdue) {
                routes.put(e.getKey(), new Route(new DiscardingSink(), Long.MAX_VALUE / 2 + now));
            }
        }
        for (Map.Entry<Long, Route> e : overdue) {
            e.getValue().sink().onFailure(new KefuException(ErrorCode.TIMEOUT,
                    "TensorRT-LLM request " + e.getKey() + " did not finish in time; it was cancelled"));
            try {
                executor.cancel(e.getKey());
            } catch (RuntimeException ex) {
                LOG.warn("cancelling overdue request {} failed", e.getKey(), ex);
            }
        }
    }

    private void failAll(KefuException failure) {
        List<Route> left;
        synchronized (routes) {
            left = new ArrayList<>(routes.values());
            routes.clear();
        }
        left.forEach(r -> r.sink().onFailure(failure));
    }

    /**
     * Stops taking requests, lets those in flight finish for up to {@code drain} (cancelling them
     * after that), stops the thread and frees the executor. Idempotent.
     */
    public void close(Duration drain) {
        handleLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            handleLock.writeLock().unlock();
        }
        try {
            executor.shutdown((int) Math.min(Integer.MAX_VALUE, drain.toMillis()));
        } catch (KefuException e) {
            LOG.warn("TensorRT-LLM requests did not drain in {}; cancelling {} of them", drain, inFlight());
            List<Long> ids;
            synchronized (routes) {
                ids = new ArrayList<>(routes.keySet());
            }
            ids.forEach(executor::cancel);
            try {
                executor.shutdown(5_000);
            } catch (KefuException again) {
                LOG.warn("TensorRT-LLM executor still busy after cancelling: {}", again.getMessage());
            }
        }
        stopping = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(new KefuException(ErrorCode.CLOSED, "the TensorRT-LLM chat model was closed before the request finished"));
        handleLock.writeLock().lock();
        try {
            executor.close();
        } finally {
            handleLock.writeLock().unlock();
        }
    }

    /** Closes with a drain time of one minute. */
    @Override
    public void close() {
        close(Duration.ofMinutes(1));
    }

    private static final class DiscardingSink implements ResponseSink {
        @Override
        public void onResponse(NativeResponse response) {
        }

        @Override
        public void onFailure(KefuException failure) {
        }
    }
}
