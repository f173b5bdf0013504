package io.kefu.engine.onnx.export;

import io.kefu.runtime.format.HfModelConfig;

/** The weights a graph is built from: a checkpoint, possibly with an adapter merged in. */
interface WeightSource {
    /** @return the model's config */
    HfModelConfig config();

    /** @return whether a tensor of that transformers name exists */
    boolean contains(String name);

    /**
     * @return the tensor as fp32, row-major
     * @throws io.kefu.KefuException with {@link io.kefu.ErrorCode#INVALID_CHECKPOINT} naming the
     *     tensor when it is missing or does not have {@code shape}
     */
    float[] read(String name, long... shape);
}
