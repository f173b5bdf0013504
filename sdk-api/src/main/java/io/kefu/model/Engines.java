package io.kefu.model;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.spi.EngineProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds engines through {@code META-INF/services/io.kefu.spi.EngineProvider}. There is no hidden
 * fallback: {@link #get(String)} returns the engine asked for or says why it cannot.
 */
public final class Engines {
    private static final Map<String, Engine> CREATED = new ConcurrentHashMap<>();

    private Engines() {
    }

    /**
     * @param id an engine id such as {@code djl}, {@code onnx}, {@code trtllm}
     * @return the engine set up from system properties and defaults, created once per JVM and shared
     *     by every caller, so do not close it
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when no provider has that id (the message
     *     lists those that exist), {@link ErrorCode#ENGINE_UNAVAILABLE} when it cannot load here
     */
    public static Engine get(String id) {
        return CREATED.computeIfAbsent(id, engineId -> create(engineId, EngineOptions.defaults()));
    }

    /**
     * @param id an engine id such as {@code djl}, {@code onnx}, {@code trtllm}, {@code remote}
     * @param options settings that win over the engine's system properties
     * @return a new engine that the caller owns and closes
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when no provider has that id,
     *     {@link ErrorCode#ENGINE_UNAVAILABLE} when it cannot load here,
     *     {@link ErrorCode#INVALID_CONFIG} when an option is wrong for this engine
     */
    public static Engine get(String id, EngineOptions options) {
        return create(id, java.util.Objects.requireNonNull(options, "options"));
    }

    /** @return every engine on the class path with whether it can load and, if not, why; sorted by id */
    public static List<EngineStatus> available() {
        List<EngineStatus> out = new ArrayList<>();
        for (EngineProvider provider : providers()) {
            EngineStatus status;
            try {
                status = provider.status();
            } catch (RuntimeException | LinkageError e) {
                status = new EngineStatus(provider.id(), false, "status check failed: " + e);
            }
            out.add(status);
        }
        out.sort(Comparator.comparing(EngineStatus::id));
        return out;
    }

    private static Engine create(String id, EngineOptions options) {
        List<String> known = new ArrayList<>();
        for (EngineProvider provider : providers()) {
            if (provider.id().equals(id)) {
                EngineStatus status = provider.status();
                if (!status.available()) {
                    throw new KefuException(ErrorCode.ENGINE_UNAVAILABLE, "engine '" + id + "' cannot load: " + status.reason());
                }
                return provider.create(options);
            }
            known.add(provider.id());
        }
        throw new KefuException(ErrorCode.NOT_FOUND, "no engine '" + id + "' on the class path; found "
                + (known.isEmpty() ? "none" : String.join(", ", known.stream().sorted().toList())));
    }

    private static List<EngineProvider> providers() {
        List<EngineProvider> list = new ArrayList<>();
        ServiceLoader.load(EngineProvider.class, Engines.class.getClassLoader()).forEach(list::add);
        return list;
    }
}
