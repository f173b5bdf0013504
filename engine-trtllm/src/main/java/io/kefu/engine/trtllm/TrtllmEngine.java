package io.kefu.engine.trtllm;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.engine.trtllm.internal.TrtllmNative;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.ModelRef;
import io.kefu.train.Adapter;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves engines built by {@code trtllm-build} through TensorRT-LLM's executor. A model folder is
 * an engine directory ({@code rank0.engine} + {@code config.json}) that also holds the checkpoint's
 * {@code tokenizer.json}, {@code tokenizer_config.json} and, optionally, {@code generation_config.json}
 * ({@code kefu trtllm build-engine} lays it out so). Adapters are served side by side through the
 * engine's LoRA plugin; they are named {@code adapter-1}, {@code adapter-2} ... in the order given.
 */
public final class TrtllmEngine implements Engine {
    private final TrtllmNative lib;
    private final TrtllmSettings settings;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param lib the loaded shim; @param settings executor settings for every chat model */
    public TrtllmEngine(TrtllmNative lib, TrtllmSettings settings) {
        this.lib = Objects.requireNonNull(lib, "lib");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** @return the executor settings every chat model of this engine gets */
    public TrtllmSettings settings() {
        return settings;
    }

    /**
     * Refuses further use; idempotent. The shim library stays loaded (it is shared by the process),
     * and each chat model stops its own executor when it is closed.
     */
    @Override
    public void close() {
        closed.set(true);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "engine 'trtllm' is closed");
        }
    }

    @Override
    public String id() {
        return "trtllm";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.CHAT, Capability.MULTI_ADAPTER);
    }

    /**
     * @throws KefuException NOT_FOUND for a hub id or missing folder (TensorRT-LLM needs an engine built
     *     for this GPU), INVALID_CHECKPOINT when the folder is not an engine directory with tokenizer files
     */
    @Override
    public BaseModel load(ModelRef ref) {
        checkOpen();
        return TrtllmBaseModel.open(ref);
    }

    @Override
    public ChatModel chatModel(BaseModel base, List<Adapter> adapters) {
        checkOpen();
        if (!(base instanceof TrtllmBaseModel trt)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "engine 'trtllm' serves models it loaded itself; got a "
                    + base.getClass().getSimpleName() + " (load the engine folder with Engines.get(\"trtllm\").load(...))");
        }
        return TrtllmChatModel.open(lib, trt, adapters, settings);
    }

    /** @return a chat model with other settings than the engine's */
    public ChatModel chatModel(BaseModel base, List<Adapter> adapters, TrtllmSettings custom) {
        checkOpen();
        if (!(base instanceof TrtllmBaseModel trt)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "engine 'trtllm' serves models it loaded itself; got a "
                    + base.getClass().getSimpleName());
        }
        return TrtllmChatModel.open(lib, trt, adapters, custom);
    }
}
