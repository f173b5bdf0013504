package io.kefu.engine.djl.train;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/**
 * One tokenized training example.
 *
 * @param inputIds the token ids
 * @param labels the token id where the token is trained, {@link #IGNORE} where it is masked
 */
public record TokenSequence(int[] inputIds, int[] labels) {
    /** The label of a token that does not count in the loss, as in transformers. */
    public static final int IGNORE = -100;

    /** Checks the lengths agree. */
    public TokenSequence {
        if (inputIds.length != labels.length) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "inputIds has " + inputIds.length
                    + " tokens but labels has " + labels.length);
        }
    }

    /** @return the number of tokens */
    public int length() {
        return inputIds.length;
    }

    /**
     * @return how many positions predict a trained token: position t predicts label t + 1 (the
     *     first token is never predicted)
     */
    public int trainedTokens() {
        int n = 0;
        for (int t = 1; t < labels.length; t++) {
            if (labels[t] != IGNORE) {
                n++;
            }
        }
        return n;
    }
}
