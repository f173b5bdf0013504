package io.kefu.runtime.quant;

import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.HalfFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * 16-bit storage of frozen fp32 weights. bf16 keeps fp32's range with 8 significant bits; IEEE
 * half (fp16) has 11 significant bits but overflows above 65504, so a tensor is stored as fp16
 * only when every value fits ({@link #storageDtype}) and otherwise stays fp32. Values are kept as
 * raw bit patterns in Java arrays and little-endian buffers (no engine array of a 16-bit type is
 * needed) and widened to fp32 where they are used. Narrowing rounds to nearest, ties to even.
 */
public final class HalfPrecision {
    /** The largest finite fp16 value. */
    public static final float FP16_MAX = 65504f;

    private HalfPrecision() {
    }

    /**
     * @return the index of the first finite value that would overflow to infinity as fp16 (from
     *     65520 up, which rounds past {@link #FP16_MAX}), or -1 when every value fits
     */
    public static int firstOutsideFp16(float[] values) {
        return firstOutsideFp16(values, values.length);
    }

    /** @return the index of the first of the first {@code count} values that fp16 cannot hold (finite but beyond its range), or -1 */
    public static int firstOutsideFp16(float[] values, int count) {
        for (int i = 0; i < count; i++) {
            if (Float.isFinite(values[i]) && Float.isInfinite(HalfFloats.f16ToFloat(HalfFloats.floatToF16(values[i])))) {
                return i;
            }
        }
        return -1;
    }

    /** @return {@link Dtype#F16} when every value fits fp16's range, else {@link Dtype#F32} */
    public static Dtype storageDtype(float[] values) {
        return firstOutsideFp16(values) < 0 ? Dtype.F16 : Dtype.F32;
    }

    /** @return the fp16 bit patterns of {@code values} (an out-of-range value becomes infinity) */
    public static short[] toFp16(float[] values) {
        short[] bits = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = HalfFloats.floatToF16(values[i]);
        }
        return bits;
    }

    /** @return the bf16 bit patterns of {@code values} */
    public static short[] toBf16(float[] values) {
        short[] bits = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = HalfFloats.floatToBf16(values[i]);
        }
        return bits;
    }

    /** @return the fp32 values of 16-bit patterns of {@code dtype} ({@link Dtype#F16} or {@link Dtype#BF16}), exactly */
    public static float[] widen(short[] bits, Dtype dtype) {
        float[] out = new float[bits.length];
        requireHalf(dtype);
        for (int i = 0; i < bits.length; i++) {
            out[i] = dtype == Dtype.F16 ? HalfFloats.f16ToFloat(bits[i]) : HalfFloats.bf16ToFloat(bits[i]);
        }
        return out;
    }

    /**
     * Widens little-endian 16-bit patterns (as a safetensors file stores them) from the buffer's
     * position to its limit into fp32 values at {@code out}'s position; both buffers advance.
     */
    public static void widen(ByteBuffer raw, Dtype dtype, FloatBuffer out) {
        requireHalf(dtype);
        ByteBuffer in = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
        int n = in.remaining() / 2;
        if (out.remaining() < n) {
            throw new IllegalArgumentException("buffer has room for " + out.remaining() + " values, need " + n);
        }
        for (int i = 0; i < n; i++) {
            short bits = in.getShort(2 * i);
            out.put(dtype == Dtype.F16 ? HalfFloats.f16ToFloat(bits) : HalfFloats.bf16ToFloat(bits));
        }
        raw.position(raw.position() + 2 * n);
    }

    /** @return {@code values} narrowed to {@code dtype}'s 16-bit patterns, little-endian, as a safetensors file stores them */
    public static ByteBuffer narrow(float[] values, Dtype dtype) {
        requireHalf(dtype);
        ByteBuffer out = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            out.putShort(dtype == Dtype.F16 ? HalfFloats.floatToF16(v) : HalfFloats.floatToBf16(v));
        }
        return out.flip();
    }

    /**
     * Writes the first {@code count} values narrowed to {@code dtype}'s 16-bit patterns, little-endian,
     * at {@code out}'s position (for example straight into an engine's array), advancing it.
     */
    public static void narrowInto(float[] values, int count, Dtype dtype, ByteBuffer out) {
        requireHalf(dtype);
        ByteBuffer target = out.order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            target.putShort(dtype == Dtype.F16 ? HalfFloats.floatToF16(values[i]) : HalfFloats.floatToBf16(values[i]));
        }
    }

    private static void requireHalf(Dtype dtype) {
        if (dtype != Dtype.F16 && dtype != Dtype.BF16) {
            throw new IllegalArgumentException("not a 16-bit float type: " + dtype);
        }
    }
}
