package io.kefu.engine.remote;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.EngineOptions;
import io.kefu.model.ModelRef;
import io.kefu.train.Adapter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code remote} engine: {@code load(ModelRef.of("http://127.0.0.1:8000/v1"))} describes an
 * OpenAI-compatible server, and {@code chatModel(base)} talks to it. With the engine option
 * {@code baseUrl} set, {@code load(ModelRef.of("shop-model"))} names a model on that server instead.
 * The other settings (model name, API key, timeouts, retries) are read from the engine options,
 * then system properties and environment variables, at {@code load} time, as {@link RemoteConfig}
 * lists them; {@link #load(RemoteConfig)} takes them from code instead. The options {@code threads}
 * and {@code device} are not used. Closing the engine refuses further use; the endpoints it returned
 * are closed on their own.
 */
public final class RemoteEngine implements Engine {
    /** The engine id. */
    public static final String ID = "remote";

    private final Settings settings;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** An engine reading its settings from system properties and the environment. */
    public RemoteEngine() {
        this(EngineOptions.defaults());
    }

    /** An engine reading its settings from {@code options}, then system properties and the environment. */
    public RemoteEngine(EngineOptions options) {
        this(new Settings(System.getProperties(), System.getenv(), options));
    }

    RemoteEngine(Settings settings) {
        this.settings = settings;
    }

    /** Refuses further use; idempotent. The engine holds no connection of its own. */
    @Override
    public void close() {
        closed.set(true);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "engine 'remote' is closed");
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.CHAT, Capability.MULTI_ADAPTER);
    }

    /**
     * @param ref the server's API root, e.g. {@code http://127.0.0.1:8000/v1}; or, with the engine
     *     option {@code baseUrl}, the name of a model on that server (it wins over the {@code model} setting)
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when the reference is not an http(s) URL
     *     and no {@code baseUrl} is set
     */
    @Override
    public BaseModel load(ModelRef ref) {
        checkOpen();
        String value = ref.value().strip();
        if (value.regionMatches(true, 0, "http://", 0, 7) || value.regionMatches(true, 0, "https://", 0, 8)) {
            return RemoteEndpoint.connect(ref, RemoteConfig.builder(value).apply(settings).build());
        }
        java.net.URI baseUrl = settings.options().baseUrl().orElseThrow(() -> new KefuException(ErrorCode.INVALID_ARGUMENT,
                "engine 'remote' loads the URL of an OpenAI-compatible server such as http://127.0.0.1:8000/v1, not '"
                        + value + "'; or set the engine option baseUrl and load a model name"));
        return RemoteEndpoint.connect(ref, RemoteConfig.builder(baseUrl.toString()).apply(settings).model(value).build());
    }

    /** Describes a server configured in code. */
    public BaseModel load(RemoteConfig config) {
        checkOpen();
        return RemoteEndpoint.connect(ModelRef.of(config.baseUrl().toString()), config);
    }

    /**
     * @param base a {@link RemoteEndpoint} from {@link #load}
     * @param adapters must be empty: a remote server loads its own adapters; select one by name with
     *     {@link io.kefu.chat.ChatRequest#adapter()}
     */
    @Override
    public ChatModel chatModel(BaseModel base, List<Adapter> adapters) {
        checkOpen();
        if (!(base instanceof RemoteEndpoint endpoint)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "engine 'remote' needs a base model it loaded itself, not "
                    + (base == null ? "null" : base.getClass().getName()));
        }
        if (endpoint.isClosed()) {
            throw new KefuException(ErrorCode.CLOSED, "remote endpoint " + endpoint.config().baseUrl() + " is closed");
        }
        if (adapters != null && !adapters.isEmpty()) {
            throw new KefuException(ErrorCode.UNSUPPORTED, "engine 'remote' cannot send adapters to the server: serve them "
                    + "there (vLLM: --enable-lora --lora-modules name=path) and select one with ChatRequest.adapter(name)");
        }
        return new RemoteChatModel(endpoint.config(), endpoint.model(), endpoint.adapters());
    }
}
