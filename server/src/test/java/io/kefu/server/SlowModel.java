package io.kefu.server;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.ModelInfo;
import io.kefu.chat.Usage;
import io.kefu.shop.rules.RulesChatModel;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rules baseline made slow or failing on demand, as an engine can be: a whole answer waits {@link #chatDelay}
 * (and, like a batching engine, stops when its thread is interrupted); a stream sends its answer one character
 * every {@link #chunkDelay} (forever with {@link #endless}) until it is cancelled; with {@link #failure} set, a whole
 * answer fails with it, and a stream fails with it after {@link #failAfterChunks} characters.
 */
final class SlowModel implements ChatModel {
    private final ChatModel inner = new RulesChatModel();
    volatile Duration chatDelay = Duration.ZERO;
    volatile Duration chunkDelay = Duration.ZERO;
    volatile boolean endless;
    volatile RuntimeException failure;
    volatile int failAfterChunks;
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger interrupted = new AtomicInteger();
    final AtomicInteger cancelled = new AtomicInteger();

    @Override
    public ChatResponse chat(ChatRequest request) {
        if (failure != null) {
            throw failure;
        }
        started.incrementAndGet();
        try {
            Thread.sleep(chatDelay.toMillis());
        } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            Thread.currentThread().interrupt();
            throw new KefuException(ErrorCode.CANCELLED, "interrupted while generating");
        }
        return inner.chat(request);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        return new SlowStream(inner.chat(request).text());
    }

    @Override
    public ModelInfo info() {
        return inner.info();
    }

    @Override
    public void close() {
        inner.close();
    }

    private final class SlowStream implements ChatStream {
        private final String text;
        private final CountDownLatch cancel = new CountDownLatch(1);
        private final StringBuilder sent = new StringBuilder();
        private int next;

        SlowStream(String text) {
            this.text = text;
        }

        @Override
        public Iterator<ChatChunk> iterator() {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return cancel.getCount() > 0 && (endless || next < text.length());
                }

                @Override
                public ChatChunk next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    try {
                        if (cancel.await(chunkDelay.toMillis(), TimeUnit.MILLISECONDS)) {
                            return new ChatChunk("", List.of(), List.of());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (failure != null && next >= failAfterChunks) {
                        throw failure;
                    }
                    String piece = String.valueOf(text.charAt(next++ % text.length()));
                    sent.append(piece);
                    return new ChatChunk(piece, List.of(), List.of());
                }
            };
        }

        @Override
        public void cancel() {
            if (cancel.getCount() > 0) {
                cancelled.incrementAndGet();
                cancel.countDown();
            }
        }

        @Override
        public boolean isDone() {
            return cancel.getCount() == 0 || (!endless && next >= text.length());
        }

        @Override
        public ChatResponse response() {
            FinishReason reason = cancel.getCount() == 0 ? FinishReason.CANCELLED : FinishReason.STOP;
            return new ChatResponse(sent.toString(), reason, new Usage(0, sent.length()), List.of(), List.of(), List.of(), Duration.ZERO);
        }

        @Override
        public void close() {
            cancel.countDown();
        }
    }
}
