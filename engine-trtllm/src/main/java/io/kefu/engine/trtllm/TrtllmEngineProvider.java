package io.kefu.engine.trtllm;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.engine.trtllm.internal.NativeLoader;
import io.kefu.model.Engine;
import io.kefu.model.EngineOptions;
import io.kefu.model.EngineStatus;
import io.kefu.spi.EngineProvider;

/**
 * Registers the TensorRT-LLM engine under the id {@code trtllm}. It is available when the shim
 * library is found (system property {@code kefu.trtllm.library}, environment variable
 * {@code KEFU_TRTLLM_LIBRARY}, or {@code libkefu_trtllm.so} on {@code java.library.path} /
 * {@code LD_LIBRARY_PATH}) and implements the ABI this module was built for.
 */
public final class TrtllmEngineProvider implements EngineProvider {
    @Override
    public String id() {
        return "trtllm";
    }

    @Override
    public EngineStatus status() {
        NativeLoader.Probe probe = NativeLoader.probe();
        return new EngineStatus(id(), probe.usable(), probe.message());
    }

    @Override
    public Engine create(EngineOptions options) {
        NativeLoader.Probe probe = NativeLoader.probe();
        if (!probe.usable()) {
            throw new KefuException(ErrorCode.ENGINE_UNAVAILABLE, "engine 'trtllm' cannot load: " + probe.message());
        }
        return new TrtllmEngine(probe.library(), TrtllmSettings.of(options));
    }
}
