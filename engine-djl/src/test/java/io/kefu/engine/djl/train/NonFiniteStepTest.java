package io.kefu.engine.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kefu.KefuException;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.Golden;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingEvent;
import io.kefu.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A NaN in a training step never reaches a weight, a checkpoint or the optimiser state. */
class NonFiniteStepTest {
    @TempDir
    Path temp;

    /** Runs LoRA training; the hook sees every event together with the first LoRA parameter. */
    private static List<TrainingEvent> train(TrainingConfig config, BiConsumer<TrainingEvent, NDArray> hook,
                                             List<Map<String, float[]>> adapterOut) {
        List<TrainingEvent> events = new ArrayList<>();
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(Golden.dir("llama"));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64);
             LoraWeights lora = LoraWeights.initialise(weights.config(), config.lora().get(), config.seed(), manager)) {
            NDArray first = lora.parameters().get(0);
            TrainingListener listener = event -> {
                events.add(event);
                hook.accept(event, first);
            };
            try {
                TrainingLoop.sft(model, lora, config, "run").run(TrainingLoopTest.data(32, 1), List.of(), listener);
            } finally {
                adapterOut.add(lora.toTensors());
            }
        }
        return events;
    }

    private static void poison(NDArray parameter) {
        float[] values = parameter.toFloatArray();
        values[0] = Float.NaN;
        parameter.set(values);
    }

    @Test
    void aNonFiniteStepIsSkippedAndTheRunGoesOn() {
        float[][] saved = new float[1][];
        List<Map<String, float[]>> adapter = new ArrayList<>();
        List<TrainingEvent> events = train(TrainingLoopTest.config().epochs(1).build(), (event, p) -> {
            if (event instanceof TrainingEvent.Step s && s.step() == 1) {
                saved[0] = p.toFloatArray();
                poison(p);
            } else if (event instanceof TrainingEvent.StepSkipped) {
                p.set(saved[0]);
            }
        }, adapter);

        List<TrainingEvent.StepSkipped> skipped = events.stream()
                .filter(e -> e instanceof TrainingEvent.StepSkipped).map(e -> (TrainingEvent.StepSkipped) e).toList();
        assertThat(skipped).hasSize(1);
        assertThat(skipped.get(0).step()).isEqualTo(2);
        assertThat(skipped.get(0).inARow()).isEqualTo(1);
        assertThat(Double.isFinite(skipped.get(0).loss()) && Double.isFinite(skipped.get(0).gradNorm())).isFalse();
        assertThat(events.get(events.size() - 1)).isInstanceOf(TrainingEvent.Finished.class);
        assertThat(events).filteredOn(e -> e instanceof TrainingEvent.Step)
                .allMatch(e -> Double.isFinite(((TrainingEvent.Step) e).loss()));
        // the skipped step left the restored weight as it was: nothing non-finite reached the adapter
        adapter.get(0).values().forEach(v -> {
            for (float x : v) {
                assertThat(Float.isFinite(x)).isTrue();
            }
        });
    }

    @Test
    void nonFiniteStepsInARowStopTheRunAndKeepTheLastGoodCheckpoint() {
        Path dir = temp.resolve("ckpt");
        TrainingConfig config = TrainingLoopTest.config().epochs(1).checkpointDir(dir).checkpointEverySteps(1)
                .maxNonFiniteSteps(2).build();
        List<Map<String, float[]>> adapter = new ArrayList<>();
        List<TrainingEvent> events = new ArrayList<>();

        assertThatThrownBy(() -> events.addAll(train(config, (event, p) -> {
            if (event instanceof TrainingEvent.Checkpoint c && c.step() == 2) {
                poison(p);
            }
        }, adapter)))
                .isInstanceOf(KefuException.class)
                .hasMessageContaining("training stopped at step 4")
                .hasMessageContaining("2 steps in a row had a non-finite loss or gradient norm")
                .hasMessageContaining("last good checkpoint");

        CheckpointStore.Loaded last = new CheckpointStore(dir).latest().orElseThrow();
        assertThat(last.state().step()).isEqualTo(2);
        assertThat(last.state().skippedSteps()).isZero();
        for (Map<String, float[]> tensors : List.of(last.trainable(), last.optimizer())) {
            tensors.values().forEach(v -> {
                for (float x : v) {
                    assertThat(Float.isFinite(x)).isTrue();
                }
            });
        }
    }
}
