package io.kefu.server.assistant;

import io.kefu.chat.ChatResponse;

import java.util.List;
import java.util.Optional;

/**
 * The shop's answer to one {@link CustomerQuestion}.
 *
 * @param text the answer the customer reads
 * @param handoff whether a person takes the conversation over
 * @param reason why it was handed off ({@link io.kefu.shop.policy.HandoffReason#wireName()}); empty when it was not
 * @param facts the live shop facts the model was given, one line each, without the header
 * @param sessionId the conversation, the one given or a new one
 * @param arm the A/B arm that answered; empty when no experiment runs
 * @param latencyMs how long the answer took, facts and store included
 * @param response the model's response under the policies (token counts, generation time)
 */
public record ShopAnswer(String text, boolean handoff, Optional<String> reason, List<String> facts, String sessionId,
                         Optional<String> arm, long latencyMs, ChatResponse response) {
    /** Copies the fact lines. */
    public ShopAnswer {
        facts = List.copyOf(facts);
    }
}
