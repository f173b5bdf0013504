package io.kefu.engine.djl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kefu.engine.djl.torch.GradMode;
import io.kefu.engine.djl.torch.Torch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The online softmax over vocabulary slices against a plain double-precision softmax: target
 * log-probabilities and {@code d loss / d hidden}, for an fp32 head (slices are views) and a bf16 head
 * (slices widened into one reused array), with slices that do not divide the vocabulary, a row whose
 * maximum logit lies in the last slice and a target whose probability underflows fp32.
 */
class TargetLogProbsTest {
    private static final int ROWS = 6;
    private static final int VOCAB = 203;
    private static final int HIDDEN = 24;

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 64, 203, 4096})
    void logProbsAndInputGradientEqualAPlainSoftmax(int sliceRows) {
        Random random = new Random(11);
        float[] head = new float[VOCAB * HIDDEN];
        for (int i = 0; i < head.length; i++) {
            head[i] = bf16Exact((float) random.nextGaussian());
        }
        float[] hidden = new float[ROWS * HIDDEN];
        for (int i = 0; i < hidden.length; i++) {
            hidden[i] = (float) random.nextGaussian();
        }
        // row 1 is large and points at the last vocabulary row: its logits span hundreds, its maximum comes last
        for (int c = 0; c < HIDDEN; c++) {
            hidden[HIDDEN + c] = 8 * head[(VOCAB - 1) * HIDDEN + c];
        }
        long[] targets = new long[ROWS];
        for (int r = 0; r < ROWS; r++) {
            targets[r] = random.nextInt(VOCAB);
        }
        targets[1] = argmin(logits(head, hidden, 1)); // about e^-300 below the top: underflows fp32
        float[] weights = {0.5f, -1.25f, 2f, 0f, -0.125f, 1f};

        double[][] expectedGradient = new double[ROWS][HIDDEN];
        double[] expectedLogProbs = new double[ROWS];
        for (int r = 0; r < ROWS; r++) {
            double[] z = logits(head, hidden, r);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : z) {
                sum += Math.exp(v - max);
            }
            double logSum = max + Math.log(sum);
            expectedLogProbs[r] = z[(int) targets[r]] - logSum;
            for (int v = 0; v < VOCAB; v++) {
                double p = Math.exp(z[v] - logSum);
                double d = (v == targets[r] ? 1 : 0) - p;
                for (int c = 0; c < HIDDEN; c++) {
                    expectedGradient[r][c] += weights[r] * d * head[v * HIDDEN + c];
                }
            }
        }
        assertThat(expectedLogProbs[1]).as("the underflowing target").isLessThan(-104);

        try (NDManager manager = Torch.newManager(); GradMode off = GradMode.off()) {
            NDArray rows = manager.create(hidden, new Shape(ROWS, HIDDEN));
            FrozenTensor fp32 = new FrozenTensor.Fp32(manager.create(head, new Shape(VOCAB, HIDDEN)));
            FrozenTensor bf16 = new FrozenTensor.Bf16(bf16Bytes(manager, head), new long[] {VOCAB, HIDDEN});
            for (FrozenTensor stored : new FrozenTensor[] {fp32, bf16}) {
                try (TargetLogProbs logProbs = TargetLogProbs.compute(stored, sliceRows, rows, targets, true);
                     NDArray gradient = logProbs.inputGradient(weights)) {
                    float[] values = logProbs.values();
                    float[] g = gradient.toFloatArray();
                    for (int r = 0; r < ROWS; r++) {
                        assertThat((double) values[r]).as("%s row %d", stored.getClass().getSimpleName(), r)
                                .isCloseTo(expectedLogProbs[r], within(1e-5 * Math.max(1, Math.abs(expectedLogProbs[r]))));
                        for (int c = 0; c < HIDDEN; c++) {
                            assertThat((double) g[r * HIDDEN + c]).as("%s gradient [%d, %d]", stored.getClass().getSimpleName(), r, c)
                                    .isCloseTo(expectedGradient[r][c], within(1e-4));
                        }
                    }
                }
                try (TargetLogProbs withoutExpectation = TargetLogProbs.compute(stored, sliceRows, rows, targets, false)) {
                    assertThat(withoutExpectation.values()).containsExactly(logProbsOf(stored, sliceRows, rows, targets));
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> withoutExpectation.inputGradient(weights))
                            .isInstanceOf(IllegalStateException.class);
                }
            }
        }
    }

    @Test
    void aScratchThatCannotHoldTheSliceIsRefused() {
        try (NDManager manager = Torch.newManager()) {
            FrozenTensor bf16 = new FrozenTensor.Bf16(bf16Bytes(manager, new float[8 * 4]), new long[] {8, 4});
            NDArray small = manager.create(new Shape(2, 4), DataType.FLOAT32);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> bf16.widenRows(manager, 0, 3, small))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot hold 3 rows of 4 floats");
        }
    }

    private static float[] logProbsOf(FrozenTensor head, int sliceRows, NDArray rows, long[] targets) {
        try (TargetLogProbs logProbs = TargetLogProbs.compute(head, sliceRows, rows, targets, true)) {
            return logProbs.values();
        }
    }

    private static double[] logits(float[] head, float[] hidden, int row) {
        double[] z = new double[VOCAB];
        for (int v = 0; v < VOCAB; v++) {
            for (int c = 0; c < HIDDEN; c++) {
                z[v] += (double) head[v * HIDDEN + c] * hidden[row * HIDDEN + c];
            }
        }
        return z;
    }

    private static int argmin(double[] values) {
        int at = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] < values[at]) {
                at = i;
            }
        }
        return at;
    }

    private static float bf16Exact(float value) {
        return Float.intBitsToFloat(Float.floatToIntBits(value) & 0xFFFF0000);
    }

    private static NDArray bf16Bytes(NDManager manager, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putShort((short) (Float.floatToIntBits(v) >>> 16));
        }
        return manager.create(bytes.flip(), new Shape(bytes.capacity()), DataType.UINT8);
    }
}
