package io.kefu.engine.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Additive attention masks, shaped to broadcast over {@code [B, kv_heads, groups, T, S]}: 0 where a
 * query may attend, a large negative number where it may not. (A finite value, unlike -inf, keeps
 * rows that are all padding free of NaN.)
 */
public final class Masks {
    /** The value added to scores of positions a query must not see. */
    public static final float BLOCKED = -1e9f;

    private Masks() {
    }

    /** @return a causal mask for T new positions and no cache, {@code [1, 1, 1, T, T]} */
    public static NDArray causal(NDManager manager, int t) {
        float[] m = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                m[i * t + j] = BLOCKED;
            }
        }
        return manager.create(m, new Shape(1, 1, 1, t, t));
    }

    /**
     * A mask for a left-padded batch with a cache: row {@code r}'s first {@code padding[r]} of the
     * {@code past + t} positions are padding; new position i sits at {@code past + i}.
     *
     * @return {@code [B, 1, 1, T, past + T]}
     */
    public static NDArray leftPadded(NDManager manager, int[] padding, long past, int t) {
        int b = padding.length;
        int s = (int) past + t;
        float[] m = new float[b * t * s];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                int row = (r * t + i) * s;
                int self = (int) past + i;
                for (int j = 0; j < s; j++) {
                    if (j < padding[r] || j > self) {
                        m[row + j] = BLOCKED;
                    }
                }
            }
        }
        return manager.create(m, new Shape(b, 1, 1, t, s));
    }
}
