package io.kefu.server.assistant;

/**
 * One question a customer asks the shop; {@link ShopAssistant#answer(CustomerQuestion)} checks it.
 *
 * @param question what the customer wrote (required, at most {@value ShopAssistant#MAX_QUESTION_CHARS} characters)
 * @param productId the product the customer is looking at, or null for questions about the shop
 * @param sessionId the conversation it continues, or null to start a new one
 */
public record CustomerQuestion(String question, String productId, String sessionId) {
}
