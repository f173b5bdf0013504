package io.kefu.engine.djl.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.SafetensorsFile;
import io.kefu.engine.djl.torch.Torch;
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
                float[] actual = FullSequenceLogits.of(manager, model, null, ids);
                assertThat(actual).hasSameSizeAs(expected);
                assertThat(FullSequenceLogits.maxAbsDiff(actual, expected)).as("%s sequence %d", name, i).isLessThan(1e-4f);
            }
        }
    }
}
