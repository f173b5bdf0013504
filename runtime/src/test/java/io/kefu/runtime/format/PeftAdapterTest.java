package io.kefu.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.train.LoraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEFT layout, checked against adapters written by scripts/golden/peft_adapter.py with PEFT's names and shapes. */
class PeftAdapterTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/peft");
    static final Path FP32 = GOLDEN.resolve("llama-qv-r4-fp32");
    static final Path BF16 = GOLDEN.resolve("llama-all-linear-r2-bf16");
    static final HfModelConfig TINY_LLAMA = HfModelConfig.parse("{\"architectures\":[\"LlamaForCausalLM\"],"
            + "\"hidden_size\":64,\"intermediate_size\":96,\"num_hidden_layers\":2,\"num_attention_heads\":4,"
            + "\"num_key_value_heads\":2,\"vocab_size\":100}", "tiny");

    @TempDir
    Path dir;

    @Test
    void loadsPeftFp32AdapterWithItsConfig() throws Exception {
        PeftAdapter a = PeftAdapter.load(FP32);
        assertThat(a.config()).isEqualTo(LoraConfig.builder().rank(4).alpha(8).dropout(0.1).targets("q_proj", "v_proj").build());
        assertThat(a.baseModel()).isEqualTo("kefu-tiny-llama");
        assertThat(a.tensorNames()).hasSize(8).contains("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
        assertThat(a.layers()).containsExactly(0, 1);
        assertThat(a.adapts(0, "q_proj")).isTrue();
        assertThat(a.adapts(0, "k_proj")).isFalse();
        assertMatchesExpected(a, FP32);
        a.validateAgainst(TINY_LLAMA);
    }

    @Test
    void loadsPeftBf16AllLinearAdapter() throws Exception {
        PeftAdapter a = PeftAdapter.load(BF16);
        assertThat(a.config().rank()).isEqualTo(2);
        assertThat(a.config().targets()).isEqualTo(LoraConfig.LINEAR_MODULES);
        assertThat(a.config().scale()).isEqualTo(8.0);
        assertThat(a.tensor(PeftAdapter.loraAName(1, "down_proj")).shape()).containsExactly(2, 96);
        assertThat(a.tensor(PeftAdapter.loraBName(1, "gate_proj")).shape()).containsExactly(96, 2);
        assertMatchesExpected(a, BF16);
        a.validateAgainst(TINY_LLAMA);
    }

    @Test
    void saveReproducesPeftFilesByteForByte() throws Exception {
        PeftAdapter.load(FP32).save(dir.resolve("fp32"));
        assertSameFiles(dir.resolve("fp32"), FP32);
        PeftAdapter.load(BF16).save(dir.resolve("bf16"), Dtype.BF16);
        assertSameFiles(dir.resolve("bf16"), BF16);
    }

    @Test
    void roundTripIsByteStable() throws Exception {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        tensors.put(PeftAdapter.loraBName(0, "o_proj"), FloatTensor.matrix(64, 3, ramp(192, 0.01f)));
        tensors.put(PeftAdapter.loraAName(0, "o_proj"), FloatTensor.matrix(3, 64, ramp(192, -0.02f)));
        LoraConfig config = LoraConfig.builder().rank(3).alpha(6).dropout(0.05).targets("o_proj").rsLora(true).build();
        PeftAdapter a = PeftAdapter.of(config, "Qwen/Qwen2.5-0.5B-Instruct", tensors);
        a.save(dir.resolve("a"));
        PeftAdapter b = PeftAdapter.load(dir.resolve("a"));
        assertThat(b.config()).isEqualTo(config);
        assertThat(b.tensors()).isEqualTo(a.tensors());
        b.save(dir.resolve("b"));
        assertSameFiles(dir.resolve("b"), dir.resolve("a"));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("a/adapter_config.json").toFile());
        assertThat(json.get("peft_type").asText()).isEqualTo("LORA");
        assertThat(json.get("task_type").asText()).isEqualTo("CAUSAL_LM");
        assertThat(json.get("use_rslora").asBoolean()).isTrue();
        assertThat(json.get("lora_alpha").isIntegralNumber()).isTrue();
        assertThat(json.get("lora_dropout").asDouble()).isEqualTo(0.05);
        assertThat(json.get("inference_mode").asBoolean()).isTrue();
        assertThat(json.get("bias").asText()).isEqualTo("none");
        assertThat(json.get("base_model_name_or_path").asText()).isEqualTo("Qwen/Qwen2.5-0.5B-Instruct");
        try (Stream<Path> files = Files.list(dir.resolve("a"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    PeftAdapter.CONFIG_FILE, PeftAdapter.WEIGHTS_FILE);
        }
    }

    @Test
    void namesTensorsThatDoNotFitTheConfigOrTheBaseModel() throws Exception {
        LoraConfig config = LoraConfig.builder().rank(4).targets("q_proj").build();
        assertThatThrownBy(() -> PeftAdapter.of(config, "x", Map.of(
                PeftAdapter.loraAName(0, "q_proj"), FloatTensor.matrix(3, 64, new float[192]),
                PeftAdapter.loraBName(0, "q_proj"), FloatTensor.matrix(64, 4, new float[256]))))
                .hasMessageContaining("'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight' has shape [3, 64]")
                .hasMessageContaining("r=4");
        assertThatThrownBy(() -> PeftAdapter.of(config, "x", Map.of(
                PeftAdapter.loraAName(0, "q_proj"), FloatTensor.matrix(4, 64, new float[256]))))
                .hasMessageContaining("has no partner 'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight'");
        assertThatThrownBy(() -> PeftAdapter.of(config, "x", Map.of(
                "base_model.model.lm_head.lora_A.weight", FloatTensor.matrix(4, 64, new float[256]))))
                .hasMessageContaining("'base_model.model.lm_head.lora_A.weight' is not a LoRA weight of a decoder layer");
        HfModelConfig wider = HfModelConfig.parse(TINY_LLAMA.toJson().replace("\"hidden_size\" : 64", "\"hidden_size\" : 128"), "w");
        assertThatThrownBy(() -> PeftAdapter.load(FP32).validateAgainst(wider))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight' has shape [4, 64]")
                .hasMessageContaining("[4, 128]");
    }

    @Test
    void refusesPeftFeaturesItCannotApplyAndMissingFiles() throws Exception {
        copy(FP32, dir);
        Path config = dir.resolve(PeftAdapter.CONFIG_FILE);
        String text = Files.readString(config);
        Files.writeString(config, text.replace("\"use_dora\": false", "\"use_dora\": true"));
        assertThatThrownBy(() -> PeftAdapter.load(dir))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED))
                .hasMessageContaining("use_dora=true");
        Files.writeString(config, text.replace("\"r\": 4", "\"r\": 8"));
        assertThatThrownBy(() -> PeftAdapter.load(dir)).hasMessageContaining("adapter_model.safetensors")
                .hasMessageContaining("has shape [4, 64]; lora_A must be [r=8, in_features]");
        Files.writeString(config, text);
        Files.delete(dir.resolve(PeftAdapter.WEIGHTS_FILE));
        Files.write(dir.resolve("adapter_model.bin"), new byte[] {1});
        assertThatThrownBy(() -> PeftAdapter.load(dir)).hasMessageContaining("pickle");
        assertThatThrownBy(() -> PeftAdapter.load(dir.resolve("nowhere")))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void pythonFloatReprMatchesPython() {
        assertThat(PythonJson.pythonFloat(0.1)).isEqualTo("0.1");
        assertThat(PythonJson.pythonFloat(16.0)).isEqualTo("16.0");
        assertThat(PythonJson.pythonFloat(1e-5)).isEqualTo("1e-05");
        assertThat(PythonJson.pythonFloat(0.0005)).isEqualTo("0.0005");
        assertThat(PythonJson.pythonFloat(1e7)).isEqualTo("10000000.0");
        assertThat(PythonJson.pythonFloat(1.5e16)).isEqualTo("1.5e+16");
        assertThat(PythonJson.pythonFloat(0.0)).isEqualTo("0.0");
    }

    private static void assertMatchesExpected(PeftAdapter a, Path golden) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(golden.resolve("expected.json").toFile());
        assertThat(a.tensorNames()).hasSize(expected.size());
        for (Map.Entry<String, JsonNode> e : expected.properties()) {
            FloatTensor t = a.tensor(e.getKey());
            List<Long> shape = new java.util.ArrayList<>();
            e.getValue().get("shape").forEach(d -> shape.add(d.asLong()));
            assertThat(t.shape()).as(e.getKey()).containsExactly(shape.stream().mapToLong(Long::longValue).toArray());
            double sum = 0;
            for (float v : t.data()) {
                sum += v;
            }
            assertThat(sum).as(e.getKey()).isCloseTo(e.getValue().get("sum").asDouble(), Offset.offset(1e-9));
            for (int i = 0; i < 4; i++) {
                assertThat(t.data()[i]).isEqualTo((float) e.getValue().get("first").get(i).asDouble());
            }
        }
    }

    private static void assertSameFiles(Path actual, Path expected) throws Exception {
        for (String name : List.of(PeftAdapter.CONFIG_FILE, PeftAdapter.WEIGHTS_FILE)) {
            assertThat(Files.readAllBytes(actual.resolve(name))).as(name).isEqualTo(Files.readAllBytes(expected.resolve(name)));
        }
    }

    private static void copy(Path from, Path to) throws Exception {
        for (String name : List.of(PeftAdapter.CONFIG_FILE, PeftAdapter.WEIGHTS_FILE)) {
            Files.copy(from.resolve(name), to.resolve(name));
        }
    }

    private static float[] ramp(int n, float step) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * step;
        }
        return v;
    }
}
