package io.kefu.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    static final String TINY_QWEN2 = "{\"architectures\":[\"Qwen2ForCausalLM\"],\"hidden_size\":32,"
            + "\"intermediate_size\":48,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,"
            + "\"vocab_size\":50,\"eos_token_id\":7}";

    @TempDir
    Path dir;

    /** Writes a random checkpoint for the config and returns the values written, by name. */
    static Map<String, float[]> writeRandom(Path dir, String configJson, long maxShardBytes, Dtype dtype) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), configJson);
        DecoderLayout layout = DecoderLayout.of(HfModelConfig.parse(configJson, "config.json"));
        SplittableRandom random = new SplittableRandom(1);
        Map<String, float[]> values = new java.util.HashMap<>();
        try (CheckpointWriter w = CheckpointWriter.create(dir, layout.specs(dtype), maxShardBytes, Map.of("format", "pt"))) {
            for (TensorSpec spec : layout.specs(dtype)) {
                float[] v = new float[(int) spec.elementCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) random.nextGaussian();
                }
                w.write(spec.name(), v);
                values.put(spec.name(), v);
            }
            w.finish();
        }
        return values;
    }

    @Test
    void readsSingleFileCheckpoint() throws Exception {
        Map<String, float[]> values = writeRandom(dir, TINY_QWEN2, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES, Dtype.F32);
        assertThat(dir.resolve("model.safetensors")).exists();
        assertThat(dir.resolve(Checkpoint.INDEX_FILE)).doesNotExist();
        try (Checkpoint c = Checkpoint.open(dir)) {
            c.validateLayout();
            assertThat(c.config().architecture()).isEqualTo(Architecture.QWEN2);
            assertThat(c.tensorNames()).contains("model.layers.1.self_attn.k_proj.bias", "lm_head.weight")
                    .doesNotContain("model.layers.0.self_attn.o_proj.bias");
            assertThat(c.readFloats("model.layers.1.mlp.down_proj.weight", 32, 48))
                    .containsExactly(values.get("model.layers.1.mlp.down_proj.weight"));
            assertThat(c.generationConfig()).isEmpty();
        }
    }

    @Test
    void writesAndReadsShardedCheckpointLikeTransformers() throws Exception {
        Map<String, float[]> values = writeRandom(dir, TINY_QWEN2, 6_000, Dtype.BF16);
        JsonNode index = new ObjectMapper().readTree(dir.resolve(Checkpoint.INDEX_FILE).toFile());
        long total = values.values().stream().mapToLong(v -> v.length * 2L).sum();
        assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(total);
        List<String> shards;
        try (Stream<Path> files = Files.list(dir)) {
            shards = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors")).sorted().toList();
        }
        assertThat(shards).hasSizeGreaterThan(2).allMatch(n -> n.matches("model-\\d{5}-of-\\d{5}\\.safetensors"));
        assertThat(shards.get(0)).isEqualTo("model-00001-of-" + String.format("%05d", shards.size()) + ".safetensors");
        try (Checkpoint c = Checkpoint.open(dir)) {
            c.validateLayout();
            assertThat(c.files()).hasSize(shards.size());
            float[] expected = values.get("model.embed_tokens.weight");
            float[] actual = c.readFloats("model.embed_tokens.weight");
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).isEqualTo(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(expected[i])));
            }
            assertThat(c.tensor("lm_head.weight").dtype()).isEqualTo(Dtype.BF16);
        }
    }

    @Test
    void refusesPickleCheckpointsWithAConversionHint() throws Exception {
        Files.writeString(dir.resolve("config.json"), TINY_QWEN2);
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("pytorch_model.bin").hasMessageContaining("execute arbitrary code")
                .hasMessageContaining("safe_serialization=True");
    }

    @Test
    void namesMissingAndMisshapenTensors() throws Exception {
        writeRandom(dir, TINY_QWEN2, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES, Dtype.F32);
        String wider = TINY_QWEN2.replace("\"intermediate_size\":48", "\"intermediate_size\":64");
        Files.writeString(dir.resolve("config.json"), wider);
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThatThrownBy(c::validateLayout)
                    .hasMessageContaining("'model.layers.0.mlp.gate_proj.weight' has shape [48, 32]")
                    .hasMessageContaining("[64, 32]");
            assertThatThrownBy(() -> c.readFloats("model.layers.9.self_attn.q_proj.weight"))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                    .hasMessageContaining("no tensor 'model.layers.9.self_attn.q_proj.weight'");
        }
    }

    @Test
    void refusesIndexThatPointsAtMissingShardOrTensor() throws Exception {
        writeRandom(dir, TINY_QWEN2, 20_000, Dtype.F32);
        Path index = dir.resolve(Checkpoint.INDEX_FILE);
        String text = Files.readString(index);
        Files.writeString(index, text.replace("\"model.norm.weight\" : \"", "\"model.norm.weight\" : \"x-"));
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("'model.norm.weight'")
                .hasMessageContaining("does not exist");
        Files.writeString(index, text.replace("\"model.norm.weight\"", "\"model.norm.weight2\""));
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("'model.norm.weight2'")
                .hasMessageContaining("that shard has no such tensor");
    }

    @Test
    void abandonedCheckpointWriterLeavesNoShards() throws Exception {
        HfModelConfig config = HfModelConfig.parse(TINY_QWEN2, "c");
        List<TensorSpec> specs = DecoderLayout.of(config).specs(Dtype.F32);
        try (CheckpointWriter w = CheckpointWriter.create(dir, specs, 10_000, Map.of())) {
            w.write(specs.get(0).name(), new float[(int) specs.get(0).elementCount()]);
            w.write(specs.get(1).name(), new float[(int) specs.get(1).elementCount()]);
            assertThatThrownBy(w::finish).hasMessageContaining("checkpoint is incomplete");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void layoutCountsLlama3ParametersAsPublished() {
        HfModelConfig c = HfModelConfig.load(HfModelConfigTest.RESOURCES.resolve("llama3-8b-config.json"));
        assertThat(DecoderLayout.of(c).parameterCount()).isEqualTo(8_030_261_248L);
    }

    @Test
    void copiesACheckpointTensorByTensorIntoNewShards() throws Exception {
        Path source = dir.resolve("source");
        writeRandom(source, TINY_QWEN2, 6_000, Dtype.BF16);
        Path copy = dir.resolve("copy");
        try (Checkpoint c = Checkpoint.open(source)) {
            List<TensorSpec> specs = c.tensorSpecs();
            assertThat(specs).hasSize(c.tensorNames().size());
            try (CheckpointWriter w = CheckpointWriter.create(copy, specs, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES, Map.of("format", "pt"))) {
                for (TensorSpec spec : specs) {
                    w.copyTensor(c.fileOf(spec.name()), spec.name());
                }
                w.finish();
            }
            Files.writeString(copy.resolve("config.json"), TINY_QWEN2);
            try (Checkpoint d = Checkpoint.open(copy)) {
                assertThat(d.files()).hasSize(1);
                for (String name : c.tensorNames()) {
                    assertThat(d.readFloats(name)).isEqualTo(c.readFloats(name));
                    assertThat(d.tensor(name).dtype()).isEqualTo(Dtype.BF16);
                }
            }
        }
    }
}
