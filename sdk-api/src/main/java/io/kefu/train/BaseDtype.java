package io.kefu.train;

/** The dtype the frozen base weights are kept in while training an adapter. */
public enum BaseDtype {
    /** The checkpoint's own dtype: bf16 and fp16 checkpoints stay 16-bit, fp32 ones stay fp32. */
    AUTO,
    /** Every weight widened to fp32 (four bytes a parameter). */
    FP32,
    /** IEEE half; a tensor with values outside fp16's range stays fp32. */
    FP16,
    /** bfloat16. */
    BF16
}
