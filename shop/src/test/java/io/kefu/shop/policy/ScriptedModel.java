package io.kefu.shop.policy;

import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.ModelInfo;
import io.kefu.chat.TokenLogprob;
import io.kefu.chat.Usage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** A model that says what the test scripts (one answer per call, the last repeated), split into chunks when streamed. */
final class ScriptedModel implements ChatModel {
    private final List<String> answers;
    private final double logprob;
    final List<ChatRequest> requests = new ArrayList<>();
    final AtomicBoolean cancelled = new AtomicBoolean();

    ScriptedModel(double logprob, String... answers) {
        this.answers = List.of(answers);
        this.logprob = logprob;
    }

    ScriptedModel(String... answers) {
        this(-0.1, answers);
    }

    @Override
    public synchronized ChatResponse chat(ChatRequest request) {
        requests.add(request);
        String text = answers.get(Math.min(requests.size() - 1, answers.size() - 1));
        List<TokenLogprob> lps = new ArrayList<>();
        if (request.parameters().logprobs()) {
            for (int i = 0; i < text.length(); i++) {
                lps.add(new TokenLogprob(i, text.substring(i, i + 1), logprob));
            }
        }
        return new ChatResponse(text, FinishReason.STOP, new Usage(5, text.length()), List.of(), List.of(), lps, Duration.ofMillis(1));
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        ChatResponse whole = chat(request);
        String text = whole.text();
        return new ChatStream() {
            @Override
            public Iterator<ChatChunk> iterator() {
                return new Iterator<>() {
                    int at;

                    @Override
                    public boolean hasNext() {
                        return at < text.length() && !cancelled.get();
                    }

                    @Override
                    public ChatChunk next() {
                        return new ChatChunk(text.substring(at, ++at), List.of(), List.of());
                    }
                };
            }

            @Override
            public void cancel() {
                cancelled.set(true);
            }

            @Override
            public boolean isDone() {
                return true;
            }

            @Override
            public ChatResponse response() {
                return whole;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("scripted", "test", List.of());
    }

    @Override
    public void close() {
    }
}
