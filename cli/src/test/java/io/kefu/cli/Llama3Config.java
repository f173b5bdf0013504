package io.kefu.cli;

/** The published Llama-3-8B {@code config.json} (the fields the commands read), for tests that need a real shape without weights. */
public final class Llama3Config {
    public static final String LLAMA3_8B = "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":4096,"
            + "\"intermediate_size\":14336,\"num_hidden_layers\":32,\"num_attention_heads\":32,\"num_key_value_heads\":8,"
            + "\"vocab_size\":128256,\"tie_word_embeddings\":false,\"rms_norm_eps\":1e-05,\"rope_theta\":500000.0}";

    private Llama3Config() {
    }
}
