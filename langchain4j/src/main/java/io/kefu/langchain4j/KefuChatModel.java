package io.kefu.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import java.util.List;
import java.util.Objects;

/**
 * A Kefu {@link ChatModel} seen as a LangChain4j {@link dev.langchain4j.model.chat.ChatModel}, so a
 * LangChain4j application (AI services, RAG, memory) can use a tuned model in-process:
 *
 * <pre>{@code
 * try (io.kefu.chat.ChatModel tuned = engine.chatModel(base, adapter)) {
 *     dev.langchain4j.model.chat.ChatModel model = KefuChatModel.of(tuned);
 *     String answer = model.chat("连衣裙A有S码吗?");
 * }
 * }</pre>
 *
 * <p>Messages, parameters and answers map as {@code RequestMapper} and {@code ResponseMapper}
 * describe; Kefu errors become the matching LangChain4j exceptions with the Kefu exception as cause.
 * The adapter does not own the Kefu model: close that yourself.
 */
public final class KefuChatModel implements dev.langchain4j.model.chat.ChatModel {
    private final ChatModel model;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;

    private KefuChatModel(Builder b) {
        this.model = b.model;
        this.defaults = b.defaults;
        this.listeners = List.copyOf(b.listeners);
    }

    /** @return an adapter with no default parameters (Kefu's defaults apply) and no listeners */
    public static KefuChatModel of(ChatModel model) {
        return builder(model).build();
    }

    /** @return a builder over the given Kefu model */
    public static Builder builder(ChatModel model) {
        return new Builder(model);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        io.kefu.chat.ChatRequest kefuRequest = RequestMapper.toKefu(request, model.info());
        try {
            return ResponseMapper.toLangChain4j(model.chat(kefuRequest), kefuRequest, model.info());
        } catch (KefuException e) {
            throw Exceptions.toLangChain4j(e);
        }
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    /** Builds a {@link KefuChatModel}. Defaults: no default request parameters, no listeners. */
    public static final class Builder {
        private final ChatModel model;
        private ChatRequestParameters defaults = DefaultChatRequestParameters.EMPTY;
        private List<ChatModelListener> listeners = List.of();

        private Builder(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** @param value parameters applied where a request leaves them unset (default none) */
        public Builder defaultRequestParameters(ChatRequestParameters value) {
            this.defaults = Objects.requireNonNull(value, "defaultRequestParameters");
            return this;
        }

        /** @param value listeners told of each request, response and error (default none) */
        public Builder listeners(List<ChatModelListener> value) {
            this.listeners = List.copyOf(value);
            return this;
        }

        /** @return the adapter */
        public KefuChatModel build() {
            return new KefuChatModel(this);
        }
    }
}
