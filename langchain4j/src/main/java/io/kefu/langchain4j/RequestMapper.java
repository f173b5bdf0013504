package io.kefu.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.ModelInfo;
import io.kefu.chat.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a LangChain4j chat request into a Kefu one. Text messages of every role map one to one
 * (a tool result becomes a {@link Role#TOOL} message); temperature, top-p, top-k, max output
 * tokens and stop sequences map to {@link GenerationParameters}, anything unset keeps Kefu's
 * default (greedy, 256 tokens). What a Kefu model cannot do (tool calling, JSON mode, images,
 * frequency/presence penalties) fails with {@link UnsupportedFeatureException} rather than being
 * dropped silently. A {@code modelName} other than the model's own id selects the adapter of that
 * name.
 */
final class RequestMapper {
    private RequestMapper() {
    }

    static ChatRequest toKefu(dev.langchain4j.model.chat.request.ChatRequest request, ModelInfo info) {
        ChatRequestParameters p = request.parameters();
        rejectUnsupported(p);
        try {
            ChatRequest.Builder out = ChatRequest.builder().parameters(parameters(p));
            for (dev.langchain4j.data.message.ChatMessage message : request.messages()) {
                out.add(message(message));
            }
            String modelName = p.modelName();
            if (modelName != null && !modelName.equals(info.id())) {
                if (!info.adapters().contains(modelName)) {
                    throw new ModelNotFoundException("model '" + modelName + "' is neither the Kefu model '" + info.id()
                            + "' nor one of its adapters " + info.adapters());
                }
                out.adapter(modelName);
            }
            return out.build();
        } catch (KefuException e) {
            throw Exceptions.toLangChain4j(e);
        }
    }

    private static GenerationParameters parameters(ChatRequestParameters p) {
        GenerationParameters.Builder b = GenerationParameters.builder();
        if (p.temperature() != null) {
            b.temperature(p.temperature());
        }
        if (p.topP() != null) {
            b.topP(p.topP());
        }
        if (p.topK() != null) {
            b.topK(p.topK());
        }
        if (p.maxOutputTokens() != null) {
            b.maxNewTokens(p.maxOutputTokens());
        }
        if (p.stopSequences() != null && !p.stopSequences().isEmpty()) {
            b.stopSequences(p.stopSequences());
        }
        return b.build();
    }

    private static void rejectUnsupported(ChatRequestParameters p) {
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("Kefu chat models do not call tools; remove the tool specifications");
        }
        if (p.responseFormat() != null && p.responseFormat().type() == ResponseFormatType.JSON) {
            throw new UnsupportedFeatureException("Kefu chat models have no JSON response mode; ask for JSON in the prompt instead");
        }
        if (p.frequencyPenalty() != null || p.presencePenalty() != null) {
            throw new UnsupportedFeatureException("Kefu chat models have no frequency or presence penalty "
                    + "(they decode with a repetition penalty, set on the Kefu request)");
        }
    }

    private static ChatMessage message(dev.langchain4j.data.message.ChatMessage message) {
        if (message instanceof SystemMessage system) {
            return ChatMessage.system(system.text());
        }
        if (message instanceof UserMessage user) {
            return ChatMessage.user(userText(user));
        }
        if (message instanceof AiMessage ai) {
            if (ai.hasToolExecutionRequests()) {
                throw new UnsupportedFeatureException("Kefu chat models do not call tools; an AiMessage carries tool execution requests");
            }
            return ChatMessage.assistant(ai.text() == null ? "" : ai.text());
        }
        if (message instanceof ToolExecutionResultMessage tool) {
            return new ChatMessage(Role.TOOL, tool.text() == null ? "" : tool.text());
        }
        throw new UnsupportedFeatureException("Kefu chat models read system, user, AI and tool-result messages, not "
                + message.type());
    }

    private static String userText(UserMessage user) {
        if (user.hasSingleText()) {
            return user.singleText();
        }
        List<String> parts = new ArrayList<>();
        for (Content content : user.contents()) {
            if (!(content instanceof TextContent text)) {
                throw new UnsupportedFeatureException("Kefu chat models read text only; a UserMessage carries "
                        + content.type() + " content");
            }
            parts.add(text.text());
        }
        return String.join("\n", parts);
    }
}
