package io.kefu.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.KefuException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointCastTest {
    @TempDir
    Path dir;

    private Path fp32Checkpoint() throws Exception {
        Path source = dir.resolve("fp32");
        Files.createDirectories(source);
        Files.writeString(source.resolve("config.json"), "{\"model_type\":\"llama\",\"architectures\":[\"LlamaForCausalLM\"],"
                + "\"hidden_size\":2,\"intermediate_size\":4,\"num_hidden_layers\":1,\"num_attention_heads\":1,"
                + "\"num_key_value_heads\":1,\"vocab_size\":2,\"rms_norm_eps\":1e-6,\"max_position_embeddings\":8,"
                + "\"custom_key\":[1,2],\"torch_dtype\":\"float32\"}");
        Files.writeString(source.resolve("tokenizer.json"), "{\"tok\":1}");
        SafetensorsWriter.write(source.resolve(Checkpoint.SINGLE_FILE), Map.of("format", "pt"),
                List.of(new TensorSpec("w", Dtype.F32, new long[] {2, 2})),
                Map.of("w", new float[] {1.00390625f, -2.5f, 3e-3f, 1e30f}));
        return source;
    }

    @Test
    void storesFloatsInTheNewTypeAndKeepsEverythingElse() throws Exception {
        Path source = fp32Checkpoint();
        Path out = dir.resolve("bf16");
        CheckpointCast.cast(source, Dtype.BF16, out);
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve(Checkpoint.SINGLE_FILE))) {
            assertThat(f.tensor("w").dtype()).isEqualTo(Dtype.BF16);
            float[] expected = {1.00390625f, -2.5f, 3e-3f, 1e30f};
            float[] actual = f.readFloats("w");
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).isEqualTo(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(expected[i])));
            }
        }
        String config = Files.readString(out.resolve("config.json"));
        assertThat(config).contains("\"torch_dtype\" : \"bfloat16\"").contains("\"custom_key\"");
        assertThat(Files.readString(out.resolve("tokenizer.json"))).isEqualTo("{\"tok\":1}");
    }

    @Test
    void refusesANonEmptyTargetAndLeavesItAsItWas() throws Exception {
        Path source = fp32Checkpoint();
        Path out = dir.resolve("taken");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertThatThrownBy(() -> CheckpointCast.cast(source, Dtype.F16, out))
                .isInstanceOf(KefuException.class).hasMessageContaining("not empty");
        assertThat(Files.list(out).toList()).containsExactly(out.resolve("keep.txt"));
    }

    @Test
    void refusesIntegerTargets() throws Exception {
        Path source = fp32Checkpoint();
        assertThatThrownBy(() -> CheckpointCast.cast(source, Dtype.I8, dir.resolve("x")))
                .isInstanceOf(KefuException.class).hasMessageContaining("use F32, F16 or BF16");
        assertThat(dir.resolve("x")).doesNotExist();
    }
}
