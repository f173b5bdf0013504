package io.kefu.engine.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.Golden;
import io.kefu.train.LoraConfig;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {
    @TempDir
    Path temp;

    /** Random prompts, each answered with the same fixed tokens (easy to learn). */
    static List<TokenSequence> data(int n, long seed) {
        Random random = new Random(seed);
        List<TokenSequence> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int prompt = 3 + random.nextInt(6);
            int len = prompt * 2;
            int[] ids = new int[len];
            int[] labels = new int[len];
            for (int t = 0; t < prompt; t++) {
                ids[t] = 10 + random.nextInt(100);
                labels[t] = TokenSequence.IGNORE;
            }
            for (int t = prompt; t < len; t++) {
                ids[t] = 40 + (t - prompt) * 3;
                labels[t] = ids[t];
            }
            out.add(new TokenSequence(ids, labels));
        }
        return out;
    }

    static TrainingConfig.Builder config() {
        return TrainingConfig.builder()
                .lora(LoraConfig.builder().rank(4).alpha(8).dropout(0.1).targets(LoraConfig.ALL_LINEAR).build())
                .epochs(2).batchSize(4).gradientAccumulation(2).learningRate(5e-3).warmupRatio(0.1).seed(7);
    }

    record Outcome(Map<String, float[]> adapter, List<TrainingEvent> events, Map<String, float[]> base) {
    }

    static Outcome train(TrainingConfig config, List<TokenSequence> train, List<TokenSequence> validation, boolean failAfterCheckpoint) {
        return train(config, train, validation, failAfterCheckpoint, "run");
    }

    static Outcome train(TrainingConfig config, List<TokenSequence> train, List<TokenSequence> validation, boolean failAfterCheckpoint,
                         String fingerprint) {
        List<TrainingEvent> events = new ArrayList<>();
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(Golden.dir("llama"));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64);
             LoraWeights lora = LoraWeights.initialise(weights.config(), config.lora().get(), config.seed(), manager)) {
            TrainingLoop<TokenSequence> loop = TrainingLoop.sft(model, lora, config, fingerprint);
            try {
                loop.run(train, validation, event -> {
                    events.add(event);
                    if (failAfterCheckpoint && event instanceof TrainingEvent.Checkpoint) {
                        throw new IllegalStateException("stop");
                    }
                });
            } catch (IllegalStateException e) {
                assertThat(e).hasMessage("stop");
            }
            Map<String, float[]> base = new LinkedHashMap<>();
            for (String name : weights.names()) {
                base.put(name, weights.floats(name));
            }
            return new Outcome(lora.toTensors(), events, base);
        }
    }

    @Test
    void loraLossFallsAndOnlyTheAdapterChanges() {
        List<TokenSequence> train = data(32, 1);
        Outcome out = train(config().epochs(4).build(), train, data(8, 2), false);
        List<Double> losses = out.events.stream().filter(e -> e instanceof TrainingEvent.Step)
                .map(e -> ((TrainingEvent.Step) e).loss()).toList();
        assertThat(losses).hasSize(16);
        double first = (losses.get(0) + losses.get(1)) / 2;
        double last = (losses.get(14) + losses.get(15)) / 2;
        assertThat(last).isLessThan(first * 0.8);
        List<Double> validation = out.events.stream().filter(e -> e instanceof TrainingEvent.EpochEnd)
                .map(e -> ((TrainingEvent.EpochEnd) e).validationLoss()).toList();
        assertThat(validation).hasSize(4);
        assertThat(validation.get(3)).isLessThan(validation.get(0));
        try (Checkpoint original = Checkpoint.open(Golden.dir("llama"))) {
            for (Map.Entry<String, float[]> e : out.base.entrySet()) {
                assertThat(e.getValue()).as(e.getKey()).containsExactly(original.readFloats(e.getKey()));
            }
        }
        assertThat(out.adapter.keySet()).contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight");
    }

    @Test
    void sameSeedSameAdapterAndResumeAfterAnInterruptionGivesTheSameAdapter() {
        List<TokenSequence> train = data(20, 3);
        TrainingConfig plain = config().build();
        Outcome a = train(plain, train, null, false);
        Outcome b = train(plain, train, null, false);
        assertEqual(a.adapter, b.adapter);

        Path dir = temp.resolve("ckpt");
        TrainingConfig withCheckpoints = config().checkpointDir(dir).checkpointEverySteps(2).build();
        Outcome interrupted = train(withCheckpoints, train, null, true);
        assertThat(interrupted.events).filteredOn(e -> e instanceof TrainingEvent.Finished).isEmpty();
        Outcome resumed = train(withCheckpoints, train, null, false);
        assertThat(((TrainingEvent.Started) resumed.events.get(0)).resumedFromStep()).isEqualTo(2);
        assertEqual(a.adapter, resumed.adapter);
        assertThat(dir.resolve("metrics.jsonl")).exists();
        assertThat(dir.resolve("loss.png")).exists();
    }

    @Test
    void earlyStoppingEndsTrainingWhenValidationStopsImproving() {
        // validation answers differ from the training answers: learning the training set makes them less likely
        List<TokenSequence> validation = new ArrayList<>();
        for (TokenSequence s : data(8, 9)) {
            int[] ids = s.inputIds().clone();
            for (int t = 0; t < ids.length; t++) {
                if (s.labels()[t] != TokenSequence.IGNORE) {
                    ids[t] = 120 - t;
                }
            }
            int[] labels = s.labels().clone();
            for (int t = 0; t < ids.length; t++) {
                if (labels[t] != TokenSequence.IGNORE) {
                    labels[t] = ids[t];
                }
            }
            validation.add(new TokenSequence(ids, labels));
        }
        Outcome out = train(config().epochs(8).learningRate(1e-2).earlyStoppingPatience(1).build(), data(16, 8), validation, false);
        TrainingEvent.Finished finished = (TrainingEvent.Finished) out.events.get(out.events.size() - 1);
        assertThat(finished.stoppedEarly()).isTrue();
        long epochs = out.events.stream().filter(e -> e instanceof TrainingEvent.EpochEnd).count();
        assertThat(epochs).isLessThan(8);
    }

    @Test
    void checkpointOfAnotherRunIsRefused() {
        Path dir = temp.resolve("other");
        train(config().epochs(1).checkpointDir(dir).build(), data(8, 5), null, false);
        assertThatThrownBy(() -> train(config().epochs(1).checkpointDir(dir).build(), data(8, 6), null, false, "another"))
                .hasMessageContaining("another run");
    }

    /** Full fine-tuning of a golden model; with {@code interrupt}, stops at the first checkpoint. */
    static Map<String, float[]> trainFull(String arch, TrainingConfig config, List<TokenSequence> train, boolean interrupt) {
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(Golden.dir(arch));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64)) {
            try {
                TrainingLoop.sft(model, null, config, "run").run(train, null, event -> {
                    if (interrupt && event instanceof TrainingEvent.Checkpoint) {
                        throw new IllegalStateException("stop");
                    }
                });
            } catch (IllegalStateException e) {
                assertThat(e).hasMessage("stop");
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            for (String name : weights.names()) {
                out.put(name, weights.floats(name));
            }
            return out;
        }
    }

    /** Untied (llama) and tied (qwen2) embeddings take different gradient paths in full fine-tuning. */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void fullFineTuningChangesEveryWeightAndResumesToTheSameBytes(String arch) {
        List<TokenSequence> train = data(12, 3);
        TrainingConfig plain = TrainingConfig.builder().fullFineTune().epochs(2).batchSize(4).gradientAccumulation(2)
                .learningRate(1e-3).seed(7).build();
        Map<String, float[]> a = trainFull(arch, plain, train, false);
        try (Checkpoint original = Checkpoint.open(Golden.dir(arch))) {
            for (Map.Entry<String, float[]> e : a.entrySet()) {
                assertThat(Arrays.equals(e.getValue(), original.readFloats(e.getKey()))).as(e.getKey() + " changed").isFalse();
            }
        }
        Path dir = temp.resolve("full-" + arch);
        TrainingConfig withCheckpoints = TrainingConfig.builder().fullFineTune().epochs(2).batchSize(4).gradientAccumulation(2)
                .learningRate(1e-3).seed(7).checkpointDir(dir).checkpointEverySteps(1).build();
        trainFull(arch, withCheckpoints, train, true);
        assertEqual(a, trainFull(arch, withCheckpoints, train, false));
    }

    static void assertEqual(Map<String, float[]> a, Map<String, float[]> b) {
        assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
        for (String k : a.keySet()) {
            assertThat(Arrays.equals(a.get(k), b.get(k))).as(k).isTrue();
        }
    }
}
