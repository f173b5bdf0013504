package io.kefu.engine.djl.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kefu.core.format.Checkpoint;
import io.kefu.core.format.SafetensorsFile;
import io.kefu.engine.djl.Torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Logits of tiny random checkpoints agree with PyTorch running transformers' architectures. */
class DecoderModelParityTest {
    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void logitsMatchTorchReference(String name) {
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(Golden.dir(name));
             SafetensorsFile golden = SafetensorsFile.open(Golden.dir(name).resolve("logits.safetensors"));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64)) {
            for (int i = 0; golden.contains("ids." + i); i++) {
                long[] ids = golden.readLongs("ids." + i);
                float[] expected = golden.readFloats("logits." + i);
                float[] actual = forward(manager, model, ids);
                assertThat(actual).hasSameSizeAs(expected);
                assertThat(maxAbsDiff(actual, expected)).as("%s sequence %d", name, i).isLessThan(1e-4f);
            }
        }
    }

    static float[] forward(NDManager manager, DecoderModel model, long[] ids) {
        try (NDManager step = manager.newSubManager()) {
            int t = ids.length;
            NDArray input = step.create(ids, new Shape(1, t));
            long[] pos = new long[t];
            for (int i = 0; i < t; i++) {
                pos[i] = i;
            }
            NDArray positions = step.create(pos, new Shape(1, t));
            NDArray mask = Masks.causal(step, t);
            NDArray hidden = model.hidden(input, positions, mask, null, null, false);
            return model.logits(hidden).toFloatArray();
        }
    }

    static float maxAbsDiff(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
