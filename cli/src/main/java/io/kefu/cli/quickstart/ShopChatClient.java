package io.kefu.cli.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Asks a running Kefu server's {@code POST /chat} a question, as a shop's web page would. */
final class ShopChatClient {
    private static final ObjectMapper JSON = Json.mapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI chat;
    private final Duration timeout;

    /**
     * The server's answer.
     *
     * @param text what the assistant said
     * @param handoff whether the conversation goes to a person
     * @param reason why it was handed off, or null
     * @param latencyMillis the round trip as the client saw it
     */
    record Answer(String text, boolean handoff, String reason, long latencyMillis) {
    }

    /**
     * @param server the server's base URL, e.g. {@code http://127.0.0.1:8080}
     * @param timeout the longest wait for one answer
     */
    ShopChatClient(URI server, Duration timeout) {
        this.chat = server.resolve("/chat");
        this.timeout = timeout;
    }

    /** @throws KefuException {@link ErrorCode#ENGINE_FAILURE} when the server answers with an error or cannot be reached */
    Answer ask(String question, String productId) {
        ObjectNode body = JSON.createObjectNode().put("question", question).put("productId", productId);
        HttpRequest request = HttpRequest.newBuilder(chat).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build();
        long start = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "POST " + chat + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "POST " + chat + ": interrupted", e);
        }
        long latency = (System.nanoTime() - start) / 1_000_000;
        if (response.statusCode() != 200) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "POST " + chat + ": HTTP " + response.statusCode() + ": " + response.body());
        }
        try {
            JsonNode answer = JSON.readTree(response.body());
            return new Answer(answer.path("answer").asText(), answer.path("handoff").asBoolean(),
                    answer.hasNonNull("reason") ? answer.get("reason").asText() : null, latency);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "POST " + chat + ": the answer is not JSON: " + response.body(), e);
        }
    }
}
