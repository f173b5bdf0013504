package io.kefu.engine.djl.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * A dtype cast that autograd goes through. DJL 0.36's {@code toType} runs without a graph (its native
 * side holds a {@code NoGradGuard}), so a cast inside a trained computation would cut the gradient off.
 * libtorch's {@code cumprod(dim, dtype)} over a new axis of length 1 is the same values in the new
 * dtype, and its backward returns the gradient in the input's dtype, as a cast's does.
 */
public final class Casts {
    private Casts() {
    }

    /** @return {@code x} in {@code type}, in the autograd graph when {@code x} is ({@code x} itself when already of that type) */
    public static NDArray to(NDArray x, DataType type) {
        if (x.getDataType() == type) {
            return x;
        }
        return JniUtils.cumProd((PtNDArray) x.expandDims(-1), -1, type).squeeze(-1);
    }
}
