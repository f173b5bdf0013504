package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.Role;

import java.util.ArrayList;
import java.util.List;

/** Reads the body of an OpenAI {@code POST /v1/chat/completions} into a {@link ChatRequest}, naming the field at fault. */
final class OpenAiRequests {
    private static final int MAX_TOKENS = 32768;

    private OpenAiRequests() {
    }

    /**
     * @param body the request body
     * @param engineAdapter the engine's adapter the chosen model answers with, or null for the base
     * @throws ApiException (400) naming the field that is missing or out of range
     */
    static ChatRequest parse(JsonNode body, String engineAdapter) {
        return ChatRequest.builder().messages(messages(body)).parameters(parameters(body)).adapter(engineAdapter).build();
    }

    private static List<ChatMessage> messages(JsonNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiException.badField("messages", "is required: a non-empty array of {role, content}");
        }
        List<ChatMessage> list = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String field = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiException.badField(field, "must be an object with role and content");
            }
            String role = m.path("role").asText("");
            Role r = switch (role) {
                case "system", "developer" -> Role.SYSTEM;
                case "user" -> Role.USER;
                case "assistant" -> Role.ASSISTANT;
                default -> throw ApiException.badField(field + ".role", "must be system, user or assistant, got '" + role + "'");
            };
            list.add(new ChatMessage(r, content(m.get("content"), field + ".content")));
        }
        if (list.get(list.size() - 1).role() == Role.ASSISTANT) {
            throw ApiException.badField("messages[" + (list.size() - 1) + "]", "the last message is the assistant's; there is nothing to answer");
        }
        return list;
    }

    private static String content(JsonNode content, String field) {
        if (content == null || content.isNull()) {
            throw ApiException.badField(field, "is required");
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText())) {
                    throw ApiException.badField(field, "only text parts are supported, got '" + part.path("type").asText() + "'");
                }
                text.append(part.path("text").asText());
            }
            return text.toString();
        }
        throw ApiException.badField(field, "must be a string or an array of text parts");
    }

    private static GenerationParameters parameters(JsonNode body) {
        GenerationParameters.Builder p = GenerationParameters.builder();
        Integer maxTokens = Json.optionalInt(body, "max_completion_tokens", 1, MAX_TOKENS);
        if (maxTokens == null) {
            maxTokens = Json.optionalInt(body, "max_tokens", 1, MAX_TOKENS);
        }
        if (maxTokens != null) {
            p.maxNewTokens(maxTokens);
        }
        Double temperature = Json.optionalNumber(body, "temperature", 0, 2);
        if (temperature != null) {
            p.temperature(temperature);
        }
        Double topP = Json.optionalNumber(body, "top_p", Double.MIN_VALUE, 1);
        if (topP != null) {
            p.topP(topP);
        }
        Integer seed = Json.optionalInt(body, "seed", Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (seed != null) {
            p.seed(seed);
        }
        p.logprobs(Json.optionalBoolean(body, "logprobs"));
        JsonNode stop = body.get("stop");
        if (stop != null && !stop.isNull()) {
            p.stopSequences(stopSequences(stop));
        }
        return p.build();
    }

    private static List<String> stopSequences(JsonNode stop) {
        List<String> stops = new ArrayList<>();
        if (stop.isTextual()) {
            stops.add(stop.asText());
        } else if (stop.isArray()) {
            stop.forEach(s -> stops.add(s.asText()));
        } else {
            throw ApiException.badField("stop", "must be a string or an array of strings");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw ApiException.badField("stop", "must not contain an empty string");
        }
        return stops;
    }
}
