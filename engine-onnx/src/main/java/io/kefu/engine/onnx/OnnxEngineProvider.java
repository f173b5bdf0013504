package io.kefu.engine.onnx;

import ai.onnxruntime.OrtEnvironment;
import io.kefu.model.Engine;
import io.kefu.model.EngineOptions;
import io.kefu.model.EngineStatus;
import io.kefu.spi.EngineProvider;

/** Registers the ONNX Runtime engine under the id {@code onnx}. */
public final class OnnxEngineProvider implements EngineProvider {
    @Override
    public String id() {
        return "onnx";
    }

    @Override
    public EngineStatus status() {
        try {
            OrtEnvironment.getEnvironment();
            return new EngineStatus(id(), true, "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion()
                    + ", providers " + OrtEnvironment.getAvailableProviders());
        } catch (RuntimeException | LinkageError e) {
            return new EngineStatus(id(), false, "ONNX Runtime's native library cannot load: " + e);
        }
    }

    @Override
    public Engine create(EngineOptions options) {
        return new OnnxEngine(options);
    }
}
