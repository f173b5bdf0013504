package io.kefu.engine.djl.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.HalfFloats;
import io.kefu.runtime.quant.HalfPrecision;
import io.kefu.runtime.quant.Nf4;
import io.kefu.runtime.quant.Nf4Tensor;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CompactWeightsTest {
    private static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * 0.02);
        }
        return v;
    }

    @Test
    void nf4LayerWidensToTheDequantizedValues() {
        float[] up = gaussian(96 * 40, 1);
        float[] down = gaussian(40 * 96, 2);
        Nf4Tensor upQ = Nf4.quantize("up", up, new long[] {96, 40}, true);
        Nf4Tensor downQ = Nf4.quantize("down", down, new long[] {40, 96}, false);
        try (NDManager manager = Torch.newManager()) {
            Map<String, NDArray> layer = CompactWeights.widenLayer(manager, Map.of("up", upQ, "down", downQ));
            assertThat(layer.get("up").getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(layer.get("up").getShape().getShape()).containsExactly(96, 40);
            assertThat(layer.get("up").toFloatArray()).containsExactly(upQ.dequantize());
            assertThat(layer.get("down").toFloatArray()).containsExactly(downQ.dequantize());
        }
    }

    @Test
    void sixteenBitStorageWidensExactly() {
        float[] v = gaussian(300, 3);
        try (NDManager manager = Torch.newManager()) {
            NDArray fromBf16 = CompactWeights.widen(manager, HalfPrecision.narrow(v, Dtype.BF16), Dtype.BF16, new long[] {3, 100});
            NDArray fp16 = CompactWeights.storeFp16(manager, v, new long[] {3, 100});
            assertThat(fp16.getDataType()).isEqualTo(DataType.FLOAT16);
            float[] bf16 = fromBf16.toFloatArray();
            float[] widened = CompactWeights.widen(fp16).toFloatArray();
            for (int i = 0; i < v.length; i++) {
                assertThat(bf16[i]).isEqualTo(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(v[i])));
                assertThat(widened[i]).isEqualTo(HalfFloats.f16ToFloat(HalfFloats.floatToF16(v[i])));
            }
        }
    }
}
