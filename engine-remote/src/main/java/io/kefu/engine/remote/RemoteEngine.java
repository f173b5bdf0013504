package io.kefu.engine.remote;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.ModelRef;
import io.kefu.train.Adapter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code remote} engine: {@code load(ModelRef.of("http://127.0.0.1:8000/v1"))} describes an
 * OpenAI-compatible server, and {@code chatModel(base)} talks to it. The other settings (model
 * name, API key, timeouts, retries) are read from system properties and environment variables at
 * {@code load} time, as {@link RemoteConfig} lists them; {@link #load(RemoteConfig)} takes them
 * from code instead.
 */
public final class RemoteEngine implements Engine {
    /** The engine id. */
    public static final String ID = "remote";

    private final Settings settings;

    /** An engine reading its settings from system properties and the environment. */
    public RemoteEngine() {
        this(Settings.fromSystem());
    }

    RemoteEngine(Settings settings) {
        this.settings = settings;
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
     * @param ref the server's API root, e.g. {@code http://127.0.0.1:8000/v1}
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when the reference is not an http(s) URL
     */
    @Override
    public BaseModel load(ModelRef ref) {
        String value = ref.value().strip();
        if (!(value.regionMatches(true, 0, "http://", 0, 7) || value.regionMatches(true, 0, "https://", 0, 8))) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "engine 'remote' loads the URL of an OpenAI-compatible "
                    + "server such as http://127.0.0.1:8000/v1, not '" + value + "'");
        }
        return RemoteEndpoint.connect(ref, RemoteConfig.builder(value).apply(settings).build());
    }

    /** Describes a server configured in code. */
    public BaseModel load(RemoteConfig config) {
        return RemoteEndpoint.connect(ModelRef.of(config.baseUrl().toString()), config);
    }

    /**
     * @param base a {@link RemoteEndpoint} from {@link #load}
     * @param adapters must be empty: a remote server loads its own adapters; select one by name with
     *     {@link io.kefu.chat.ChatRequest#adapter()}
     */
    @Override
    public ChatModel chatModel(BaseModel base, List<Adapter> adapters) {
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
