package io.kefu.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class HfModelConfigTest {
    static final Path RESOURCES = Path.of("src/test/resources/io/kefu/runtime/format");

    @Test
    void parsesLlama3() {
        HfModelConfig c = HfModelConfig.load(RESOURCES.resolve("llama3-8b-config.json"));
        assertThat(c.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(c.hiddenSize()).isEqualTo(4096);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.kvDim()).isEqualTo(1024);
        assertThat(c.groupSize()).isEqualTo(4);
        assertThat(c.rmsNormEps()).isEqualTo(1e-5);
        assertThat(c.ropeTheta()).isEqualTo(500000.0);
        assertThat(c.ropeScaling()).isEmpty();
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.torchDtype()).contains(Dtype.BF16);
        assertThat(c.bosTokenId()).hasValue(128000);
        assertThat(c.eosTokenIds()).containsExactly(128001);
    }

    @Test
    void parsesLlama31RopeScalingAndEosList() {
        HfModelConfig c = HfModelConfig.load(RESOURCES.resolve("llama3.1-8b-instruct-config.json"));
        assertThat(c.ropeScaling()).contains(new RopeScaling("llama3", 8.0, 1.0, 4.0, 8192));
        assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
        // transformers: wavelen > 8192 -> /8, wavelen < 2048 -> kept, between -> smoothed
        double[] scaled = c.ropeScaling().get().scale(new double[] {1.0, 2 * Math.PI / 10000, 2 * Math.PI / 4096});
        assertThat(scaled[0]).isEqualTo(1.0);
        assertThat(scaled[1]).isCloseTo(2 * Math.PI / 10000 / 8, org.assertj.core.data.Offset.offset(1e-15));
        double smooth = (8192 / 4096.0 - 1) / (4 - 1);
        assertThat(scaled[2]).isCloseTo((1 - smooth) * (2 * Math.PI / 4096) / 8 + smooth * (2 * Math.PI / 4096),
                org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void qwen2HasQkvBiasAndQwen3DefaultsHeadDimTo128() {
        HfModelConfig q2 = HfModelConfig.load(RESOURCES.resolve("qwen2.5-7b-config.json"));
        assertThat(q2.architecture()).isEqualTo(Architecture.QWEN2);
        assertThat(q2.attentionBias()).isTrue();
        assertThat(q2.outputProjectionBias()).isFalse();
        assertThat(q2.headDim()).isEqualTo(128);
        HfModelConfig q3 = HfModelConfig.parse("{\"architectures\":[\"Qwen3ForCausalLM\"],\"hidden_size\":64,"
                + "\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,"
                + "\"vocab_size\":100,\"tie_word_embeddings\":true}", "q3.json");
        assertThat(q3.headDim()).isEqualTo(128);
        assertThat(q3.tieWordEmbeddings()).isTrue();
        assertThat(q3.attentionBias()).isFalse();
        assertThat(q3.maxPositionEmbeddings()).isEqualTo(32768);
        HfModelConfig llama = HfModelConfig.parse("{\"model_type\":\"llama\",\"hidden_size\":64,"
                + "\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100}", "l.json");
        assertThat(llama.headDim()).isEqualTo(16);
        assertThat(llama.numKeyValueHeads()).isEqualTo(4);
        assertThat(llama.rmsNormEps()).isEqualTo(1e-6);
        assertThat(llama.maxPositionEmbeddings()).isEqualTo(2048);
    }

    @Test
    void toJsonRoundTrips() {
        for (String name : List.of("llama3-8b-config.json", "llama3.1-8b-instruct-config.json", "qwen2.5-7b-config.json")) {
            HfModelConfig c = HfModelConfig.load(RESOURCES.resolve(name));
            assertThat(HfModelConfig.parse(c.toJson(), "again")).isEqualTo(c);
        }
    }

    @Test
    void refusesUnknownArchitectureAndBadValuesWithLocatedMessages() {
        assertThatThrownBy(() -> HfModelConfig.parse("{\"architectures\":[\"MistralForCausalLM\"]}", "m/config.json"))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("m/config.json").hasMessageContaining("MistralForCausalLM")
                .hasMessageContaining("LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM");
        assertThatThrownBy(() -> HfModelConfig.parse("{\"model_type\":\"llama\",\"hidden_size\":64}", "x.json"))
                .hasMessageContaining("x.json").hasMessageContaining("missing required key");
        assertThatThrownBy(() -> HfModelConfig.parse("{\"model_type\":\"llama\",\"hidden_size\":64,"
                + "\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":3,"
                + "\"vocab_size\":100}", "x.json"))
                .hasMessageContaining("x.json: num_attention_heads=4 is not a multiple of num_key_value_heads=3");
        assertThatThrownBy(() -> HfModelConfig.parse("{\"model_type\":\"llama\",\"hidden_size\":64,"
                + "\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100,"
                + "\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4}}", "x.json"))
                .hasMessageContaining("rope_type='yarn' is not supported");
        assertThatThrownBy(() -> HfModelConfig.parse("{\"model_type\":\"llama\",\"hidden_size\":64,"
                + "\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100,"
                + "\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":4}}", "x.json"))
                .hasMessageContaining("rope_scaling.low_freq_factor is missing");
        assertThatThrownBy(() -> HfModelConfig.parse("{\"model_type\":\"llama\",\n\"hidden_size\":", "x.json"))
                .hasMessageContaining("x.json: not valid JSON");
    }
}
