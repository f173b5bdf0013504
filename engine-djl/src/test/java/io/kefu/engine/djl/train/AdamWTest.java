package io.kefu.engine.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kefu.engine.djl.torch.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdamWTest {
    private static final Shape[] SHAPES = {new Shape(7, 13), new Shape(1000), new Shape(3), new Shape(64)};

    /** torch.optim.AdamW's single-tensor arithmetic in plain Java, rounding to fp32 after each op as libtorch does. */
    private static final class Reference {
        final float[][] p;
        final float[][] m;
        final float[][] v;
        long step;

        Reference(float[][] p) {
            this.p = new float[p.length][];
            this.m = new float[p.length][];
            this.v = new float[p.length][];
            for (int i = 0; i < p.length; i++) {
                this.p[i] = p[i].clone();
                this.m[i] = new float[p[i].length];
                this.v[i] = new float[p[i].length];
            }
        }

        void update(float[][] grads, double lr, double wd, double gradScale) {
            step++;
            float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(AdamW.BETA2, step));
            float stepSize = (float) (lr / (1 - Math.pow(AdamW.BETA1, step)));
            for (int i = 0; i < p.length; i++) {
                for (int j = 0; j < p[i].length; j++) {
                    float g = gradScale == 1 ? grads[i][j] : grads[i][j] * (float) gradScale;
                    p[i][j] *= (float) (1 - lr * wd);
                    m[i][j] = m[i][j] * (float) AdamW.BETA1 + g * (float) (1 - AdamW.BETA1);
                    v[i][j] = v[i][j] * (float) AdamW.BETA2 + g * g * (float) (1 - AdamW.BETA2);
                    float denom = (float) Math.sqrt(v[i][j]) / bc2Sqrt + (float) AdamW.EPS;
                    p[i][j] -= m[i][j] / denom * stepSize;
                }
            }
        }
    }

    /** Runs a few AdamW steps (with weight decay and, on some steps, clipping) and returns the parameters and moments. */
    private static List<float[]> run(long chunkSize, Reference reference) {
        Random random = new Random(11);
        try (NDManager manager = Torch.newManager()) {
            List<NDArray> params = new ArrayList<>();
            for (Shape shape : SHAPES) {
                params.add(manager.create(gaussian(random, (int) shape.size(), 0.5f), shape));
            }
            double[] scales = {1, 0.37, 1, 0.9};
            List<float[]> out = new ArrayList<>();
            try (AdamW adamw = new AdamW(params, 0.01, manager, chunkSize)) {
                for (int step = 0; step < scales.length; step++) {
                    float[][] grads = new float[SHAPES.length][];
                    List<NDArray> gradArrays = new ArrayList<>();
                    for (int i = 0; i < SHAPES.length; i++) {
                        grads[i] = gaussian(random, (int) SHAPES[i].size(), 1e-2f);
                        gradArrays.add(manager.create(grads[i], SHAPES[i]));
                    }
                    double lr = 1e-3 * (step + 1);
                    adamw.update(gradArrays, lr, scales[step]);
                    if (reference != null) {
                        reference.update(grads, lr, 0.01, scales[step]);
                    }
                }
                for (int i = 0; i < SHAPES.length; i++) {
                    assertThat(params.get(i).getShape()).isEqualTo(SHAPES[i]);
                    out.add(params.get(i).toFloatArray());
                }
                out.addAll(adamw.state().values());
            }
            return out;
        }
    }

    private static float[][] initialParameters() {
        Random random = new Random(11);
        float[][] p = new float[SHAPES.length][];
        for (int i = 0; i < SHAPES.length; i++) {
            p[i] = gaussian(random, (int) SHAPES[i].size(), 0.5f);
        }
        return p;
    }

    @Test
    void chunkedUpdateEqualsTheWholeTensorUpdateBitForBit() {
        List<float[]> chunked = run(64, null);
        List<float[]> whole = run(1 << 20, null);
        assertThat(chunked).hasSize(whole.size());
        for (int i = 0; i < whole.size(); i++) {
            assertThat(chunked.get(i)).as("tensor %d", i).containsExactly(whole.get(i));
        }
    }

    @Test
    void updateFollowsTorchAdamWArithmetic() {
        // libtorch's fp32 sqrt is within an ulp, not always correctly rounded: hence a tolerance of a few ulps
        Reference reference = new Reference(initialParameters());
        List<float[]> out = run(64, reference);
        for (int i = 0; i < SHAPES.length; i++) {
            float[] actual = out.get(i);
            for (int j = 0; j < actual.length; j++) {
                assertThat(actual[j]).as("parameter %d[%d]", i, j).isCloseTo(reference.p[i][j], within(4 * Math.ulp(reference.p[i][j])));
            }
        }
    }

    @Test
    void stateRoundTripsThroughRestore() {
        try (NDManager manager = Torch.newManager()) {
            NDArray p = manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            float[] m = {0.1f, 0.2f, 0.3f, 0.4f};
            float[] v = {1e-4f, 2e-4f, 3e-4f, 4e-4f};
            try (AdamW adamw = new AdamW(List.of(p), 0, manager)) {
                adamw.restore(Map.of("m.0", m, "v.0", v), 5);
                assertThat(adamw.steps()).isEqualTo(5);
                assertThat(adamw.state().get("m.0")).containsExactly(m);
                assertThat(adamw.state().get("v.0")).containsExactly(v);
            }
        }
    }

    private static float[] gaussian(Random random, int n, float scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian() * scale;
        }
        return out;
    }
}
