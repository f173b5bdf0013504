package io.kefu.runtime.generate;

import java.util.Arrays;

/**
 * The logits arrays a {@link Decoder} returns, the same arrays from call to call. A new
 * vocabulary-sized array per row per step is a large allocation (half a MiB at a 128k vocabulary,
 * which G1 places outside the young generation with its default region size): measured at
 * 0.2-0.3 ms a step, as much as a tenth of a small quantized model's decoding step.
 *
 * <p>Not thread-safe: one per decoder, used from the decoder's thread.
 */
public final class LogitsRows {
    private final int vocabSize;
    private float[][] rows = new float[0][];

    /** @param vocabSize the length of every row */
    public LogitsRows(int vocabSize) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be positive: " + vocabSize);
        }
        this.vocabSize = vocabSize;
    }

    /**
     * @param count the rows wanted
     * @return {@code count} arrays of the vocabulary's size with undefined contents: the
     *     arrays of earlier calls, and new ones where there were fewer
     */
    public float[][] take(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        if (rows.length < count) {
            float[][] more = Arrays.copyOf(rows, count);
            for (int r = rows.length; r < count; r++) {
                more[r] = new float[vocabSize];
            }
            rows = more;
        }
        return Arrays.copyOf(rows, count); // the outer array is the caller's own
    }
}
