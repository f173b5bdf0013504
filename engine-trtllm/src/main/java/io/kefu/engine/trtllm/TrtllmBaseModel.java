package io.kefu.engine.trtllm;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatTemplate;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.engine.trtllm.internal.EngineConfig;
import io.kefu.model.BaseModel;
import io.kefu.model.ModelRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/** An engine folder: the compiled engine's config plus the tokenizer and chat template beside it. */
final class TrtllmBaseModel implements BaseModel {
    private final ModelRef ref;
    private final Path directory;
    private final EngineConfig config;
    private final HfChatTemplate template;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TrtllmBaseModel(ModelRef ref, Path directory, EngineConfig config, HfChatTemplate template) {
        this.ref = ref;
        this.directory = directory;
        this.config = config;
        this.template = template;
    }

    static TrtllmBaseModel open(ModelRef ref) {
        Path dir = ref.localDirectory().orElseThrow(() -> new KefuException(ErrorCode.NOT_FOUND, "engine 'trtllm' needs a local "
                + "engine folder built for this GPU; '" + ref.value() + "' is not a folder (build one with `kefu trtllm build-engine`)"));
        EngineConfig config = EngineConfig.load(dir);
        for (String file : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, dir.resolve(file) + " does not exist: copy the checkpoint's "
                        + "tokenizer files into the engine folder (`kefu trtllm build-engine --run` does)");
            }
        }
        return new TrtllmBaseModel(ref, dir, config, HfChatTemplate.fromModelDir(dir));
    }

    EngineConfig config() {
        return config;
    }

    void ensureOpen() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "the TensorRT-LLM base model " + directory + " was closed");
        }
    }

    @Override
    public ModelRef ref() {
        return ref;
    }

    @Override
    public Path directory() {
        return directory;
    }

    @Override
    public String architecture() {
        return config.architecture();
    }

    /** Counted from the engine's sizes: embeddings, attention, gated MLP, norms and the output layer. */
    @Override
    public long parameterCount() {
        long h = config.hiddenSize();
        long q = (long) config.numHeads() * config.headSize();
        long kv = (long) config.numKvHeads() * config.headSize();
        long perLayer = h * q + 2 * h * kv + q * h + 3 * h * config.intermediateSize() + 2 * h;
        return 2L * config.vocabSize() * h + config.numLayers() * perLayer + h;
    }

    @Override
    public ChatTemplate template() {
        return template;
    }

    @Override
    public void save(Path target) {
        throw new KefuException(ErrorCode.UNSUPPORTED, "a TensorRT-LLM engine is compiled; it cannot be saved as a "
                + "Hugging Face checkpoint (keep the checkpoint it was built from)");
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
