package io.kefu.spi;

import io.kefu.model.Engine;
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

    /** @return a new engine; called once per JVM, only after {@link #status()} said it is available */
    Engine create();
}
