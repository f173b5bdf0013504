package io.kefu.shop.policy;

import java.util.Objects;

/**
 * One conversation handed to a person, as put into the hand-off queue.
 *
 * @param sessionId the conversation ({@link PolicyChatModel#SESSION_ID} of the request), or empty when unknown
 * @param question the customer's last message
 * @param answer what the customer was told
 * @param reason why
 * @param detail what exactly triggered it, for the person who picks it up
 */
public record Handoff(String sessionId, String question, String answer, HandoffReason reason, String detail) {
    /** Checks for nulls. */
    public Handoff {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }
}
