package io.kefu.runtime.format;

/**
 * Exact conversions between fp32 and the 16-bit float formats (IEEE half and bfloat16),
 * including subnormals, infinities and NaN. Narrowing rounds to nearest, ties to even, as PyTorch does.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** @return the fp32 value of a bfloat16 bit pattern (exact) */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** @return the bfloat16 nearest to {@code value} (ties to even); NaN stays a quiet NaN */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** @return the fp32 value of an IEEE half bit pattern (exact) */
    public static float f16ToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            float magnitude = mantissa * 0x1p-24f; // subnormal: mantissa * 2^-24, exact in fp32
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** @return the IEEE half nearest to {@code value} (ties to even), with overflow to infinity */
    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) {
            return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
        }
        int unbiased = exponent - 127;
        if (unbiased > 15) {
            return (short) (sign | 0x7C00);
        }
        if (unbiased >= -14) {
            int halfBits = ((unbiased + 15) << 10) | (mantissa >>> 13);
            int rest = mantissa & 0x1FFF;
            if (rest > 0x1000 || (rest == 0x1000 && (halfBits & 1) == 1)) {
                halfBits++; // may carry into the exponent, up to infinity: both are correct
            }
            return (short) (sign | halfBits);
        }
        if (unbiased < -25) {
            return (short) sign;
        }
        // subnormal half: value = m * 2^-24 with m = full mantissa >> shift
        int full = mantissa | 0x800000;
        int shift = -unbiased - 1; // 14..24 gives m in [0, 0x400]
        int m = full >>> shift;
        int rest = full & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (rest > halfway || (rest == halfway && (m & 1) == 1)) {
            m++;
        }
        return (short) (sign | m);
    }
}
