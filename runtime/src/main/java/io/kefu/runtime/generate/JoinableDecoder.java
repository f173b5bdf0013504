package io.kefu.runtime.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/**
 * A {@link Decoder} whose batch may change between steps, for {@link ContinuousBatcher}: new rows
 * join a running batch, finished ones leave it, and every row still decodes as it would alone.
 *
 * <p>Rows are numbered {@code 0 .. rows() - 1} in the order they joined; {@link #join} appends,
 * {@link #retain} keeps a subset in order. {@link #step(int[])} takes one token per current row.
 * {@link #prefill(int[][])} is a {@link #join} into an empty batch. A batch that became empty
 * may be joined again.
 */
public interface JoinableDecoder extends Decoder {
    /** @return the rows in the batch now */
    int rows();

    /**
     * Runs new prompts through the model and appends them to the batch as rows
     * {@code rows() .. rows() + promptIds.length - 1}; the rows already there are not advanced.
     * When it fails, the rows already there are left as they were.
     *
     * @param promptIds one unpadded, non-empty prompt per new row
     * @return the logits at each new row's last prompt token, {@code [promptIds.length][vocabSize()]}
     * @throws io.kefu.KefuException with {@link io.kefu.ErrorCode#ENGINE_FAILURE} when the engine fails
     */
    float[][] join(int[][] promptIds);

    /**
     * Keeps only the given rows, which become rows {@code 0 .. keep.length - 1} in that order, and
     * frees the cache of the others.
     *
     * @param keep indices of the rows to keep, ascending; may be empty
     * @throws io.kefu.KefuException with {@link io.kefu.ErrorCode#ENGINE_FAILURE} when the engine fails
     */
    void retain(int[] keep);

    /** A {@link #join} into an empty batch. */
    @Override
    default float[][] prefill(int[][] promptIds) {
        if (rows() > 0) {
            throw new KefuException(ErrorCode.INTERNAL, "prefill was called on a running batch; join adds rows to it");
        }
        return join(promptIds);
    }

    /**
     * Checks the prompts a {@link #join} gets.
     *
     * @return the length of the longest prompt
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when there is no prompt,
     *     {@link ErrorCode#INVALID_REQUEST} naming a prompt that is empty
     */
    static int longestPrompt(int[][] promptIds) {
        if (promptIds.length == 0) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "join needs at least one prompt");
        }
        int longest = 0;
        for (int r = 0; r < promptIds.length; r++) {
            if (promptIds[r].length == 0) {
                throw new KefuException(ErrorCode.INVALID_REQUEST, "prompt " + r + " is empty and cannot be decoded");
            }
            longest = Math.max(longest, promptIds[r].length);
        }
        return longest;
    }
}
