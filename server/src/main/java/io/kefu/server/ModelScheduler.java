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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded queue in front of the engine, and the worker that feeds it. Models handed out by
 * {@link #wrap(ChatModel)} put every {@code chat}/{@code stream} call into one queue; a full queue
 * refuses at once ({@link ErrorCode#RESOURCE_EXHAUSTED}: 429 with Retry-After), a call waits at
 * most the request timeout ({@link ErrorCode#TIMEOUT}: 504).
 *
 * <p>The worker takes the oldest request; whole-answer requests waiting behind it for the same
 * model are decoded together through {@link ChatModel#chatBatch} (up to {@code maxBatch}); a
 * stream runs alone until it ends or is cancelled. Requests therefore join a batch only when it
 * starts. Because the queue sits below the policies and the endpoints, an engine worker with
 * continuous batching (requests joining a running batch at token boundaries) can replace this one
 * without changing anything above it.
 */
final class ModelScheduler implements AutoCloseable {
    private final LinkedBlockingQueue<Job> queue;
    private final int capacity;
    private final int maxBatch;
    private final Duration timeout;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread worker;

    /** One queued call. */
    private static final class Job {
        final ChatModel model;
        final ChatRequest request;
        final boolean stream;
        final CompletableFuture<ChatResponse> answer = new CompletableFuture<>();
        final CompletableFuture<ChatStream> started = new CompletableFuture<>();
        final AtomicBoolean abandoned = new AtomicBoolean();

        Job(ChatModel model, ChatRequest request, boolean stream) {
            this.model = model;
            this.request = request;
            this.stream = stream;
        }
    }

    /**
     * @param capacity calls that may wait beyond the one running
     * @param maxBatch the most whole-answer requests decoded together
     * @param timeout the longest a call may wait for its answer (or for its stream to start)
     */
    ModelScheduler(int capacity, int maxBatch, Duration timeout) {
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.capacity = capacity;
        this.maxBatch = maxBatch;
        this.timeout = timeout;
        this.worker = new Thread(this::work, "kefu-model-worker");
        worker.setDaemon(true);
        worker.start();
    }

    /** @return a view of {@code model} whose calls go through this queue */
    ChatModel wrap(ChatModel model) {
        return new Queued(model);
    }

    /** @return calls waiting for the worker */
    int depth() {
        return queue.size();
    }

    /** @return calls being generated now */
    int running() {
        return running.get();
    }

    private Job enqueue(ChatModel model, ChatRequest request, boolean stream) {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "the server is shutting down and takes no new requests");
        }
        Job job = new Job(model, request, stream);
        if (!queue.offer(job)) {
            throw new KefuException(ErrorCode.RESOURCE_EXHAUSTED, "the request queue is full (" + capacity + " waiting); retry shortly");
        }
        return job;
    }

    private <T> T await(CompletableFuture<T> future, Job job) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            job.abandoned.set(true);
            throw new KefuException(ErrorCode.TIMEOUT, "the model did not answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.abandoned.set(true);
            throw new KefuException(ErrorCode.CANCELLED, "interrupted while waiting for the model");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "the model failed: " + e.getCause(), e.getCause());
        }
    }

    private void work() {
        while (true) {
            Job first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first == null) {
                if (closed.get() && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            if (first.abandoned.get()) {
                continue;
            }
            running.incrementAndGet();
            try {
                if (first.stream) {
                    runStream(first);
                } else {
                    runBatch(first);
                }
            } finally {
                running.decrementAndGet();
            }
        }
    }

    private void runStream(Job job) {
        ChatStream stream;
        try {
            stream = job.model.stream(job.request);
        } catch (RuntimeException e) {
            job.started.completeExceptionally(e);
            return;
        }
        job.started.complete(stream);
        try {
            job.answer.complete(stream.response());
        } catch (RuntimeException e) {
            job.answer.completeExceptionally(e);
        }
    }

    private void runBatch(Job first) {
        List<Job> batch = new ArrayList<>();
        batch.add(first);
        for (Job next : queue) {
            if (batch.size() >= maxBatch) {
                break;
            }
            if (!next.stream && next.model == first.model && queue.remove(next)) {
                if (!next.abandoned.get()) {
                    batch.add(next);
                }
            }
        }
        try {
            List<ChatResponse> answers = batch.size() == 1 ? List.of(first.model.chat(first.request))
                    : first.model.chatBatch(batch.stream().map(j -> j.request).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).answer.complete(answers.get(i));
            }
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                first.answer.completeExceptionally(e);
            } else {
                // one bad request must not fail the others: answer them one by one
                for (Job job : batch) {
                    try {
                        job.answer.complete(job.model.chat(job.request));
                    } catch (RuntimeException single) {
                        job.answer.completeExceptionally(single);
                    }
                }
            }
        }
    }

    /** Takes no new calls and waits up to {@code limit} for the queued and running ones to finish; true when they did. */
    boolean drain(Duration limit) {
        closed.set(true);
        try {
            worker.join(limit.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !worker.isAlive();
    }

    @Override
    public void close() {
        closed.set(true);
        worker.interrupt();
    }

    /** A model whose calls wait in the queue. */
    private final class Queued implements ChatModel {
        private final ChatModel model;

        Queued(ChatModel model) {
            this.model = model;
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            Job job = enqueue(model, request, false);
            return await(job.answer, job);
        }

        @Override
        public ChatStream stream(ChatRequest request) {
            Job job = enqueue(model, request, true);
            return new QueuedStream(job);
        }

        @Override
        public ModelInfo info() {
            return model.info();
        }

        @Override
        public void close() {
            // the engine's model is owned by whoever built it
        }
    }

    /** A stream that starts when the worker reaches it. */
    private final class QueuedStream implements ChatStream {
        private final Job job;

        QueuedStream(Job job) {
            this.job = job;
        }

        private ChatStream started() {
            return await(job.started, job);
        }

        @Override
        public Iterator<ChatChunk> iterator() {
            return started().iterator();
        }

        @Override
        public void cancel() {
            job.abandoned.set(true);
            ChatStream s = job.started.getNow(null);
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public boolean isDone() {
            return job.answer.isDone();
        }

        @Override
        public ChatResponse response() {
            started();
            return await(job.answer, job);
        }

        @Override
        public void close() {
            cancel();
            ChatStream s = job.started.getNow(null);
            if (s != null) {
                s.close();
            }
        }
    }
}
