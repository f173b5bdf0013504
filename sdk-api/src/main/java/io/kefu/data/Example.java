package io.kefu.data;

import io.kefu.chat.ChatMessage;
import io.kefu.chat.Role;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One training or evaluation dialog, normalised from any supported record shape (Alpaca,
 * OpenAI {@code messages}, ShareGPT {@code conversations}).
 *
 * <p>The conversation ends with the assistant answer to learn or to compare against. Alpaca's
 * {@code instruction} and {@code input} become the last user message (joined by a newline, as
 * LLaMA-Factory does), {@code system} the system message and {@code history} earlier turns.
 *
 * @param messages the conversation, ending with the reference assistant answer
 * @param intent what the customer wants (e.g. {@code stock_size}), or null
 * @param strategy how the answer should respond (e.g. {@code gentle_nudge}), or null
 * @param rejected a worse answer to the same last question (for preference training), or null
 * @param metadata every other field of the source record, kept as parsed JSON values
 * @param provenance where the example came from
 */
public record Example(List<ChatMessage> messages, String intent, String strategy, String rejected,
                      Map<String, Object> metadata, Provenance provenance) {
    /** Copies collections and checks required fields. */
    public Example {
        messages = List.copyOf(messages);
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(provenance, "provenance");
    }

    /** @return the conversation without the final assistant answer: what the model is asked */
    public List<ChatMessage> prompt() {
        int end = messages.size();
        if (end > 0 && messages.get(end - 1).role() == Role.ASSISTANT) {
            end--;
        }
        return messages.subList(0, end);
    }

    /** @return the reference answer (the last assistant message), or empty if the conversation has none */
    public Optional<String> answer() {
        if (messages.isEmpty()) {
            return Optional.empty();
        }
        ChatMessage last = messages.get(messages.size() - 1);
        return last.role() == Role.ASSISTANT ? Optional.of(last.content()) : Optional.empty();
    }

    /** @return the last user message, the question being answered, or empty */
    public Optional<String> question() {
        List<ChatMessage> prompt = prompt();
        for (int i = prompt.size() - 1; i >= 0; i--) {
            if (prompt.get(i).role() == Role.USER) {
                return Optional.of(prompt.get(i).content());
            }
        }
        return Optional.empty();
    }

    /** @return the intent, or empty */
    public Optional<String> intentOptional() {
        return Optional.ofNullable(intent);
    }

    /** @return the strategy, or empty */
    public Optional<String> strategyOptional() {
        return Optional.ofNullable(strategy);
    }
}
