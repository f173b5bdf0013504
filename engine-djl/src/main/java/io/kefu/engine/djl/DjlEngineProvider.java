package io.kefu.engine.djl;

import io.kefu.engine.djl.torch.Torch;
import io.kefu.model.Engine;
import io.kefu.model.EngineOptions;
import io.kefu.model.EngineStatus;
import io.kefu.spi.EngineProvider;

/**
 * Registers the {@code djl} engine (DJL + PyTorch). Loading this class switches DJL to offline
 * mode and off usage tracking before any DJL class initialises.
 */
public final class DjlEngineProvider implements EngineProvider {
    static {
        Torch.offline();
    }

    /** The engine id. */
    public static final String ID = "djl";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public EngineStatus status() {
        try {
            return new EngineStatus(ID, true, "DJL " + ai.djl.engine.Engine.getDjlVersion() + ", PyTorch "
                    + Torch.engine().getVersion() + " on CPU, " + Torch.threads() + " threads");
        } catch (RuntimeException | LinkageError e) {
            return new EngineStatus(ID, false, e.getMessage());
        }
    }

    @Override
    public Engine create(EngineOptions options) {
        return new DjlEngine(DjlSettings.of(options));
    }
}
