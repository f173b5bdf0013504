package io.kefu.engine.remote;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ModelInfo;
import io.kefu.chat.Usage;
import io.kefu.model.ModelRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link ChatModel} answered by an OpenAI-compatible server ({@code POST {baseUrl}/chat/completions}):
 * vLLM, TensorRT-LLM's {@code trtllm-serve}, another Kefu server, or a hosted API.
 *
 * <p>The server applies its own chat template and stop tokens. A request's
 * {@linkplain ChatRequest#adapter() adapter} is sent as the model name, which is how vLLM selects a
 * LoRA adapter it serves ({@code --lora-modules name=path}). {@link #chatBatch} sends up to
 * {@link RemoteConfig#maxParallelism()} requests at once. Retries, timeouts and the API key follow
 * {@link RemoteConfig}. Thread-safe; {@link #close()} aborts what is still in flight.
 */
public final class RemoteChatModel implements ChatModel {
    private final RemoteConfig config;
    private final String model;
    private final List<String> adapters;
    private final HttpTransport transport;
    private final ExecutorService streamWorkers;
    private final Set<RemoteChatStream> openStreams = ConcurrentHashMap.newKeySet();
    private final Set<Exchange> openCalls = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    RemoteChatModel(RemoteConfig config, String model, List<String> adapters) {
        this.config = Objects.requireNonNull(config, "config");
        this.model = Objects.requireNonNull(model, "model");
        this.adapters = List.copyOf(adapters);
        this.transport = new HttpTransport(config, new ChatCompletionsCodec());
        this.streamWorkers = Executors.newCachedThreadPool(HttpTransport.daemonThreads("kefu-remote-stream"));
    }

    /**
     * Connects to a server. When the config names no model, asks the server which one it serves.
     *
     * @throws KefuException when the model has to be asked for and the server cannot say
     */
    public static RemoteChatModel open(RemoteConfig config) {
        RemoteEndpoint endpoint = RemoteEndpoint.connect(ModelRef.of(config.baseUrl().toString()), config);
        return new RemoteChatModel(config, endpoint.model(), endpoint.adapters());
    }

    /** @return the settings this model uses */
    public RemoteConfig config() {
        return config;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        checkOpen();
        Objects.requireNonNull(request, "request");
        long start = System.nanoTime();
        byte[] body = transport.codec().requestBody(request, modelFor(request), false, false);
        Exchange exchange = new Exchange(transport, transport.endpoint("chat/completions"), body);
        openCalls.add(exchange);
        ScheduledFuture<?> deadline = null;
        try (InputStream in = exchange.open()) {
            Duration left = config.requestTimeout().minus(Duration.between(exchange.attemptStart(), Instant.now()));
            deadline = transport.schedule(() -> exchange.abort(new KefuException(ErrorCode.TIMEOUT, "remote server "
                    + exchange.uri() + " did not finish its answer within kefu.remote.requestTimeout="
                    + config.requestTimeout().toMillis() + " ms")), left);
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            ChatCompletionsCodec.Completion c = transport.codec().completion(
                    transport.codec().parse(text, "answer from " + exchange.uri()), "remote server " + exchange.uri());
            return new ChatResponse(c.text(), c.finishReason(), c.usage() == null ? new Usage(0, 0) : c.usage(),
                    List.of(), List.of(), c.logprobs(), Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            KefuException aborted = exchange.abortReason();
            if (aborted != null) {
                throw new KefuException(aborted.code(), aborted.getMessage(), e);
            }
            throw new KefuException(ErrorCode.REMOTE, "remote server " + exchange.uri() + ": answer broke off: " + e.getMessage(), e);
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
            openCalls.remove(exchange);
        }
    }

    /**
     * Answers the requests with up to {@link RemoteConfig#maxParallelism()} in flight at once.
     * Answers come back in request order; the first failure (in request order) is thrown and the
     * requests still running are aborted.
     */
    @Override
    public List<ChatResponse> chatBatch(List<ChatRequest> requests) {
        checkOpen();
        if (requests.size() <= 1) {
            return ChatModel.super.chatBatch(requests);
        }
        int threads = Math.min(config.maxParallelism(), requests.size());
        ExecutorService pool = Executors.newFixedThreadPool(threads, HttpTransport.daemonThreads("kefu-remote-batch"));
        try {
            List<Future<ChatResponse>> futures = new ArrayList<>(requests.size());
            for (ChatRequest request : requests) {
                futures.add(pool.submit(() -> chat(request)));
            }
            List<ChatResponse> out = new ArrayList<>(requests.size());
            for (Future<ChatResponse> future : futures) {
                out.add(future.get());
            }
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KefuException k) {
                throw new KefuException(k.code(), k.getMessage(), k);
            }
            throw new KefuException(ErrorCode.INTERNAL, "batch request failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KefuException(ErrorCode.CANCELLED, "interrupted while waiting for a batch of " + requests.size() + " answers");
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        checkOpen();
        Objects.requireNonNull(request, "request");
        byte[] body = transport.codec().requestBody(request, modelFor(request), true, config.streamUsage());
        Exchange exchange = new Exchange(transport, transport.endpoint("chat/completions"), body);
        RemoteChatStream[] self = new RemoteChatStream[1];
        RemoteChatStream stream = new RemoteChatStream(transport, exchange, () -> openStreams.remove(self[0]));
        self[0] = stream;
        openStreams.add(stream);
        try {
            streamWorkers.execute(stream::run);
        } catch (RejectedExecutionException e) {
            openStreams.remove(stream);
            throw closedError();
        }
        return stream;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(model, RemoteEngine.ID, adapters);
    }

    /** Aborts requests and streams still in flight and releases the threads; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (RemoteChatStream stream : openStreams) {
            stream.cancel();
        }
        for (Exchange call : openCalls) {
            call.abort(closedError());
        }
        streamWorkers.shutdownNow();
        transport.close();
    }

    @Override
    public String toString() {
        return "RemoteChatModel[" + config.baseUrl() + ", model=" + model + "]";
    }

    private String modelFor(ChatRequest request) {
        return request.adapter().orElse(model);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw closedError();
        }
    }

    private KefuException closedError() {
        return new KefuException(ErrorCode.CLOSED, "remote chat model for " + config.baseUrl() + " is closed");
    }
}
