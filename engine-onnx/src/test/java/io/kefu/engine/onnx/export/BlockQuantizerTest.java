package io.kefu.engine.onnx.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Block-wise quantization in MatMulNBits' layout: every value within half a step, codes packed low half-byte first. */
class BlockQuantizerTest {
    @ParameterizedTest(name = "{0} bits, block {1}, symmetric={2}, K={3}")
    @CsvSource({"4, 32, false, 96", "4, 32, true, 96", "4, 64, false, 96", "4, 16, true, 40", "8, 32, false, 72", "8, 128, true, 64"})
    void everyValueIsWithinHalfAStep(int bits, int block, boolean symmetric, int k) {
        int n = 5;
        float[] w = new float[n * k];
        Random random = new Random(7);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * 0.05 + (i % 11 == 0 ? 0.3 : 0));
        }
        // an all-zero block and a block of one sign
        for (int i = 0; i < Math.min(block, k); i++) {
            w[i] = 0;
            w[k + i] = Math.abs(w[k + i]) + 0.01f;
        }
        BlockQuantizer.Quantized q = new BlockQuantizer(bits, block, symmetric).quantize(w, n, k);
        assertThat(q.packed()).hasSize(n * q.blocks() * block * bits / 8);
        assertThat(q.scales()).hasSize(n * q.blocks());
        assertThat(q.zeroPoints() == null).isEqualTo(symmetric);
        float[] back = BlockQuantizer.dequantize(q);
        for (int row = 0; row < n; row++) {
            for (int i = 0; i < k; i++) {
                float halfStep = Math.abs(q.scales()[row * q.blocks() + i / block]) / 2;
                assertThat(Math.abs(back[row * k + i] - w[row * k + i])).as("row %d, value %d", row, i)
                        .isLessThanOrEqualTo(halfStep * 1.0001f + 1e-7f);
            }
        }
        for (int i = 0; i < Math.min(block, k); i++) {
            assertThat(back[i]).isZero();
        }
    }

    @Test
    void fourBitCodesArePackedLowHalfByteFirst() {
        // one row, one block of 16: asymmetric over [0, 15] gives scale 1, zero point 0, code = value
        float[] w = new float[16];
        for (int i = 0; i < 16; i++) {
            w[i] = i;
        }
        BlockQuantizer.Quantized q = new BlockQuantizer(4, 16, false).quantize(w, 1, 16);
        assertThat(q.scales()[0]).isEqualTo(1f);
        assertThat(q.zeroPoints()[0]).isZero();
        assertThat(q.packed()[0]).isEqualTo((byte) 0x10);
        assertThat(q.packed()[7]).isEqualTo((byte) 0xFE);
    }
}
