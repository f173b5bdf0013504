package io.kefu.runtime.quant;

/**
 * The signed 8-bit "dynamic" code that double quantization stores the NF4 block scales in: 256
 * sorted values in [-1, 1], each a power of ten (10^-6 .. 10^0) times the midpoint of a linear
 * fraction grid, as bitsandbytes' {@code create_dynamic_map(signed=True, max_exponent_bits=7,
 * total_bits=8)} defines them (Dettmers, "8-Bit Approximations for Parallelism in Deep Learning").
 * The formula is evaluated in double and rounded to fp32 once, so any implementation of it gives
 * the same 256 floats.
 */
final class DynamicCode8 {
    static final float[] VALUES = build();
    /** Midpoints between neighbouring values: a scaled value maps to the first code whose upper bound it does not exceed. */
    static final float[] BOUNDS = Nf4.midpoints(VALUES);

    private DynamicCode8() {
    }

    private static float[] build() {
        final int exponentBits = 7;
        float[] values = new float[256];
        int n = 0;
        for (int i = 0; i < exponentBits; i++) {
            int fractionItems = (1 << i) + 1;
            double scale = Double.parseDouble("1e" + (i - (exponentBits - 1))); // correctly rounded 10^k
            for (int j = 0; j + 1 < fractionItems; j++) {
                double mean = (linspace(fractionItems, j) + linspace(fractionItems, j + 1)) / 2.0;
                values[n++] = (float) (scale * mean);
                values[n++] = (float) (-scale * mean);
            }
        }
        values[n++] = 0f;
        values[n++] = 1f;
        if (n != 256) {
            throw new IllegalStateException("dynamic code has " + n + " values");
        }
        java.util.Arrays.sort(values);
        return values;
    }

    /** @return the {@code k}-th of {@code count} evenly spaced points from 0.1 to 1 */
    private static double linspace(int count, int k) {
        return 0.1 + (1.0 - 0.1) * k / (count - 1);
    }
}
