package io.kefu.runtime.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.runtime.format.Dtype;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class HalfPrecisionTest {
    @Test
    void keepsFp32WhenAValueWouldOverflowHalf() {
        assertThat(HalfPrecision.storageDtype(new float[] {0.5f, -65504f, 65519f})).isEqualTo(Dtype.F16);
        assertThat(HalfPrecision.firstOutsideFp16(new float[] {1f, 2f, 65520f, 1e9f})).isEqualTo(2);
        assertThat(HalfPrecision.storageDtype(new float[] {1f, -70000f})).isEqualTo(Dtype.F32);
        assertThat(HalfPrecision.storageDtype(new float[] {Float.POSITIVE_INFINITY, 3f})).isEqualTo(Dtype.F16);
    }

    @Test
    void roundTripsThroughBothSixteenBitTypes() {
        float[] values = {0f, -0f, 1f, -2.5f, 1e-3f, 3.14159f, 60000f, 1e-7f};
        float[] fp16 = HalfPrecision.widen(HalfPrecision.toFp16(values), Dtype.F16);
        float[] bf16 = HalfPrecision.widen(HalfPrecision.toBf16(values), Dtype.BF16);
        assertThat(fp16[5]).isEqualTo(3.140625f);
        assertThat(bf16[5]).isEqualTo(3.140625f);
        assertThat(fp16[7]).isEqualTo(1.1920929e-7f); // subnormal half
        assertThat(bf16[6]).isEqualTo(59904f);
        assertThat(fp16[6]).isEqualTo(60000f);
        for (Dtype dtype : new Dtype[] {Dtype.F16, Dtype.BF16}) {
            ByteBuffer raw = HalfPrecision.narrow(values, dtype);
            FloatBuffer out = FloatBuffer.allocate(values.length);
            HalfPrecision.widen(raw, dtype, out);
            assertThat(raw.hasRemaining()).isFalse();
            assertThat(out.array()).containsExactly(dtype == Dtype.F16 ? fp16 : bf16);
        }
    }
}
