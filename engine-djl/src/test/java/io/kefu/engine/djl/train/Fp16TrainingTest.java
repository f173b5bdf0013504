package io.kefu.engine.djl.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.Golden;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA training with fp16 matrix products and dynamic loss scaling. */
class Fp16TrainingTest {
    private static final String FIRST_PROJECTION = "model.layers.0.self_attn.q_proj.weight";

    @TempDir
    Path temp;

    private record Run(Map<String, float[]> adapter, List<TrainingEvent> events, float[] firstProjection) {
        List<Double> losses() {
            return events.stream().filter(e -> e instanceof TrainingEvent.Step).map(e -> ((TrainingEvent.Step) e).loss()).toList();
        }
    }

    private static Run train(TrainingConfig config, double initialLossScale) {
        return train(config, initialLossScale, 32);
    }

    private static Run train(TrainingConfig config, double initialLossScale, int sequences) {
        return train(config, initialLossScale, sequences, Integer.MAX_VALUE);
    }

    /** @param stopAfterCheckpoints how many checkpoints the run writes before it is interrupted */
    private static Run train(TrainingConfig config, double initialLossScale, int sequences, int stopAfterCheckpoints) {
        List<TrainingEvent> events = new ArrayList<>();
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(Golden.dir("llama"));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel fp32 = new DecoderModel(weights, 64);
             DecoderModel model = config.fp16() ? fp32.withFp16Products() : fp32;
             LoraWeights lora = config.lora().map(l -> LoraWeights.initialise(weights.config(), l, config.seed(), manager)).orElse(null)) {
            try {
                TrainingLoop.sft(model, lora, config, "run").initialLossScale(initialLossScale)
                        .run(TrainingLoopTest.data(sequences, 1), List.of(), event -> {
                            events.add(event);
                            if (events.stream().filter(e -> e instanceof TrainingEvent.Checkpoint).count() == stopAfterCheckpoints) {
                                throw new IllegalStateException("interrupted");
                            }
                        });
            } catch (IllegalStateException e) {
                assertThat(e).hasMessage("interrupted");
            }
            return new Run(lora == null ? Map.of() : lora.toTensors(), events, weights.floats(FIRST_PROJECTION));
        }
    }

    @Test
    void fp16ProductsTrainLikeFp32() {
        TrainingConfig.Builder config = TrainingLoopTest.config().epochs(4);
        Run fp32 = train(config.build(), 1);
        Run fp16 = train(config.fp16(true).build(), LossScaler.INITIAL_SCALE);
        List<Double> a = fp32.losses();
        List<Double> b = fp16.losses();
        assertThat(b).hasSameSizeAs(a);
        assertThat(b.get(b.size() - 1)).isLessThan(b.get(0) * 0.8);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i)).as("step %d", i + 1).isCloseTo(a.get(i), org.assertj.core.api.Assertions.within(0.01 * a.get(i)));
        }
        assertThat(fp16.adapter.get("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"))
                .as("fp16 products change the result").isNotEqualTo(fp32.adapter.get("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
    }

    @Test
    void fullFineTuningWithFp16ProductsTrainsTheProjections() {
        TrainingConfig.Builder config = TrainingLoopTest.config().fullFineTune().learningRate(1e-3).epochs(2);
        Run fp32 = train(config.build(), 1);
        Run fp16 = train(config.fp16(true).build(), LossScaler.INITIAL_SCALE);
        float[] before;
        try (Checkpoint original = Checkpoint.open(Golden.dir("llama"))) {
            before = original.readFloats(FIRST_PROJECTION);
        }
        assertThat(fp16.firstProjection).as("the fp16 cast of a trained weight passes its gradient on").isNotEqualTo(before);
        double moved16 = 0;
        double moved32 = 0;
        for (int i = 0; i < before.length; i++) {
            moved16 += Math.abs(fp16.firstProjection[i] - before[i]);
            moved32 += Math.abs(fp32.firstProjection[i] - before[i]);
        }
        assertThat(moved16).isCloseTo(moved32, org.assertj.core.api.Assertions.within(0.05 * moved32));
        List<Double> a = fp32.losses();
        List<Double> b = fp16.losses();
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i)).as("step %d", i + 1).isCloseTo(a.get(i), org.assertj.core.api.Assertions.within(0.01 * a.get(i)));
        }
    }

    @Test
    void overflowingGradientsHalveTheScaleAndSkipTheStepWithoutStoppingTheRun() {
        Path dir = temp.resolve("ckpt");
        TrainingConfig config = TrainingLoopTest.config().epochs(3).fp16(true).checkpointDir(dir).checkpointEverySteps(1)
                .maxNonFiniteSteps(2).build();
        // 2^40 overflows fp16 (largest value 65504) at once; each skipped step halves it
        Run run = train(config, Math.pow(2, 40), 64);
        assertThat(run.events.get(run.events.size() - 1)).isInstanceOf(TrainingEvent.Finished.class);
        assertThat(run.events).noneMatch(e -> e instanceof TrainingEvent.StepSkipped);
        CheckpointStore.Loaded last = new CheckpointStore(dir).latest().orElseThrow();
        LossScaler scaler = last.state().lossScaler();
        assertThat(last.state().skippedSteps()).isGreaterThan(2);
        assertThat(scaler.scale()).isEqualTo(Math.pow(2, 40 - last.state().skippedSteps()));
        assertThat(run.losses()).allMatch(Double::isFinite);
    }

    @Test
    void aResumedRunGoesOnWithTheSavedLossScaleAndGivesTheSameAdapter() {
        TrainingConfig.Builder config = TrainingLoopTest.config().epochs(2).fp16(true).checkpointEverySteps(1);
        Run uninterrupted = train(config.checkpointDir(temp.resolve("whole")).build(), Math.pow(2, 30), 64);
        Path resumed = temp.resolve("resumed");
        train(config.checkpointDir(resumed).build(), Math.pow(2, 30), 64, 3);
        TrainerState interrupted = new CheckpointStore(resumed).latest().orElseThrow().state();
        assertThat(interrupted.skippedSteps()).as("the scale fell before the interruption").isPositive();
        assertThat(interrupted.lossScaler().scale()).isEqualTo(Math.pow(2, 30 - interrupted.skippedSteps()));
        Run second = train(config.checkpointDir(resumed).build(), Math.pow(2, 30), 64);
        assertThat(second.events).first().isInstanceOfSatisfying(TrainingEvent.Started.class,
                started -> assertThat(started.resumedFromStep()).isEqualTo(interrupted.step()));
        uninterrupted.adapter.forEach((name, values) -> assertThat(second.adapter.get(name)).as(name).containsExactly(values));
    }
}
