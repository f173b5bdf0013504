package io.kefu.engine.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.engine.djl.torch.GradMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with torch.optim.AdamW's arithmetic (betas 0.9/0.999, eps 1e-8): decoupled weight decay
 * {@code p *= 1 - lr * wd}, moment updates, bias correction, {@code p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)}.
 * Its moment arrays live in their own manager, outside any per-step scope. Updates run with grad
 * mode off on the calling thread, whatever that thread's default, over {@link FlatChunks} so that a
 * large model's update makes no parameter-sized temporaries.
 */
final class AdamW implements AutoCloseable {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPS = 1e-8;

    private final List<NDArray> parameters;
    private final NDManager manager;
    private final NDArray[] m;
    private final NDArray[] v;
    private final double weightDecay;
    private final long chunkSize;
    private long step;

    AdamW(List<NDArray> parameters, double weightDecay, NDManager parent) {
        this(parameters, weightDecay, parent, FlatChunks.DEFAULT_SIZE);
    }

    /** @param chunkSize elements updated per group of ops (see {@link FlatChunks}) */
    AdamW(List<NDArray> parameters, double weightDecay, NDManager parent, long chunkSize) {
        this.parameters = List.copyOf(parameters);
        this.chunkSize = chunkSize;
        this.manager = parent.newSubManager();
        this.weightDecay = weightDecay;
        this.m = new NDArray[parameters.size()];
        this.v = new NDArray[parameters.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = manager.zeros(new Shape(parameters.get(i).size()));
            v[i] = manager.zeros(new Shape(parameters.get(i).size()));
        }
    }

    /** @return optimiser steps taken */
    long steps() {
        return step;
    }

    /**
     * Applies one update with the given gradients (same order as the parameters), each first scaled
     * by {@code gradScale} unless that is 1 (gradient clipping). Call outside a gradient collector.
     */
    void update(List<NDArray> gradients, double lr, double gradScale) {
        step++;
        try (GradMode noGrad = GradMode.off(); NDScope scope = new NDScope()) {
            Scalars c = new Scalars(lr, gradScale);
            for (int i = 0; i < m.length; i++) {
                FlatChunks.forEach(chunkSize, x -> apply(x[0], x[1], x[2], x[3], c), parameters.get(i), gradients.get(i), m[i], v[i]);
            }
        }
    }

    /**
     * The step's scalars as 0-d float64 arrays, made once per step rather than once per op: the
     * same arrays {@code NDArray.muli(Number)} would make, so the arithmetic is unchanged.
     */
    private final class Scalars {
        final NDArray gradScale;
        final NDArray decay;
        final NDArray beta1;
        final NDArray oneMinusBeta1;
        final NDArray beta2;
        final NDArray oneMinusBeta2;
        final NDArray bc2Sqrt;
        final NDArray eps;
        final NDArray stepSize;

        Scalars(double lr, double gradScale) {
            this.gradScale = gradScale == 1 ? null : manager.create(gradScale);
            this.decay = weightDecay == 0 ? null : manager.create(1 - lr * weightDecay);
            this.beta1 = manager.create(BETA1);
            this.oneMinusBeta1 = manager.create(1 - BETA1);
            this.beta2 = manager.create(BETA2);
            this.oneMinusBeta2 = manager.create(1 - BETA2);
            this.bc2Sqrt = manager.create(Math.sqrt(1 - Math.pow(BETA2, step)));
            this.eps = manager.create(EPS);
            this.stepSize = manager.create(lr / (1 - Math.pow(BETA1, step)));
        }
    }

    private static void apply(NDArray p, NDArray g, NDArray mi, NDArray vi, Scalars c) {
        if (c.gradScale != null) {
            g.muli(c.gradScale);
        }
        if (c.decay != null) {
            p.muli(c.decay);
        }
        mi.muli(c.beta1).addi(g.mul(c.oneMinusBeta1));
        vi.muli(c.beta2).addi(g.square().muli(c.oneMinusBeta2));
        NDArray denom = vi.sqrt().divi(c.bc2Sqrt).addi(c.eps);
        p.subi(mi.div(denom).muli(c.stepSize));
    }

    /** @return the moments by name ({@code m.i}, {@code v.i}) for a checkpoint */
    Map<String, float[]> state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < m.length; i++) {
            out.put("m." + i, m[i].toFloatArray());
            out.put("v." + i, v[i].toFloatArray());
        }
        return out;
    }

    /** Restores the moments and the step count of a checkpoint. */
    void restore(Map<String, float[]> state, long steps) {
        for (int i = 0; i < m.length; i++) {
            float[] mi = state.get("m." + i);
            float[] vi = state.get("v." + i);
            if (mi == null || vi == null || mi.length != m[i].size() || vi.length != v[i].size()) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "optimiser state lacks or misshapes the moments of parameter " + i);
            }
            m[i].set(mi);
            v[i].set(vi);
        }
        this.step = steps;
    }

    @Override
    public void close() {
        manager.close();
    }
}
