package io.kefu.engine.djl;

import io.kefu.runtime.format.StagedFolder;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatModel;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.CheckpointWriter;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.hub.Hub;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.engine.djl.merge.AdapterMerger;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.MatmulRate;
import io.kefu.model.ModelRef;
import io.kefu.train.Adapter;
import io.kefu.train.Trainer;
import io.kefu.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code djl} engine: Llama, Qwen 2 and Qwen 3 decoders on DJL + PyTorch (fp32 on the CPU),
 * LoRA and full fine-tuning, generation with LoRA adapters applied unmerged, merging, and
 * random-init checkpoints. Closing it refuses further use; the models it returned are closed on
 * their own, and libtorch (one per process) stays loaded.
 */
final class DjlEngine implements Engine {
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ai.djl.Device device;

    /** Loads libtorch and sets its threads as {@code settings} say; models it loads live on the settings' device. */
    DjlEngine(DjlSettings settings) {
        Torch.engine();
        settings.threads().ifPresent(Torch::threads);
        this.device = settings.device();
    }

    @Override
    public void close() {
        closed.set(true);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "engine 'djl' is closed");
        }
    }

    @Override
    public String id() {
        return DjlEngineProvider.ID;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.TRAIN, Capability.CHAT, Capability.MULTI_ADAPTER);
    }

    @Override
    public BaseModel load(ModelRef ref) {
        checkOpen();
        Path dir = Hub.resolve(ref);
        return new DjlBaseModel(ref, dir, () -> HfChatTemplate.fromModelDir(dir), device);
    }

    @Override
    public Trainer trainer(TrainingConfig config) {
        checkOpen();
        return new DjlTrainer(config);
    }

    /** A chat model that batches concurrent calls with {@link BatchingOptions#defaults()}. */
    @Override
    public ChatModel chatModel(BaseModel base, List<Adapter> adapters) {
        return chatModel(base, adapters, BatchingOptions.defaults());
    }

    /**
     * A chat model that decodes concurrent calls together, continuously: a call joins the running
     * batch at the next token; {@link BatchingOptions#oneAtATime()} decodes them one after another.
     */
    @Override
    public ChatModel chatModel(BaseModel base, List<Adapter> adapters, BatchingOptions batching) {
        checkOpen();
        if (!(base instanceof DjlBaseModel model)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "the djl engine serves models it loaded; "
                    + base.getClass().getSimpleName() + " comes from another engine");
        }
        return DjlChatModel.open(model, adapters, batching);
    }

    @Override
    public void initCheckpoint(String architecture, Path config, Path tokenizerDir, Path out, long seed) {
        initCheckpoint(architecture, config, tokenizerDir, out, seed, Map.of());
    }

    @Override
    public void initCheckpoint(String architecture, Path config, Path tokenizerDir, Path out, long seed,
                               Map<String, String> options) {
        checkOpen();
        RandomInit.write(architecture, config, tokenizerDir, out, seed, options);
    }

    @Override
    public void merge(Path baseModel, Adapter adapter, Path out) {
        checkOpen();
        ModelFolder.requireDirectory(baseModel, "base model");
        PeftAdapter peft = asPeft(adapter);
        try (Checkpoint checkpoint = Checkpoint.open(baseModel); HfTokenizer tokenizer = HfTokenizer.load(baseModel);
             NDManager manager = Torch.newManager()) {
            HfChatTemplate template = HfChatTemplate.fromModelDir(baseModel);
            StagedFolder.publish(out, dir -> {
                AdapterMerger.writeWeights(checkpoint, peft, dir, null, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES, manager);
                try {
                    Files.copy(baseModel.resolve("config.json"), dir.resolve("config.json"));
                } catch (IOException e) {
                    throw new KefuException(ErrorCode.IO, baseModel.resolve("config.json") + ": cannot copy: " + e.getMessage(), e);
                }
                CheckpointExport.copyTokenizerFiles(baseModel, dir);
                ModelFolder.generationConfig(tokenizer, template, checkpoint.config(), checkpoint.generationConfig()).save(dir);
            });
        }
    }

    @Override
    public MatmulRate measureMatmul(int n, Duration duration) {
        checkOpen();
        try (NDManager manager = Torch.newManager(device)) {
            NDArray a = manager.randomNormal(new Shape(n, n));
            NDArray b = manager.randomNormal(new Shape(n, n));
            a.matMul(b).close();
            long reps = 0;
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            long now;
            do {
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0); // wait for the result
                }
                reps++;
                now = System.nanoTime();
            } while (now < end);
            return new MatmulRate(Torch.threads(), 2.0 * n * n * n * reps / ((now - start) / 1e9) / 1e9);
        }
    }

    private static PeftAdapter asPeft(Adapter adapter) {
        if (adapter instanceof PeftAdapter peft) {
            return peft;
        }
        throw new KefuException(ErrorCode.INVALID_ARGUMENT, "adapter " + adapter.getClass().getSimpleName()
                + " holds no LoRA tensors (full fine-tuning trains the base itself; save it with BaseModel.save)");
    }
}
