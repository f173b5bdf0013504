package io.kefu.runtime.format;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The decoder architectures Kefu reads, named as in config.json's {@code architectures} and {@code model_type}. */
public enum Architecture {
    /** Llama 2, 3, 3.1, 3.2: RMSNorm, RoPE (optionally llama3-scaled), GQA, SwiGLU. */
    LLAMA("LlamaForCausalLM", "llama"),
    /** Qwen 2 and 2.5: like Llama, with biases on the q, k and v projections. */
    QWEN2("Qwen2ForCausalLM", "qwen2"),
    /** Qwen 3: like Llama, with RMSNorm on queries and keys per head ({@code q_norm}, {@code k_norm}). */
    QWEN3("Qwen3ForCausalLM", "qwen3");

    private final String className;
    private final String modelType;

    Architecture(String className, String modelType) {
        this.className = className;
        this.modelType = modelType;
    }

    /** @return the transformers class name, as in {@code architectures} */
    public String className() {
        return className;
    }

    /** @return the {@code model_type} spelling (also the CLI's {@code --arch} value) */
    public String modelType() {
        return modelType;
    }

    /** @return whether the layers have per-head {@code q_norm} and {@code k_norm} weights */
    public boolean hasQkNorm() {
        return this == QWEN3;
    }

    /** @return the architecture whose class name or model type is {@code name}, or empty */
    public static Optional<Architecture> find(String name) {
        for (Architecture a : values()) {
            if (a.className.equals(name) || a.modelType.equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** @return the supported class names, for error messages */
    public static String supportedNames() {
        return Arrays.stream(values()).map(Architecture::className).collect(Collectors.joining(", "));
    }
}
