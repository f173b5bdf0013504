package io.kefu.engine.djl;

import ai.djl.ndarray.NDManager;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatTemplate;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.GenerationConfig;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.WeightStorage;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.Dtype;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.model.BaseModel;
import io.kefu.model.ModelRef;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A Hugging Face checkpoint, its weights loaded into fp32 NDArrays when first used (a trainer that
 * keeps the base in another form loads its own copy, see {@link #load(WeightStorage)}).
 */
final class DjlBaseModel implements BaseModel {
    private final ModelRef ref;
    private final Path directory;
    private final NDManager manager;
    private final HfModelConfig config;
    private DecoderWeights weights;
    private DecoderModel model;
    private final Optional<GenerationConfig> generationConfig;
    private final Supplier<ChatTemplate> templates;
    private volatile ChatTemplate template;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Reads the checkpoint's config in {@code directory}; its weights, when loaded, are arrays on {@code device}. */
    DjlBaseModel(ModelRef ref, Path directory, Supplier<ChatTemplate> templates, ai.djl.Device device) {
        this.ref = ref;
        this.directory = directory;
        this.templates = templates;
        try (Checkpoint checkpoint = Checkpoint.open(directory)) {
            checkpoint.validateLayout();
            this.config = checkpoint.config();
            this.generationConfig = checkpoint.generationConfig();
        }
        this.manager = Torch.newManager(device);
    }

    /** @return the forward pass over the fp32 weights, loading them on first use */
    synchronized DecoderModel model() {
        check();
        if (model == null) {
            try (Checkpoint checkpoint = Checkpoint.open(directory)) {
                weights = DecoderWeights.load(checkpoint, manager);
            }
            model = new DecoderModel(weights, config.maxPositionEmbeddings());
        }
        return model;
    }

    /** @return the fp32 weights, loading them on first use */
    DecoderWeights weights() {
        return model().weights();
    }

    /**
     * Loads a copy of the weights kept as {@code storage} says, for a run that does not share the
     * fp32 weights (the caller closes it).
     */
    DecoderWeights load(WeightStorage storage) {
        check();
        try (Checkpoint checkpoint = Checkpoint.open(directory)) {
            return DecoderWeights.load(checkpoint, manager, storage);
        }
    }

    /** @return the dtype of the checkpoint's linear projections, as stored in its files */
    Dtype storedDtype() {
        try (Checkpoint checkpoint = Checkpoint.open(directory)) {
            return checkpoint.tensor(DecoderLayout.modulePath(0, "q_proj") + ".weight").dtype();
        }
    }

    /** @return the parsed config.json */
    HfModelConfig config() {
        return config;
    }

    /** @return generation_config.json, when the folder has one */
    Optional<GenerationConfig> generationConfig() {
        return generationConfig;
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
        return config.architecture().className();
    }

    @Override
    public long parameterCount() {
        return DecoderLayout.of(config).parameterCount();
    }

    @Override
    public ChatTemplate template() {
        check();
        ChatTemplate t = template;
        if (t == null) {
            t = templates.get();
            template = t;
        }
        return t;
    }

    @Override
    public void save(Path target) {
        check();
        CheckpointExport.save(this, target);
    }

    void check() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "model " + ref.value() + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            synchronized (this) {
                if (model != null) {
                    model.close();
                }
                manager.close();
            }
        }
    }
}
