package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.kefu.server.assistant.RecordedEvent;
import io.kefu.server.assistant.ShopAssistant;

/**
 * {@code POST /events} {"sessionId", "event", "amount"?}: what a customer did after the chat (an order, a conversion),
 * logged under the session's A/B arm; {@code {sessionId, experiment, arm, event}}.
 */
final class EventRoute {
    static final String PATH = "/events";

    private final ShopAssistant assistant;
    private final JsonExchange exchange;

    EventRoute(ShopAssistant assistant, JsonExchange exchange) {
        this.assistant = assistant;
        this.exchange = exchange;
    }

    void handle(Context ctx) {
        JsonNode body = exchange.readObject(ctx);
        RecordedEvent recorded = assistant.recordEvent(Json.requiredText(body, "sessionId"), Json.requiredText(body, "event"),
                Json.optionalNumber(body, "amount", 0, 1e9));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("sessionId", recorded.sessionId());
        out.put("experiment", recorded.experiment());
        out.put("arm", recorded.arm());
        out.put("event", recorded.event());
        exchange.send(ctx, 200, out, PATH);
    }
}
