package io.kefu.train;

/** How the frozen linear weights of the base are quantized while an adapter trains on top (QLoRA). */
public enum WeightQuantization {
    /** Kept in {@link TrainingConfig#baseDtype()}. */
    NONE,
    /**
     * 4-bit NormalFloat, blocks of 64 with an absmax each, the absmax double-quantized (QLoRA,
     * bitsandbytes' {@code nf4}); the embeddings, norms and output head stay in the base dtype.
     */
    NF4
}
