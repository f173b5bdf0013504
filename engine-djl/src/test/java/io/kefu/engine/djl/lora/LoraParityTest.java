package io.kefu.engine.djl.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.format.SafetensorsFile;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.FullSequenceLogits;
import io.kefu.engine.djl.model.Golden;
import io.kefu.train.LoraConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A PEFT adapter written elsewhere (by the reference script, with PEFT's names and config) changes logits as PyTorch says. */
class LoraParityTest {
    @Test
    void adapterLogitsMatchTorchReference() {
        Path dir = Golden.dir("llama");
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(dir);
             SafetensorsFile golden = SafetensorsFile.open(dir.resolve("logits.safetensors"));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64)) {
            PeftAdapter adapter = PeftAdapter.load(dir);
            assertThat(adapter.config()).isEqualTo(LoraConfig.builder().rank(4).alpha(8).targets(LoraConfig.ALL_LINEAR).build());
            try (LoraWeights lora = LoraWeights.of(weights.config(), adapter, manager)) {
                // r * (in + out) per module: q, o, gate, up, down 4 * 192, k and v 4 * 128; two layers
                assertThat(lora.parameterCount()).isEqualTo(2 * (5 * 768 + 2 * 512));
                for (int i = 0; golden.contains("ids." + i); i++) {
                    long[] ids = golden.readLongs("ids." + i);
                    float[] expected = golden.readFloats("lora_logits." + i);
                    float[] base = golden.readFloats("logits." + i);
                    float[] actual = FullSequenceLogits.of(manager, model, lora, ids);
                    assertThat(FullSequenceLogits.maxAbsDiff(actual, base)).as("the adapter changes the logits").isGreaterThan(1e-2f);
                    assertThat(FullSequenceLogits.maxAbsDiff(actual, expected)).as("sequence %d", i).isLessThan(1e-4f);
                }
            }
        }
    }
}
