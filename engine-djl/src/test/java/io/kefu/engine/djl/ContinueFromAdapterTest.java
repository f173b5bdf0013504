package io.kefu.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.FullSequenceLogits;
import io.kefu.engine.djl.model.Golden;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.format.SafetensorsFile;
import io.kefu.runtime.provenance.ParentAdapter;
import io.kefu.train.Adapter;
import io.kefu.train.LoraConfig;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingListener;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A LoRA run started from a saved adapter begins exactly where that adapter left off, or is refused naming why not. */
class ContinueFromAdapterTest {
    private static final LoraConfig LORA = LoraConfig.builder().rank(4).alpha(8).targets("q_proj", "v_proj").build();

    @TempDir
    static Path temp;
    static Path model;
    static BaseModel base;
    static Engine djl;

    @BeforeAll
    static void setUp() {
        djl = Engines.get("djl");
        model = TinyModels.qwen3(temp, "qwen3-tiny", 5);
        base = djl.load(ModelRef.of(model));
    }

    @AfterAll
    static void tearDown() {
        base.close();
    }

    /** An adapter for the tiny model with random A and B (B non-zero, so it changes the model's outputs). */
    private static Path parent(String name, LoraConfig lora, String baseModel, int hidden) {
        SplittableRandom random = new SplittableRandom(name.hashCode());
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        int[] out = {64, 32}; // q_proj: 2 heads x 32, v_proj: 1 kv head x 32
        for (int layer = 0; layer < 2; layer++) {
            for (int m = 0; m < 2; m++) {
                String module = m == 0 ? "q_proj" : "v_proj";
                tensors.put(PeftAdapter.loraAName(layer, module), randomTensor(random, lora.rank(), hidden));
                tensors.put(PeftAdapter.loraBName(layer, module), randomTensor(random, out[m], lora.rank()));
            }
        }
        Path dir = temp.resolve(name);
        PeftAdapter.of(lora, baseModel, tensors).save(dir);
        return dir;
    }

    private static FloatTensor randomTensor(SplittableRandom random, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.05 + random.nextDouble() * 0.45) * (random.nextBoolean() ? 1 : -1);
        }
        return new FloatTensor(new long[] {rows, cols}, v);
    }

    private static TrainingConfig.Builder run(LoraConfig lora, Path parent) {
        return TrainingConfig.builder().lora(lora).initAdapter(parent).epochs(1).batchSize(4).gradientAccumulation(1)
                .maxLength(1024).seed(3);
    }

    @Test
    void theStartingWeightsAreTheSavedTensorsAndGiveTheParentsOutputs() {
        // the reference adapter and the logits PyTorch computed for base + adapter (see AdapterMergerTest)
        Path golden = Golden.dir("llama");
        PeftAdapter reference = PeftAdapter.load(golden);
        TrainingConfig config = TrainingConfig.builder().lora(reference.config()).initAdapter(golden).build();
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(golden);
             SafetensorsFile saved = SafetensorsFile.open(golden.resolve(PeftAdapter.WEIGHTS_FILE));
             SafetensorsFile logits = SafetensorsFile.open(golden.resolve("logits.safetensors"));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel decoder = new DecoderModel(weights, 64)) {
            ParentAdapter parent = ParentAdapter.load(golden, config.lora().orElseThrow(), reference.baseModel(), weights.config());
            try (LoraWeights start = DjlTrainer.initialLora(config, weights.config(), parent, manager)) {
                Map<String, float[]> tensors = start.toTensors();
                assertThat(tensors.keySet()).containsExactlyInAnyOrderElementsOf(saved.names());
                for (String name : saved.names()) {
                    assertThat(tensors.get(name)).as(name).containsExactly(saved.readFloats(name));
                }
                for (int i = 0; logits.contains("ids." + i); i++) {
                    long[] ids = logits.readLongs("ids." + i);
                    float[] actual = FullSequenceLogits.of(manager, decoder, start, ids);
                    assertThat(FullSequenceLogits.maxAbsDiff(actual, logits.readFloats("logits." + i)))
                            .as("the parent changes the base's logits").isGreaterThan(1e-2f);
                    assertThat(FullSequenceLogits.maxAbsDiff(actual, logits.readFloats("lora_logits." + i)))
                            .as("sequence %d gives base + parent's logits", i).isLessThan(1e-4f);
                }
            }
        }
    }

    @Test
    void fitStartsFromTheParentsWeights() {
        Path parent = parent("parent", LORA, model.toString(), 64);
        PeftAdapter saved = PeftAdapter.load(parent);
        // a learning rate so small that no AdamW update (at most about lr in size) moves a weight of
        // these magnitudes by half an fp32 ulp: the weights come back exactly as the run loaded them
        TrainingConfig config = run(LORA, parent).learningRate(1e-30).build();

        Adapter continued = djl.trainer(config).fit(base, ShopData.first(4), TrainingListener.none());
        Adapter fresh = djl.trainer(config.toBuilder().initAdapter(null).build()).fit(base, ShopData.first(4), TrainingListener.none());

        PeftAdapter result = (PeftAdapter) continued;
        for (String name : saved.tensorNames()) {
            assertThat(result.tensor(name).data()).as(name).containsExactly(saved.tensor(name).data());
        }
        String someA = PeftAdapter.loraAName(0, "q_proj");
        assertThat(((PeftAdapter) fresh).tensor(someA).data()).as("without the parent, PEFT's initialisation")
                .isNotEqualTo(saved.tensor(someA).data());
    }

    @Test
    void anAdapterWithOtherLoraSettingsIsRefusedNamingTheDifference() {
        Path parent = parent("rank4", LORA, model.toString(), 64);

        assertRefused(run(LoraConfig.builder().rank(8).alpha(8).targets("q_proj", "v_proj").build(), parent),
                "cannot continue from adapter " + parent, "its rank r=4 differs from this run's r=8");
        assertRefused(run(LoraConfig.builder().rank(4).alpha(8).targets("q_proj", "k_proj", "v_proj").build(), parent),
                "its target_modules [q_proj, v_proj] differ from this run's [q_proj, k_proj, v_proj]");
        assertRefused(run(LoraConfig.builder().rank(4).alpha(16).targets("q_proj", "v_proj").build(), parent),
                "its lora_alpha=8 differs from this run's lora_alpha=16");
    }

    @Test
    void anAdapterOfAnotherBaseModelIsRefusedNamingBoth() {
        Path otherName = parent("other-base", LORA, "Qwen/Qwen3-0.6B", 64);
        assertRefused(run(LORA, otherName), "it was trained on base model 'Qwen/Qwen3-0.6B'", "this run trains '" + model + "'");

        Path otherShape = parent("other-shape", LORA, "", 32); // lora_A of a model with hidden size 32
        assertRefused(run(LORA, otherShape), "cannot continue from adapter " + otherShape,
                "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight' has shape [4, 32]", "needs [4, 64]");

        // the same folder under another spelling is the same base model
        Path sameFolder = parent("same-folder", LORA, model.getParent().resolve(".").resolve(model.getFileName()).toString(), 64);
        Adapter adapter = djl.trainer(run(LORA, sameFolder).learningRate(1e-30).build()).fit(base, ShopData.first(4), TrainingListener.none());
        assertThat(adapter.config()).isEqualTo(LORA);
    }

    private static void assertRefused(TrainingConfig.Builder config, String... parts) {
        assertThatThrownBy(() -> djl.trainer(config.build()).fit(base, ShopData.first(4), TrainingListener.none()))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContainingAll(parts);
    }
}
