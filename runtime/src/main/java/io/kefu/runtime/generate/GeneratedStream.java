package io.kefu.runtime.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link ChatStream} fed by a generating thread: chunks go through an unbounded queue (the
 * generator never waits for the reader), the finished response through a future.
 */
final class GeneratedStream implements ChatStream, RowSink {
    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<ChatResponse> response = new CompletableFuture<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicBoolean iterated = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable afterEnd;

    /** A stream whose {@link #close()} returns once its row has ended. */
    GeneratedStream() {
        this(() -> { });
    }

    /** @param afterEnd what {@link #close()} runs after the row has ended, e.g. waiting until a decoder is released */
    GeneratedStream(Runnable afterEnd) {
        this.afterEnd = afterEnd;
    }

    @Override
    public boolean cancelled() {
        return cancelled.get();
    }

    @Override
    public void chunk(ChatChunk chunk) {
        queue.add(chunk);
    }

    @Override
    public void finished(ChatResponse value) {
        response.complete(value);
        queue.add(END);
    }

    @Override
    public void failed(KefuException error, ChatResponse partial) {
        queue.add(error);
        finished(partial);
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

    /** Cancels if still running, waits for the row to end (at most one decoding step), then runs the after-end action. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            cancel();
            response.join();
            afterEnd.run();
        }
    }
}
