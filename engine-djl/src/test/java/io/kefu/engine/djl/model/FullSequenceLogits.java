package io.kefu.engine.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kefu.engine.djl.lora.LoraWeights;

/** Logits of every position of one sequence, without a KV cache: what the parity goldens hold. */
public final class FullSequenceLogits {
    private FullSequenceLogits() {
    }

    /** @param lora the adapter to apply, or null for the base model */
    public static float[] of(NDManager manager, DecoderModel model, LoraWeights lora, long[] ids) {
        try (NDManager step = manager.newSubManager()) {
            int t = ids.length;
            long[] pos = new long[t];
            for (int i = 0; i < t; i++) {
                pos[i] = i;
            }
            NDArray hidden = model.hidden(step.create(ids, new Shape(1, t)), step.create(pos, new Shape(1, t)),
                    Masks.causal(step, t), null, lora, false);
            return model.logits(hidden).toFloatArray();
        }
    }

    /** @return the largest absolute element-wise difference */
    public static float maxAbsDiff(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
