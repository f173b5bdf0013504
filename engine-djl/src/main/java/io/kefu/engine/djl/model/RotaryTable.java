package io.kefu.engine.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.kefu.runtime.format.HfModelConfig;

/**
 * Precomputed RoPE cosines and sines, {@code [positions, head_dim]}, in transformers' layout
 * ({@code emb = cat(freqs, freqs)}, used with {@code rotate_half}). Frequencies follow
 * transformers' float32 arithmetic, with llama3 rope scaling applied when the config asks for it.
 */
public final class RotaryTable {
    private final NDArray cos;
    private final NDArray sin;
    private final int positions;

    /** A table of {@code positions} positions, its arrays owned by {@code manager}. */
    public RotaryTable(NDManager manager, HfModelConfig config, int positions) {
        int dim = config.headDim();
        int half = dim / 2;
        double[] invFreq = new double[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / dim;
            invFreq[i] = (float) (1.0 / (float) Math.pow(config.ropeTheta(), exponent));
        }
        if (config.ropeScaling().isPresent()) {
            invFreq = config.ropeScaling().get().scale(invFreq);
        }
        float[] c = new float[positions * dim];
        float[] s = new float[positions * dim];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * (float) invFreq[i];
                float cv = (float) Math.cos(angle);
                float sv = (float) Math.sin(angle);
                c[p * dim + i] = cv;
                c[p * dim + half + i] = cv;
                s[p * dim + i] = sv;
                s[p * dim + half + i] = sv;
            }
        }
        this.cos = manager.create(c, new Shape(positions, dim));
        this.sin = manager.create(s, new Shape(positions, dim));
        this.positions = positions;
    }

    /** @return how many positions the table covers */
    public int positions() {
        return positions;
    }

    /**
     * Rotates {@code x} {@code [B, heads, T, D]} by the angles of {@code positionIds} {@code [B, T]}.
     */
    public NDArray apply(NDArray x, NDArray positionIds) {
        NDArray[] angles = angles(positionIds, x.getManager());
        long half = x.getShape().get(3) / 2;
        NDArray x1 = x.get("..., :" + half);
        NDArray x2 = x.get("..., " + half + ":");
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(angles[0]).add(rotated.mul(angles[1]));
    }

    /**
     * @param positionIds {@code [B, T]}
     * @param manager where the arrays go (not the table's, which would collect per-call arrays)
     * @return the cosines and sines of those positions, {@code [B, 1, T, D]} each
     */
    public NDArray[] angles(NDArray positionIds, NDManager manager) {
        long b = positionIds.getShape().get(0);
        long t = positionIds.getShape().get(1);
        long d = cos.getShape().get(1);
        NDArray flat = positionIds.reshape(b * t);
        return new NDArray[] {
            cos.get(manager, new NDIndex("{}", flat)).reshape(b, 1, t, d),
            sin.get(manager, new NDIndex("{}", flat)).reshape(b, 1, t, d)};
    }
}
