package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.kefu.server.assistant.CustomerQuestion;
import io.kefu.server.assistant.ShopAnswer;
import io.kefu.server.assistant.ShopAssistant;

/**
 * {@code POST /chat} {"question", "productId"?, "sessionId"?}: the shop's customer service, answered by the
 * {@link ShopAssistant}; {@code {answer, handoff, reason?, facts, sessionId, arm?, latencyMs}}. A client that hangs
 * up before its answer stops the generation ({@link ClientWatch}).
 */
final class ChatRoute {
    static final String PATH = "/chat";

    private final ShopAssistant assistant;
    private final JsonExchange exchange;
    private final Metrics metrics;

    ChatRoute(ShopAssistant assistant, JsonExchange exchange, Metrics metrics) {
        this.assistant = assistant;
        this.exchange = exchange;
        this.metrics = metrics;
    }

    void handle(Context ctx) {
        JsonNode body = exchange.readObject(ctx);
        CustomerQuestion question = new CustomerQuestion(Json.requiredText(body, "question"), Json.optionalText(body, "productId"),
                Json.optionalText(body, "sessionId"));
        ShopAnswer answer;
        try (ClientWatch client = ClientWatch.start(ctx)) {
            answer = assistant.answer(question);
        }
        metrics.generated(answer.response().usage().completionTokens(), answer.response().latency().toNanos() / 1e9);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("answer", answer.text());
        out.put("handoff", answer.handoff());
        answer.reason().ifPresent(reason -> out.put("reason", reason));
        ArrayNode facts = out.putArray("facts");
        answer.facts().forEach(facts::add);
        out.put("sessionId", answer.sessionId());
        answer.arm().ifPresent(arm -> out.put("arm", arm));
        out.put("latencyMs", answer.latencyMs());
        exchange.send(ctx, 200, out, PATH);
    }
}
