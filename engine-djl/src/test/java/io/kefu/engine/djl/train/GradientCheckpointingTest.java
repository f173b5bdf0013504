package io.kefu.engine.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.Golden;
import io.kefu.engine.djl.torch.GradMode;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.train.LoraConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With LoRA dropout on, a checkpointed layer recomputed in backward draws the dropout masks of its first pass. */
class GradientCheckpointingTest {
    @Test
    void loraGradientsWithDropoutAreThoseOfTheUncheckpointedPass() {
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(Golden.dir("llama"));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64)) {
            Map<String, float[]> tensors = new LinkedHashMap<>();
            PeftAdapter.load(Golden.dir("llama")).tensors().forEach((name, t) -> tensors.put(name, t.data()));
            LoraConfig config = LoraConfig.builder().rank(4).alpha(8).dropout(0.3).targets(LoraConfig.ALL_LINEAR).build();
            try (LoraWeights lora = LoraWeights.of(weights.config(), config, tensors, manager)) {
                List<TokenSequence> data = TrainingLoopTest.data(4, 3);
                Map<String, float[]> plain = gradients(manager, model, lora, data, false);
                Map<String, float[]> checkpointed = gradients(manager, model, lora, data, true);
                Map<String, float[]> otherMasks = gradients(manager, model, lora, data, false, 8);
                for (String name : plain.keySet()) {
                    float[] p = plain.get(name);
                    float[] c = checkpointed.get(name);
                    float largest = 0;
                    for (float v : p) {
                        largest = Math.max(largest, Math.abs(v));
                    }
                    assertThat(largest).as(name).isGreaterThan(0);
                    for (int i = 0; i < p.length; i++) {
                        assertThat(c[i]).as("%s[%d]", name, i).isCloseTo(p[i], within(1e-5f * largest));
                    }
                }
                String first = plain.keySet().iterator().next();
                assertThat(otherMasks.get(first)).as("another seed draws other dropout masks").isNotEqualTo(plain.get(first));
            }
        }
    }

    private static Map<String, float[]> gradients(NDManager manager, DecoderModel model, LoraWeights lora, List<TokenSequence> data,
                                                  boolean checkpointing) {
        return gradients(manager, model, lora, data, checkpointing, 7);
    }

    private static Map<String, float[]> gradients(NDManager manager, DecoderModel model, LoraWeights lora, List<TokenSequence> data,
                                                  boolean checkpointing, int seed) {
        List<NDArray> params = lora.parameters();
        params.forEach(p -> p.setRequiresGradient(true));
        try (NDManager step = manager.newSubManager()) {
            CausalLmLoss.Batch batch = CausalLmLoss.batch(step, data);
            Torch.engine().setRandomSeed(seed);
            try (GradMode on = GradMode.on(); GradientCollector collector = Torch.engine().newGradientCollector()) {
                CausalLmLoss.backward(model, lora, batch, 1f / batch.trainedTokens(), checkpointing);
            }
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        try (GradMode off = GradMode.off()) {
            for (NDArray p : params) {
                out.put(p.getName(), p.getGradient().toFloatArray());
                JniUtils.zeroGrad((PtNDArray) p);
                p.setRequiresGradient(false);
            }
        }
        return out;
    }
}
