package io.kefu.chat;

import java.util.Objects;

/**
 * One message of a conversation.
 *
 * @param role who wrote it
 * @param content the text; never null, may be empty
 */
public record ChatMessage(Role role, String content) {
    /** Validates that role and content are present. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    /** @return a system message */
    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    /** @return a user (customer) message */
    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    /** @return an assistant (agent) message */
    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
