package io.kefu.engine.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.Golden;
import io.kefu.engine.djl.torch.GradMode;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.format.SafetensorsFile;
import io.kefu.train.PreferenceLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The preference losses and their gradients with respect to the LoRA matrices equal PyTorch autograd
 * over the formulas (scripts/golden/preference_loss.py), with the reference computed by switching the
 * LoRA delta off.
 */
class PreferenceLossGoldenTest {
    @Test
    void lossesAndLoraGradientsMatchPyTorch() throws Exception {
        Path dir = Golden.dir("llama").resolveSibling("preference");
        JsonNode spec = new ObjectMapper().readTree(Files.readString(dir.resolve("pairs.json")));
        List<PreferencePair> pairs = new ArrayList<>();
        for (JsonNode pair : spec.get("pairs")) {
            pairs.add(new PreferencePair(sequence(pair.get(0)), sequence(pair.get(1))));
        }
        Path fixture = Golden.dir("llama");
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(fixture);
             SafetensorsFile expected = SafetensorsFile.open(dir.resolve("expected.safetensors"));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64);
             LoraWeights lora = LoraWeights.of(weights.config(), PeftAdapter.load(fixture), manager)) {
            List<TokenSequence> sequences = new ArrayList<>();
            pairs.forEach(p -> {
                sequences.add(p.chosen());
                sequences.add(p.rejected());
            });
            double[] reference = Training.logProbs(model, null, sequences, 4);
            double[] policy = Training.logProbs(model, lora, sequences, 4);
            List<PreferencePair> withReference = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                assertThat(reference[2 * i]).isCloseTo(expected.readFloats("ref." + i + ".chosen")[0], within(1e-4));
                assertThat(reference[2 * i + 1]).isCloseTo(expected.readFloats("ref." + i + ".rejected")[0], within(1e-4));
                assertThat(policy[2 * i]).isCloseTo(expected.readFloats("policy." + i + ".chosen")[0], within(1e-4));
                assertThat(policy[2 * i + 1]).isCloseTo(expected.readFloats("policy." + i + ".rejected")[0], within(1e-4));
                assertThat(Math.abs(policy[2 * i] - reference[2 * i])).as("the adapter moves the log-probabilities").isGreaterThan(0.05);
                withReference.add(pairs.get(i).withReference(reference[2 * i], reference[2 * i + 1]));
            }
            List<NDArray> params = lora.parameters();
            params.forEach(p -> p.setRequiresGradient(true));
            int k = 0;
            for (JsonNode c : spec.get("cases")) {
                String label = "case " + k + " " + c;
                PreferenceMath math = new PreferenceMath(PreferenceLoss.valueOf(c.get("loss").asText().toUpperCase(Locale.ROOT)),
                        c.get("beta").asDouble(), c.get("label_smoothing").asDouble(), c.get("ftx").asDouble(), c.get("gamma").asDouble());
                PreferenceObjective objective = new PreferenceObjective(math);
                float scale = 1f / pairs.size();
                double loss = 0;
                // two micro-batches of different sizes accumulate into one gradient, as a training step does
                try (GradMode on = GradMode.on(); GradientCollector collector = Torch.engine().newGradientCollector();
                     NDManager step = manager.newSubManager()) {
                    loss += objective.backward(model, lora, step, withReference.subList(0, 2), scale, false);
                    loss += objective.backward(model, lora, step, withReference.subList(2, 3), scale, false);
                }
                assertThat(loss / pairs.size()).as(label).isCloseTo(expected.readFloats("case" + k + ".loss")[0], within(2e-5));
                for (NDArray p : params) {
                    float[] e = expected.readFloats("case" + k + "." + p.getName());
                    float[] h = p.getGradient().toFloatArray();
                    double largest = 0;
                    for (float v : e) {
                        largest = Math.max(largest, Math.abs(v));
                    }
                    assertThat(largest).as("%s %s", label, p.getName()).isGreaterThan(0);
                    for (int i = 0; i < e.length; i++) {
                        assertThat(h[i]).as("%s %s[%d]", label, p.getName(), i).isCloseTo(e[i], within((float) (1e-4 * largest)));
                    }
                    JniUtils.zeroGrad((PtNDArray) p);
                }
                k++;
            }
            assertThat(k).isEqualTo(4);
        }
    }

    private static TokenSequence sequence(JsonNode node) {
        int[] ids = new int[node.get("ids").size()];
        int[] labels = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = node.get("ids").get(i).asInt();
            labels[i] = node.get("labels").get(i).asInt();
        }
        return new TokenSequence(ids, labels);
    }
}
