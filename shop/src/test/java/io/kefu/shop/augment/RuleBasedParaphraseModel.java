package io.kefu.shop.augment;

import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ModelInfo;
import io.kefu.chat.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A small deterministic {@link ChatModel} that "paraphrases" by rules, standing in for an LLM so
 * that the paraphraser's filtering can be tested on every kind of bad output: it answers some
 * questions well and others with empty, unchanged, overlong, banned or number-changing text.
 */
final class RuleBasedParaphraseModel implements ChatModel {
    final List<ChatRequest> requests = new ArrayList<>();
    private boolean closed;

    static String reword(String question) {
        if (question.contains("天气")) {
            return "  \"\"  ";
        }
        if (question.contains("退")) {
            return question + " ";
        }
        if (question.contains("快递")) {
            return "亲".repeat(80);
        }
        if (question.contains("优惠")) {
            return "你们是全网最低价吗?";
        }
        if (question.matches(".*\\d+.*")) {
            return question.replaceAll("\\d+", "170");
        }
        return "「请问一下," + question + "」";
    }

    @Override
    public synchronized ChatResponse chat(ChatRequest request) {
        if (closed) {
            throw new io.kefu.KefuException(io.kefu.ErrorCode.CLOSED, "closed");
        }
        requests.add(request);
        List<ChatMessage> messages = request.messages();
        ChatMessage last = messages.get(messages.size() - 1);
        if (last.role() != Role.USER) {
            throw new IllegalStateException("expected a user message last");
        }
        return ChatResponse.ofText(reword(last.content()), Duration.ofMillis(1));
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        ChatResponse response = chat(request);
        return new ChatStream() {
            private boolean done;

            @Override
            public Iterator<ChatChunk> iterator() {
                done = true;
                return List.of(new ChatChunk(response.text(), List.of(), List.of())).iterator();
            }

            @Override
            public void cancel() {
                done = true;
            }

            @Override
            public boolean isDone() {
                return done;
            }

            @Override
            public ChatResponse response() {
                return response;
            }

            @Override
            public void close() {
                done = true;
            }
        };
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("rule-paraphraser", "test", List.of());
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
