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
import io.kefu.engine.djl.torch.Torch;
import io.kefu.model.BaseModel;
import io.kefu.model.ModelRef;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/** A Hugging Face checkpoint loaded into fp32 NDArrays. */
final class DjlBaseModel implements BaseModel {
    private final ModelRef ref;
    private final Path directory;
    private final NDManager manager;
    private final DecoderWeights weights;
    private final DecoderModel model;
    private final Optional<GenerationConfig> generationConfig;
    private final Supplier<ChatTemplate> templates;
    private volatile ChatTemplate template;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Loads the checkpoint in {@code directory} into arrays on {@code device}. */
    DjlBaseModel(ModelRef ref, Path directory, Supplier<ChatTemplate> templates, ai.djl.Device device) {
        this.ref = ref;
        this.directory = directory;
        this.templates = templates;
        NDManager m = Torch.newManager(device);
        try (Checkpoint checkpoint = Checkpoint.open(directory)) {
            this.weights = DecoderWeights.load(checkpoint, m);
            this.generationConfig = checkpoint.generationConfig();
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        this.manager = m;
        this.model = new DecoderModel(weights, weights.config().maxPositionEmbeddings());
    }

    /** @return the forward pass */
    DecoderModel model() {
        check();
        return model;
    }

    /** @return the weights */
    DecoderWeights weights() {
        check();
        return weights;
    }

    /** @return the parsed config.json */
    HfModelConfig config() {
        return weights.config();
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
        return weights.config().architecture().className();
    }

    @Override
    public long parameterCount() {
        return weights.parameterCount();
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
            model.close();
            manager.close();
        }
    }
}
