package io.kefu.runtime.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kefu.KefuException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Nf4Test {
    @Test
    void codeIsBitsandbytesTableAscendingWithExactZero() {
        float[] code = Nf4.codeValues();
        assertThat(code).hasSize(16);
        assertThat(code[0]).isEqualTo(-1f);
        assertThat(code[7]).isEqualTo(0f);
        assertThat(code[8]).isEqualTo(0.07958029955625534f);
        assertThat(code[15]).isEqualTo(1f);
        for (int i = 1; i < 16; i++) {
            assertThat(code[i]).isGreaterThan(code[i - 1]);
        }
    }

    @Test
    void packsTheFirstValueOfEachPairInTheHighNibbleAndPadsWithZeroCode() {
        Nf4Tensor q = Nf4.quantize("w", new float[] {-1f, 1f, 0f}, new long[] {3}, false);
        byte[] packed = new byte[2];
        q.packedCodes().get(packed);
        assertThat(packed[0] & 0xFF).isEqualTo(0x0F);
        assertThat(packed[1] & 0xFF).isEqualTo(0x77);
        assertThat(q.dequantize()).containsExactly(-1f, 1f, 0f);
    }

    @Test
    void bytesPerParameterFollowsTheQloraFormula() {
        assertThat(Nf4.bytesPerParameter(false)).isEqualTo(0.5625);
        assertThat(Nf4.bytesPerParameter(true)).isEqualTo(0.5 + 1.0 / 64 + 4.0 / (64 * 256));
        float[] values = new float[64 * 256 * 4];
        assertThat(Nf4.quantize("w", values, new long[] {256, 256}, false).storageBytes())
                .isEqualTo((long) (values.length * Nf4.bytesPerParameter(false)));
        assertThat(Nf4.quantize("w", values, new long[] {256, 256}, true).storageBytes())
                .isEqualTo((long) (values.length * Nf4.bytesPerParameter(true)) + 4); // + the fp32 mean
    }

    @Test
    void errorIsAtMostHalfTheWidestCodeGapTimesTheBlockMaximum() {
        SplittableRandom random = new SplittableRandom(3);
        float[] v = new float[64 * 40];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        Nf4Tensor q = Nf4.quantize("w", v, new long[] {40, 64}, false);
        float[] back = q.dequantize();
        double widestHalfGap = (Nf4.CODE[1] - Nf4.CODE[0]) / 2; // the gap next to -1 is the widest
        for (int i = 0; i < v.length; i++) {
            assertThat((double) back[i]).isCloseTo(v[i], within(widestHalfGap * q.blockMaximum(i / 64) + 1e-6));
        }
        Nf4Tensor doubled = Nf4.quantize("w", v, new long[] {40, 64}, true);
        for (int b = 0; b < q.blockCount(); b++) {
            assertThat(doubled.blockMaximum(b)).isCloseTo(q.blockMaximum(b), within(0.01f * q.blockMaximum(b)));
        }
    }

    @Test
    void rejectsNonFiniteValuesAndWrongShapesWithTheirLocation() {
        assertThatThrownBy(() -> Nf4.quantize("model.layers.0.mlp.up_proj.weight", new float[] {0f, Float.NaN},
                new long[] {2}, false)).isInstanceOf(KefuException.class)
                .hasMessageContaining("model.layers.0.mlp.up_proj.weight").hasMessageContaining("index 1");
        assertThatThrownBy(() -> Nf4.quantize("w", new float[3], new long[] {2, 2}, false))
                .isInstanceOf(KefuException.class).hasMessageContaining("[2, 2]");
    }

    /** A tensor of several parallel tasks codes and decodes each block exactly as that block alone would. */
    @Test
    void aLargeTensorIsCodedBlockByBlockAsEachBlockAlone() {
        SplittableRandom random = new SplittableRandom(5);
        int count = 2 * Nf4.BLOCKS_PER_TASK * Nf4.BLOCK_SIZE + 1000;
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) random.nextGaussian() * (1 + i % 7);
        }
        Nf4Tensor whole = Nf4.quantize("w", v, new long[] {count}, false);
        float[] decoded = whole.dequantize();
        for (int block : new int[] {0, Nf4.BLOCKS_PER_TASK - 1, Nf4.BLOCKS_PER_TASK, 2 * Nf4.BLOCKS_PER_TASK + 3, whole.blockCount() - 1}) {
            int from = block * Nf4.BLOCK_SIZE;
            int n = Math.min(Nf4.BLOCK_SIZE, count - from);
            float[] alone = java.util.Arrays.copyOfRange(v, from, from + n);
            Nf4Tensor single = Nf4.quantize("b", alone, new long[] {n}, false);
            float[] singleDecoded = single.dequantize();
            for (int i = 0; i < n; i++) {
                assertThat(whole.code(from + i)).as("block %d value %d", block, i).isEqualTo(single.code(i));
                assertThat(decoded[from + i]).isEqualTo(singleDecoded[i]);
            }
        }
    }
}
