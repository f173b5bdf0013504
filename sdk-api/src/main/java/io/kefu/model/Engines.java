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
     * @return the engine, created once per JVM
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when no provider has that id (the message
     *     lists those that exist), {@link ErrorCode#ENGINE_UNAVAILABLE} when it cannot load here
     */
    public static Engine get(String id) {
        return CREATED.computeIfAbsent(id, Engines::create);
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

    private static Engine create(String id) {
        List<String> known = new ArrayList<>();
        for (EngineProvider provider : providers()) {
            if (provider.id().equals(id)) {
                EngineStatus status = provider.status();
                if (!status.available()) {
                    throw new KefuException(ErrorCode.ENGINE_UNAVAILABLE, "engine '" + id + "' cannot load: " + status.reason());
                }
                return provider.create();
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
