package io.kefu.engine.djl.merge;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.format.SafetensorsFile;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.FullSequenceLogits;
import io.kefu.engine.djl.model.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merged weights give the logits PyTorch computes for base + adapter; sharding and dtypes are kept. */
class AdapterMergerTest {
    @TempDir
    Path temp;

    @Test
    void mergedLogitsEqualBasePlusAdapterInFp32AndShardsAreWrittenWhenLarge() throws IOException {
        Path base = Golden.dir("llama");
        PeftAdapter adapter = PeftAdapter.load(base);
        Path out = temp.resolve("merged");
        try (NDManager manager = Torch.newManager(); Checkpoint checkpoint = Checkpoint.open(base)) {
            // a small shard limit forces several shards
            AdapterMerger.writeWeights(checkpoint, adapter, out, Dtype.F32, 100_000, manager);
        }
        Files.copy(base.resolve("config.json"), out.resolve("config.json"));
        assertThat(out.resolve("model.safetensors.index.json")).exists();
        try (NDManager manager = Torch.newManager();
             Checkpoint merged = Checkpoint.open(out);
             SafetensorsFile golden = SafetensorsFile.open(base.resolve("logits.safetensors"));
             DecoderWeights weights = DecoderWeights.load(merged, manager);
             DecoderModel model = new DecoderModel(weights, 64)) {
            assertThat(merged.files()).hasSizeGreaterThan(1);
            assertThat(merged.tensor("model.layers.0.self_attn.q_proj.weight").dtype()).isEqualTo(Dtype.F32);
            for (int i = 0; golden.contains("ids." + i); i++) {
                long[] ids = golden.readLongs("ids." + i);
                float[] expected = golden.readFloats("lora_logits." + i);
                float[] actual = FullSequenceLogits.of(manager, model, null, ids);
                assertThat(FullSequenceLogits.maxAbsDiff(actual, expected)).as("sequence %d", i).isLessThan(1e-4f);
            }
        }
    }

    @Test
    void keepsTheBaseDtypeByDefault() {
        Path base = Golden.dir("llama");
        Path out = temp.resolve("bf16");
        try (NDManager manager = Torch.newManager(); Checkpoint checkpoint = Checkpoint.open(base)) {
            AdapterMerger.writeWeights(checkpoint, PeftAdapter.load(base), out, null, 1L << 30, manager);
        }
        try (SafetensorsFile merged = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertThat(merged.tensor("model.layers.1.mlp.down_proj.weight").dtype()).isEqualTo(Dtype.BF16);
        }
    }
}
