package io.kefu.engine.remote;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.ModelInfo;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Streams a real model's answer one character at a time from a generation thread, with a pause
 * before each, so a client can cancel mid-answer; counts down {@link #cancelled} when a stream is
 * cancelled before its end.
 */
final class TricklingModel implements ChatModel {
    private static final Object END = new Object();

    private final ChatModel inner;
    final CountDownLatch cancelled = new CountDownLatch(1);
    volatile Duration pause = Duration.ZERO;

    TricklingModel(ChatModel inner) {
        this.inner = inner;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return inner.chat(request);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        ChatResponse whole = inner.chat(request);
        long pauseNanos = pause.toNanos();
        LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        CompletableFuture<ChatResponse> response = new CompletableFuture<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread generator = new Thread(() -> {
            String text = whole.text();
            int next = 0;
            try {
                while (next < text.length() && !stop.get()) {
                    TimeUnit.NANOSECONDS.sleep(pauseNanos);
                    int end = text.offsetByCodePoints(next, 1);
                    queue.add(new ChatChunk(text.substring(next, end), List.of(), List.of()));
                    next = end;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (next < text.length()) {
                cancelled.countDown();
                response.complete(new ChatResponse(text.substring(0, next), FinishReason.CANCELLED, whole.usage(),
                        whole.promptTokenIds(), whole.tokenIds(), whole.logprobs(), whole.latency()));
            } else {
                response.complete(whole);
            }
            queue.add(END);
        }, "trickling-model");
        generator.setDaemon(true);
        generator.start();
        AtomicBoolean iterated = new AtomicBoolean();
        return new ChatStream() {
            @Override
            public Iterator<ChatChunk> iterator() {
                if (!iterated.compareAndSet(false, true)) {
                    throw new KefuException(ErrorCode.INVALID_REQUEST, "a chat stream may be iterated once");
                }
                return new Iterator<>() {
                    private Object head;

                    @Override
                    public boolean hasNext() {
                        if (head == null) {
                            try {
                                head = queue.take();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new KefuException(ErrorCode.CANCELLED, "interrupted while waiting for the next chunk");
                            }
                        }
                        return head != END;
                    }

                    @Override
                    public ChatChunk next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        ChatChunk chunk = (ChatChunk) head;
                        head = null;
                        return chunk;
                    }
                };
            }

            @Override
            public void cancel() {
                stop.set(true);
                generator.interrupt();
            }

            @Override
            public boolean isDone() {
                return response.isDone();
            }

            @Override
            public ChatResponse response() {
                return response.join();
            }

            @Override
            public void close() {
                cancel();
            }
        };
    }

    @Override
    public ModelInfo info() {
        return inner.info();
    }

    @Override
    public void close() {
        inner.close();
    }
}
