package io.kefu.langchain4j;

import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatStream;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Kefu {@link ChatModel} seen as a LangChain4j {@link StreamingChatModel}. {@code chat(request,
 * handler)} returns at once; the Kefu stream is read on an executor thread, each non-empty chunk
 * goes to {@code onPartialResponse}, then the whole answer to {@code onCompleteResponse}, or the
 * mapped error to {@code onError}. Cancelling through
 * {@link PartialResponseContext#streamingHandle()} cancels the Kefu stream; no further callback
 * follows. The adapter does not own the Kefu model: close that yourself.
 */
public final class KefuStreamingChatModel implements StreamingChatModel {
    private static final ExecutorService SHARED_EXECUTOR = Executors.newCachedThreadPool(daemonThreads());

    private final ChatModel model;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;
    private final Executor executor;

    private KefuStreamingChatModel(Builder b) {
        this.model = b.model;
        this.defaults = b.defaults;
        this.listeners = List.copyOf(b.listeners);
        this.executor = b.executor;
    }

    /** @return an adapter with no default parameters, no listeners and the shared reader threads */
    public static KefuStreamingChatModel of(ChatModel model) {
        return builder(model).build();
    }

    /** @return a builder over the given Kefu model */
    public static Builder builder(ChatModel model) {
        return new Builder(model);
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        io.kefu.chat.ChatRequest kefuRequest;
        ChatStream stream;
        try {
            kefuRequest = RequestMapper.toKefu(request, model.info());
            stream = model.stream(kefuRequest);
        } catch (KefuException e) {
            handler.onError(Exceptions.toLangChain4j(e));
            return;
        } catch (LangChain4jException e) {
            handler.onError(e);
            return;
        }
        executor.execute(() -> relay(stream, kefuRequest, handler));
    }

    private void relay(ChatStream stream, io.kefu.chat.ChatRequest kefuRequest, StreamingChatResponseHandler handler) {
        Handle handle = new Handle(stream);
        PartialResponseContext context = new PartialResponseContext(handle);
        try (stream) {
            for (ChatChunk chunk : stream) {
                if (handle.isCancelled()) {
                    return;
                }
                if (!chunk.text().isEmpty()) {
                    handler.onPartialResponse(new PartialResponse(chunk.text()), context);
                }
            }
            io.kefu.chat.ChatResponse response = stream.response();
            if (!handle.isCancelled()) {
                handler.onCompleteResponse(ResponseMapper.toLangChain4j(response, kefuRequest, model.info()));
            }
        } catch (KefuException e) {
            if (!handle.isCancelled()) {
                handler.onError(Exceptions.toLangChain4j(e));
            }
        } catch (RuntimeException e) {
            // thrown by the handler itself: stop generating and tell it
            stream.cancel();
            if (!handle.isCancelled()) {
                handler.onError(e);
            }
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

    /** Cancels the Kefu stream behind a LangChain4j streaming call. */
    private static final class Handle implements StreamingHandle {
        private final ChatStream stream;
        private final AtomicBoolean cancelled = new AtomicBoolean();

        Handle(ChatStream stream) {
            this.stream = stream;
        }

        @Override
        public void cancel() {
            if (cancelled.compareAndSet(false, true)) {
                stream.cancel();
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get();
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, "kefu-langchain4j-stream-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Builds a {@link KefuStreamingChatModel}. Defaults: no default request parameters, no
     * listeners, a shared pool of daemon threads that read the streams.
     */
    public static final class Builder {
        private final ChatModel model;
        private ChatRequestParameters defaults = DefaultChatRequestParameters.EMPTY;
        private List<ChatModelListener> listeners = List.of();
        private Executor executor = SHARED_EXECUTOR;

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

        /** @param value where streams are read (default a shared pool of daemon threads) */
        public Builder executor(Executor value) {
            this.executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        /** @return the adapter */
        public KefuStreamingChatModel build() {
            return new KefuStreamingChatModel(this);
        }
    }
}
