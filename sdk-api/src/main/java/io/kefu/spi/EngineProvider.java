package io.kefu.spi;

import io.kefu.model.Engine;
import io.kefu.model.EngineOptions;
import io.kefu.model.EngineStatus;

/**
 * Plugs an engine into Kefu. Implement it, list the class in
 * {@code META-INF/services/io.kefu.spi.EngineProvider}, and {@link io.kefu.model.Engines} finds it.
 * The constructor must be cheap and must not load native code; {@link #status()} may probe.
 */
public interface EngineProvider {
    /** @return the engine id, lower case, e.g. {@code djl} */
    String id();

    /** @return whether the engine can load here, and why not (paths searched, versions found) */
    EngineStatus status();

    /**
     * @param options settings given in code; the engine reads these first and falls back to its
     *     system properties, then to its defaults, for what they leave unset
     * @return a new engine, owned by the caller; called only after {@link #status()} said it is available
     * @throws io.kefu.KefuException {@link io.kefu.ErrorCode#INVALID_CONFIG} when an option is wrong for this engine
     */
    Engine create(EngineOptions options);

    /** @return a new engine set up from system properties and defaults only */
    default Engine create() {
        return create(EngineOptions.defaults());
    }
}
