package io.kefu.server.assistant;

/**
 * What a customer did after talking to the shop, as {@link ShopAssistant#recordEvent(String, String, Double)} logged it
 * for the A/B report.
 *
 * @param sessionId the conversation
 * @param experiment the experiment it counts for ({@value ShopAssistant#NO_EXPERIMENT} when none runs)
 * @param arm the session's arm ({@value ShopAssistant#SINGLE_ARM} when no experiment runs)
 * @param event what happened ({@code order}, {@code conversion} ...)
 */
public record RecordedEvent(String sessionId, String experiment, String arm, String event) {
}
