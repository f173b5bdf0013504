package io.kefu.engine.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatTemplate;
import io.kefu.model.BaseModel;
import io.kefu.model.ModelRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link BaseModel} of the remote engine: an OpenAI-compatible server and the model it serves.
 * The weights, chat template and tokenizer live on the server, so {@link #directory()},
 * {@link #template()} and {@link #save(Path)} fail with {@link ErrorCode#UNSUPPORTED}, and
 * {@link #parameterCount()} is 0 (unknown).
 */
public final class RemoteEndpoint implements BaseModel {
    private final ModelRef ref;
    private final RemoteConfig config;
    private final String model;
    private final List<String> adapters;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RemoteEndpoint(ModelRef ref, RemoteConfig config, String model, List<String> adapters) {
        this.ref = ref;
        this.config = config;
        this.model = model;
        this.adapters = List.copyOf(adapters);
    }

    /**
     * Describes the endpoint. Without a configured model name, asks {@code GET {baseUrl}/models}
     * and takes the one model served there (LoRA adapters that vLLM lists with a {@code parent}
     * become selectable adapters); with a name, nothing is sent until the first request.
     *
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} when the server serves several models
     *     and none was chosen, or the mapped error when the server cannot be asked
     */
    static RemoteEndpoint connect(ModelRef ref, RemoteConfig config) {
        if (config.model().isPresent()) {
            return new RemoteEndpoint(ref, config, config.model().get(), List.of());
        }
        ChatCompletionsCodec codec = new ChatCompletionsCodec();
        List<String[]> listed;
        try (HttpTransport transport = new HttpTransport(config, codec)) {
            Exchange exchange = new Exchange(transport, transport.endpoint("models"), null);
            try (InputStream in = exchange.open()) {
                JsonNode root = codec.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                        "model list from " + exchange.uri());
                listed = codec.models(root);
            } catch (IOException e) {
                throw new KefuException(ErrorCode.REMOTE, "reading the model list from " + exchange.uri()
                        + " failed: " + e.getMessage(), e);
            }
        }
        List<String> bases = new ArrayList<>();
        for (String[] m : listed) {
            if (m[1] == null) {
                bases.add(m[0]);
            }
        }
        if (bases.size() != 1) {
            throw new KefuException(bases.isEmpty() ? ErrorCode.NOT_FOUND : ErrorCode.INVALID_CONFIG,
                    "remote server " + config.baseUrl() + "/models lists "
                    + (bases.isEmpty() ? "no model" : bases.size() + " models (" + String.join(", ", bases) + ")")
                    + "; choose one with kefu.remote.model or KEFU_REMOTE_MODEL");
        }
        String model = bases.get(0);
        List<String> adapters = new ArrayList<>();
        for (String[] m : listed) {
            if (model.equals(m[1])) {
                adapters.add(m[0]);
            }
        }
        return new RemoteEndpoint(ref, config, model, adapters);
    }

    /** @return the settings requests are sent with */
    public RemoteConfig config() {
        return config;
    }

    /** @return the model name sent with requests */
    public String model() {
        return model;
    }

    /** @return adapters the server lists for this model (vLLM LoRA modules), selectable by name */
    public List<String> adapters() {
        return adapters;
    }

    @Override
    public ModelRef ref() {
        return ref;
    }

    /** @throws KefuException always {@link ErrorCode#UNSUPPORTED}: the checkpoint lives on the server */
    @Override
    public Path directory() {
        throw unsupported("has no local checkpoint folder; the weights live on the server");
    }

    /** @return {@code "remote"}: the server does not say which architecture it runs */
    @Override
    public String architecture() {
        checkOpen();
        return RemoteEngine.ID;
    }

    /** @return 0: the server does not say how many parameters its model has */
    @Override
    public long parameterCount() {
        checkOpen();
        return 0;
    }

    /** @throws KefuException always {@link ErrorCode#UNSUPPORTED}: the server applies its own template */
    @Override
    public ChatTemplate template() {
        throw unsupported("has no chat template here; the server applies its own");
    }

    /** @throws KefuException always {@link ErrorCode#UNSUPPORTED}: there are no local weights to write */
    @Override
    public void save(Path directory) {
        throw unsupported("cannot be saved; the weights live on the server");
    }

    @Override
    public void close() {
        closed.set(true);
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public String toString() {
        return "RemoteEndpoint[" + config.baseUrl() + ", model=" + model + "]";
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "remote endpoint " + config.baseUrl() + " is closed");
        }
    }

    private KefuException unsupported(String why) {
        checkOpen();
        return new KefuException(ErrorCode.UNSUPPORTED, "remote endpoint " + config.baseUrl() + " (model " + model + ") " + why);
    }
}
