package io.kefu.engine.djl.model;

import io.kefu.runtime.format.Dtype;

/**
 * How a model's frozen weights are kept in memory: every tensor in {@code dtype} (norms and biases
 * always in fp32, they are tiny), and with {@code nf4} the linear projections of the decoder layers
 * quantized to 4-bit NormalFloat instead (QLoRA).
 *
 * @param dtype F32, F16 or BF16
 * @param nf4 whether the layers' linear projections are NF4
 */
public record WeightStorage(Dtype dtype, boolean nf4) {
    /** Everything in fp32: what inference and full fine-tuning use. */
    public static final WeightStorage FP32 = new WeightStorage(Dtype.F32, false);

    /** Validates. */
    public WeightStorage {
        if (dtype != Dtype.F32 && dtype != Dtype.F16 && dtype != Dtype.BF16) {
            throw new IllegalArgumentException("weights are stored in F32, F16 or BF16, not " + dtype);
        }
    }

    /** @return whether every tensor is an fp32 array */
    public boolean isFp32() {
        return dtype == Dtype.F32 && !nf4;
    }

    /** @return e.g. {@code bf16}, {@code nf4 + bf16} */
    public String describe() {
        String base = dtype.name().toLowerCase(java.util.Locale.ROOT);
        return nf4 ? "nf4 + " + base : base;
    }
}
