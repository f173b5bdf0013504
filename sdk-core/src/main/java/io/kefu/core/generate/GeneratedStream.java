package io.kefu.core.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * A {@link ChatStream} fed by a generation thread: chunks go through an unbounded queue (the
 * generator never waits for the reader), the finished response through a future.
 */
final class GeneratedStream implements ChatStream {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Object END = new Object();

    /** What the generation thread runs. */
    interface Body {
        void run(IntPredicate cancelled, GenerationLoop.Sink sink);
    }

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<ChatResponse> response = new CompletableFuture<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicBoolean iterated = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> generationEnded;
    private final List<GeneratedStream> batch;

    private GeneratedStream(CompletableFuture<Void> generationEnded, List<GeneratedStream> batch) {
        this.generationEnded = generationEnded;
        this.batch = batch;
    }

    /** Starts a daemon thread that runs {@code body} over {@code rows}; returns one stream per row. */
    static List<ChatStream> start(List<SequenceState> rows, Body body) {
        long start = System.nanoTime();
        List<GeneratedStream> streams = new ArrayList<>(rows.size());
        CompletableFuture<Void> generationEnded = new CompletableFuture<>();
        for (int i = 0; i < rows.size(); i++) {
            streams.add(new GeneratedStream(generationEnded, streams));
        }
        GenerationLoop.Sink sink = new GenerationLoop.Sink() {
            @Override
            public void chunk(int row, ChatChunk chunk) {
                streams.get(row).queue.add(chunk);
            }

            @Override
            public void finished(int row) {
                streams.get(row).complete(rows.get(row).response(start));
            }
        };
        Thread thread = new Thread(() -> {
            try {
                body.run(row -> streams.get(row).cancelled.get(), sink);
            } catch (Throwable t) {
                KefuException failure = t instanceof KefuException k ? k
                        : new KefuException(ErrorCode.ENGINE_FAILURE, "generation failed: " + t, t);
                for (int i = 0; i < rows.size(); i++) {
                    SequenceState row = rows.get(i);
                    if (!row.isFinished()) {
                        ChatChunk last = row.end(FinishReason.ERROR);
                        if (last != null) {
                            streams.get(i).queue.add(last);
                        }
                        streams.get(i).queue.add(failure);
                        streams.get(i).complete(row.response(start));
                    }
                }
                if (t instanceof Error e) {
                    throw e;
                }
            } finally {
                generationEnded.complete(null);
            }
        }, "kefu-generate-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
        return List.copyOf(streams);
    }

    private void complete(ChatResponse value) {
        response.complete(value);
        queue.add(END);
    }

    @Override
    public Iterator<ChatChunk> iterator() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "the stream was closed");
        }
        if (!iterated.compareAndSet(false, true)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "a ChatStream can be iterated only once");
        }
        return new Iterator<>() {
            private Object next;
            private boolean ended;

            @Override
            public boolean hasNext() {
                if (ended) {
                    return false;
                }
                if (next == null) {
                    try {
                        next = queue.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new KefuException(ErrorCode.CANCELLED, "interrupted while waiting for the next chunk", e);
                    }
                }
                if (next == END) {
                    ended = true;
                    return false;
                }
                if (next instanceof KefuException failure) {
                    ended = true;
                    throw failure;
                }
                return true;
            }

            @Override
            public ChatChunk next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the stream has ended");
                }
                ChatChunk chunk = (ChatChunk) next;
                next = null;
                return chunk;
            }
        };
    }

    @Override
    public void cancel() {
        cancelled.set(true);
    }

    @Override
    public boolean isDone() {
        return response.isDone();
    }

    @Override
    public ChatResponse response() {
        try {
            return response.join();
        } catch (CompletionException e) {
            throw new KefuException(ErrorCode.INTERNAL, "generation ended without a response", e);
        }
    }

    /**
     * Cancels if still running and waits for this row to end; when it was the batch's last running
     * row, also waits until the decoder is closed.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            cancel();
            response.join();
            if (batch.stream().allMatch(GeneratedStream::isDone)) {
                generationEnded.join();
            }
        }
    }
}
