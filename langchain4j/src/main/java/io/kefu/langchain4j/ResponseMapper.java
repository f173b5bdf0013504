package io.kefu.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ModelInfo;
import io.kefu.chat.Usage;

/** Turns a Kefu answer into a LangChain4j {@link ChatResponse}: text, finish reason, token usage and model name. */
final class ResponseMapper {
    private ResponseMapper() {
    }

    static ChatResponse toLangChain4j(io.kefu.chat.ChatResponse response, ChatRequest request, ModelInfo info) {
        Usage usage = response.usage();
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(response.text()))
                .finishReason(finishReason(response.finishReason()))
                .tokenUsage(new TokenUsage(usage.promptTokens(), usage.completionTokens(), usage.totalTokens()))
                .modelName(request.adapter().orElse(info.id()))
                .build();
    }

    /** STOP and LENGTH map to themselves; a cancelled or failed generation is OTHER. */
    static FinishReason finishReason(io.kefu.chat.FinishReason reason) {
        return switch (reason) {
            case STOP -> FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
            case CANCELLED, ERROR -> FinishReason.OTHER;
        };
    }
}
