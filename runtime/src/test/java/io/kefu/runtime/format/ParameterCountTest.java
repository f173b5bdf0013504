package io.kefu.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.train.LoraConfig;
import org.junit.jupiter.api.Test;

/**
 * Expected figures worked out by hand from the published configs, as PEFT counts them
 * ({@code all params} includes the LoRA parameters; each adapted linear adds r * (in + out)).
 *
 * <pre>
 * Llama-3-8B: hidden 4096, intermediate 14336, 32 layers, 32 heads, 8 kv heads (head_dim 128,
 * kv width 1024), vocab 128256, untied, no biases.
 *   embeddings + lm_head = 2 * 128256 * 4096                      = 1,050,673,152
 *   per layer: q 4096*4096 + k 1024*4096 + v 1024*4096 + o 4096*4096 = 41,943,040
 *              mlp 3 * 4096 * 14336                                = 176,160,768
 *              two norms 2 * 4096                                  =       8,192
 *              total                                               = 218,112,000
 *   32 layers                                                      = 6,979,584,000
 *   final norm                                                     =       4,096
 *   base                                                           = 8,030,261,248
 *   r=8 on q,v: 32 * 8 * ((4096+4096) + (4096+1024)) = 32 * 106,496 = 3,407,872
 *     all = 8,033,669,120; 100 * 3,407,872 / 8,033,669,120 = 0.04242 -> 0.0424
 *   r=8 all-linear: 32 * 8 * (2*(4096+4096) + 2*(4096+1024) + 3*(4096+14336)) = 32 * 655,360 = 20,971,520
 *     all = 8,051,232,768; trainable% = 0.26047 -> 0.2605
 *
 * Qwen2.5-7B: hidden 3584, intermediate 18944, 28 layers, 28 heads, 4 kv heads (head_dim 128,
 * kv width 512), vocab 152064, untied, biases on q, k, v.
 *   embeddings + lm_head = 2 * 152064 * 3584                       = 1,089,994,752
 *   per layer: q 3584*3584+3584, k 512*3584+512, v 512*3584+512, o 3584*3584 = 29,364,736
 *              mlp 3 * 3584 * 18944                                = 203,685,888
 *              two norms 2 * 3584                                  =       7,168
 *              total                                               = 233,057,792
 *   28 layers                                                      = 6,525,618,176
 *   final norm                                                     =       3,584
 *   base                                                           = 7,615,616,512
 *   r=8 on q,v: 28 * 8 * ((3584+3584) + (3584+512)) = 28 * 90,112 = 2,523,136
 *     all = 7,618,139,648; trainable% = 0.03312 -> 0.0331
 *   r=8 all-linear: 28 * 8 * (2*(3584+3584) + 2*(3584+512) + 3*(3584+18944)) = 28 * 720,896 = 20,185,088
 *     all = 7,635,801,600; trainable% = 0.26435 -> 0.2643
 * </pre>
 */
class ParameterCountTest {
    static final HfModelConfig LLAMA3_8B = HfModelConfig.load(HfModelConfigTest.RESOURCES.resolve("llama3-8b-config.json"));
    static final HfModelConfig QWEN25_7B = HfModelConfig.load(HfModelConfigTest.RESOURCES.resolve("qwen2.5-7b-config.json"));
    static final LoraConfig QV = LoraConfig.builder().rank(8).targets("q_proj", "v_proj").build();
    static final LoraConfig ALL_LINEAR = LoraConfig.builder().rank(8).targets(LoraConfig.ALL_LINEAR).build();

    @Test
    void llama3_8b() {
        assertThat(ParameterCount.full(LLAMA3_8B).all()).isEqualTo(8_030_261_248L);
        assertThat(ParameterCount.lora(LLAMA3_8B, QV).peftLine())
                .isEqualTo("trainable params: 3,407,872 || all params: 8,033,669,120 || trainable%: 0.0424");
        assertThat(ParameterCount.lora(LLAMA3_8B, ALL_LINEAR).peftLine())
                .isEqualTo("trainable params: 20,971,520 || all params: 8,051,232,768 || trainable%: 0.2605");
    }

    @Test
    void qwen25_7b() {
        assertThat(ParameterCount.full(QWEN25_7B).all()).isEqualTo(7_615_616_512L);
        assertThat(ParameterCount.lora(QWEN25_7B, QV).peftLine())
                .isEqualTo("trainable params: 2,523,136 || all params: 7,618,139,648 || trainable%: 0.0331");
        assertThat(ParameterCount.lora(QWEN25_7B, ALL_LINEAR).peftLine())
                .isEqualTo("trainable params: 20,185,088 || all params: 7,635,801,600 || trainable%: 0.2643");
    }

    @Test
    void tiedEmbeddingsAndQkNormsCount() {
        // Qwen3-0.6B: hidden 1024, intermediate 3072, 28 layers, 16 heads of 128, 8 kv heads, vocab 151936, tied.
        // embed 151936*1024 = 155,582,464; per layer q 2048*1024 + k,v 1024*1024 each + o 1024*2048 = 6,291,456,
        // mlp 3*1024*3072 = 9,437,184, norms 2*1024 + q_norm,k_norm 2*128 = 2,304 -> 15,730,944; * 28 = 440,466,432;
        // + final norm 1024 = 596,049,920 (the published "0.6B", 0.44B without embeddings)
        HfModelConfig qwen3 = HfModelConfig.parse("{\"architectures\":[\"Qwen3ForCausalLM\"],\"hidden_size\":1024,"
                + "\"intermediate_size\":3072,\"num_hidden_layers\":28,\"num_attention_heads\":16,\"num_key_value_heads\":8,"
                + "\"head_dim\":128,\"vocab_size\":151936,\"tie_word_embeddings\":true}", "qwen3-0.6b");
        assertThat(ParameterCount.full(qwen3).all()).isEqualTo(596_049_920L);
        assertThat(ParameterCount.full(qwen3).trainablePercent()).isEqualTo(100.0);
    }
}
