package io.kefu.runtime.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.function.Supplier;

/** Calls into a {@link Decoder}, with its failures and misshapen answers reported the same way everywhere. */
final class DecoderCalls {
    private DecoderCalls() {
    }

    /**
     * Runs a decoder call and checks it returned {@code rows} rows of {@code vocab} logits.
     *
     * @throws KefuException {@link ErrorCode#ENGINE_FAILURE} when the call fails or returns the wrong shape
     */
    static float[][] logits(Supplier<float[][]> call, int rows, int vocab) {
        float[][] logits;
        try {
            logits = call.get();
        } catch (RuntimeException e) {
            throw failure(e);
        }
        if (logits == null || logits.length != rows) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "the decoder returned logits for "
                    + (logits == null ? 0 : logits.length) + " rows, expected " + rows);
        }
        for (float[] row : logits) {
            if (row == null || row.length != vocab) {
                throw new KefuException(ErrorCode.ENGINE_FAILURE, "the decoder returned " + (row == null ? 0 : row.length)
                        + " logits for a row, expected vocabSize() = " + vocab);
            }
        }
        return logits;
    }

    /** @return {@code e} itself when it is a {@link KefuException}, else an {@link ErrorCode#ENGINE_FAILURE} caused by it */
    static KefuException failure(Throwable e) {
        if (e instanceof KefuException k) {
            return k;
        }
        return new KefuException(ErrorCode.ENGINE_FAILURE, "the engine failed while decoding: " + e, e);
    }
}
