package io.kefu.engine.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.FinishReason;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.TokenLogprob;
import io.kefu.chat.Usage;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes {@code /v1/chat/completions} requests and reads their answers, whole or streamed.
 *
 * <p>Parameters map to OpenAI fields: {@code max_tokens}, {@code temperature}, {@code top_p},
 * {@code seed}, {@code stop}, {@code logprobs}. {@code top_k} and {@code repetition_penalty} are
 * vLLM's (and trtllm-serve's) extra fields, sent only when they are not off, because OpenAI's own
 * API rejects unknown fields. Remote servers do not report token ids: they are left empty and
 * {@link TokenLogprob#tokenId()} is -1.
 */
final class ChatCompletionsCodec {
    static final String DONE = "[DONE]";
    private static final int MAX_ERROR_TEXT = 2000;

    private final ObjectMapper json = new ObjectMapper();

    /** One parsed piece of a stream. Any field may be empty/null. */
    record Delta(String text, List<TokenLogprob> logprobs, FinishReason finishReason, Usage usage, String error) {
    }

    /** A parsed whole answer. */
    record Completion(String text, List<TokenLogprob> logprobs, FinishReason finishReason, Usage usage) {
    }

    byte[] requestBody(ChatRequest request, String model, boolean stream, boolean streamUsage) {
        GenerationParameters p = request.parameters();
        ObjectNode body = json.createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage m : request.messages()) {
            messages.addObject().put("role", m.role().wireName()).put("content", m.content());
        }
        body.put("max_tokens", p.maxNewTokens());
        body.put("temperature", p.temperature());
        body.put("top_p", p.topP());
        body.put("seed", p.seed());
        if (!p.stopSequences().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            p.stopSequences().forEach(stop::add);
        }
        if (p.logprobs()) {
            body.put("logprobs", true);
        }
        if (p.topK() > 0) {
            body.put("top_k", p.topK());
        }
        if (p.repetitionPenalty() != 1.0) {
            body.put("repetition_penalty", p.repetitionPenalty());
        }
        if (stream) {
            body.put("stream", true);
            if (streamUsage) {
                body.putObject("stream_options").put("include_usage", true);
            }
        }
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot write a chat completion request: " + e.getMessage(), e);
        }
    }

    JsonNode parse(String text, String what) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.REMOTE, what + " is not JSON: " + e.getOriginalMessage()
                    + " (received: " + shorten(text) + ")", e);
        }
    }

    /** Reads a {@code chat.completion} object. */
    Completion completion(JsonNode root, String where) {
        String error = errorText(root);
        if (error != null) {
            throw new KefuException(ErrorCode.REMOTE, where + " answered with an error: " + error);
        }
        JsonNode choice = root.path("choices").path(0);
        if (choice.isMissingNode()) {
            throw new KefuException(ErrorCode.REMOTE, where + " answered without choices[0]: " + shorten(root.toString()));
        }
        JsonNode content = choice.path("message").path("content");
        return new Completion(content.isTextual() ? content.asText() : "", logprobs(choice.path("logprobs")),
                finishReason(choice.path("finish_reason")), usage(root.path("usage")));
    }

    /** Reads one {@code chat.completion.chunk} object of a stream. */
    Delta delta(JsonNode root) {
        String error = errorText(root);
        if (error != null) {
            return new Delta("", List.of(), null, null, error);
        }
        JsonNode choice = root.path("choices").path(0);
        JsonNode content = choice.path("delta").path("content");
        JsonNode reason = choice.path("finish_reason");
        return new Delta(content.isTextual() ? content.asText() : "", logprobs(choice.path("logprobs")),
                reason.isTextual() ? finishReason(reason) : null, usage(root.path("usage")), null);
    }

    /** @return model ids listed by {@code GET /v1/models} with their {@code parent} (vLLM marks LoRA adapters so) */
    List<String[]> models(JsonNode root) {
        List<String[]> out = new ArrayList<>();
        for (JsonNode m : root.path("data")) {
            JsonNode parent = m.path("parent");
            out.add(new String[] {m.path("id").asText(), parent.isTextual() ? parent.asText() : null});
        }
        return out;
    }

    /** @return the server's error message from an error body (OpenAI, vLLM, FastAPI shapes), else the body itself */
    String errorMessage(String body) {
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        try {
            JsonNode root = json.readTree(body);
            String text = errorText(root);
            if (text != null) {
                return text;
            }
            if (root.path("message").isTextual()) {
                return root.path("message").asText();
            }
            if (root.has("detail")) {
                JsonNode detail = root.get("detail");
                return detail.isTextual() ? detail.asText() : shorten(detail.toString());
            }
        } catch (JsonProcessingException notJson) {
            // plain text error pages are passed on as they are
        }
        return shorten(body.strip());
    }

    private static String errorText(JsonNode root) {
        JsonNode error = root.path("error");
        if (error.isTextual()) {
            return error.asText();
        }
        if (error.isObject()) {
            JsonNode message = error.path("message");
            return message.isTextual() ? message.asText() : shorten(error.toString());
        }
        return null;
    }

    private static List<TokenLogprob> logprobs(JsonNode node) {
        JsonNode content = node.path("content");
        if (!content.isArray()) {
            return List.of();
        }
        List<TokenLogprob> out = new ArrayList<>(content.size());
        for (JsonNode t : content) {
            out.add(new TokenLogprob(-1, t.path("token").asText(""), t.path("logprob").asDouble(Double.NaN)));
        }
        return out;
    }

    private static Usage usage(JsonNode node) {
        if (!node.isObject()) {
            return null;
        }
        return new Usage(node.path("prompt_tokens").asInt(0), node.path("completion_tokens").asInt(0));
    }

    /** stop (and tool_calls) -> STOP, length -> LENGTH, anything else a server may say (content_filter, abort) -> ERROR. */
    static FinishReason finishReason(JsonNode node) {
        if (!node.isTextual()) {
            return FinishReason.STOP;
        }
        return switch (node.asText()) {
            case "stop", "eos", "tool_calls", "function_call" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            default -> FinishReason.ERROR;
        };
    }

    static String shorten(String text) {
        return text.length() <= MAX_ERROR_TEXT ? text : text.substring(0, MAX_ERROR_TEXT) + "...";
    }
}
