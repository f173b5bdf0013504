package io.kefu.engine.remote;

import io.kefu.model.Engine;
import io.kefu.model.EngineOptions;
import io.kefu.model.EngineStatus;
import io.kefu.spi.EngineProvider;

/** Registers the {@code remote} engine; it needs nothing but the JDK, so it is always available. */
public final class RemoteEngineProvider implements EngineProvider {
    @Override
    public String id() {
        return RemoteEngine.ID;
    }

    @Override
    public EngineStatus status() {
        return new EngineStatus(RemoteEngine.ID, true, "OpenAI-compatible server over HTTP (vLLM, trtllm-serve, kefu serve)");
    }

    @Override
    public Engine create(EngineOptions options) {
        return new RemoteEngine(options);
    }
}
