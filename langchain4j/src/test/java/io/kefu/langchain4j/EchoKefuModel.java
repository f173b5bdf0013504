package io.kefu.langchain4j;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.ModelInfo;
import io.kefu.chat.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A small deterministic Kefu model: answers "Echo: " plus the last message, one word per token,
 * until maxNewTokens (LENGTH) or a stop sequence. Streams hand out one word per chunk and can be
 * made to wait before each chunk after the first, so that a cancellation lands mid-stream. It
 * records the requests it got and can be told to fail.
 */
final class EchoKefuModel implements ChatModel {
    final List<ChatRequest> requests = new ArrayList<>();
    volatile KefuException failWith;
    volatile Duration pauseBetweenChunks = Duration.ZERO;
    final AtomicBoolean streamCancelled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public synchronized ChatResponse chat(ChatRequest request) {
        Answer answer = answer(request);
        return new ChatResponse(String.join("", answer.tokens), answer.reason,
                new Usage(answer.promptTokens, answer.tokens.size()), List.of(), List.of(), List.of(), Duration.ofMillis(1));
    }

    @Override
    public synchronized ChatStream stream(ChatRequest request) {
        Answer answer = answer(request);
        return new ChatStream() {
            private final CountDownLatch cancelled = new CountDownLatch(1);
            private final StringBuilder sent = new StringBuilder();
            private volatile int sentTokens;
            private volatile boolean done;
            private volatile FinishReason reason = answer.reason;

            @Override
            public Iterator<ChatChunk> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        if (cancelled.getCount() == 0 || next >= answer.tokens.size()) {
                            done = true;
                            return false;
                        }
                        if (next > 0 && !pauseBetweenChunks.isZero()) {
                            try {
                                if (cancelled.await(pauseBetweenChunks.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                                    done = true;
                                    return false;
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        return true;
                    }

                    @Override
                    public ChatChunk next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        String token = answer.tokens.get(next++);
                        sent.append(token);
                        sentTokens++;
                        return new ChatChunk(token, List.of(), List.of());
                    }
                };
            }

            @Override
            public void cancel() {
                if (!done) {
                    reason = FinishReason.CANCELLED;
                    streamCancelled.set(true);
                }
                cancelled.countDown();
            }

            @Override
            public boolean isDone() {
                return done;
            }

            @Override
            public ChatResponse response() {
                if (!done) {
                    iterator().forEachRemaining(c -> { });
                }
                return new ChatResponse(sent.toString(), reason, new Usage(answer.promptTokens, sentTokens), List.of(), List.of(), List.of(), Duration.ofMillis(1));
            }

            @Override
            public void close() {
                cancel();
            }
        };
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("echo-model", "test", List.of("shop-lora"));
    }

    @Override
    public void close() {
        closed.set(true);
    }

    private record Answer(List<String> tokens, FinishReason reason, int promptTokens) {
    }

    private Answer answer(ChatRequest request) {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "echo model is closed");
        }
        requests.add(request);
        if (failWith != null) {
            throw failWith;
        }
        int promptTokens = 0;
        for (ChatMessage m : request.messages()) {
            promptTokens += m.content().isBlank() ? 0 : m.content().strip().split("\\s+").length;
        }
        String last = request.messages().get(request.messages().size() - 1).content();
        String[] words = ("Echo: " + last).split("\\s+");
        List<String> tokens = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words.length; i++) {
            if (tokens.size() == request.parameters().maxNewTokens()) {
                return new Answer(tokens, FinishReason.LENGTH, promptTokens);
            }
            String token = (i == 0 ? "" : " ") + words[i];
            for (String stop : request.parameters().stopSequences()) {
                if ((text + token).contains(stop)) {
                    return new Answer(tokens, FinishReason.STOP, promptTokens);
                }
            }
            tokens.add(token);
            text.append(token);
        }
        return new Answer(tokens, FinishReason.STOP, promptTokens);
    }
}
