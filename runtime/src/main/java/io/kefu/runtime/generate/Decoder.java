package io.kefu.runtime.generate;

/**
 * What an engine implements so that {@link GenerationLoop} can drive it: a causal language model
 * with a key/value cache, decoding a batch of rows in lock step. The engine owns the cache; the
 * loop owns sampling, stopping and detokenisation, so every engine behaves the same.
 *
 * <p>Call order: one {@link #prefill(int[][])}, then any number of {@link #step(int[])}, then
 * {@link #close()}. A decoder serves one batch; make a new one for the next batch.
 *
 * <p>Batching contract:
 * <ul>
 *   <li>{@code prefill} gets the prompts unpadded (rows may differ in length). The engine
 *       left-pads them to the longest row: pad positions are masked out of attention and each
 *       row's position ids start at 0 on its first real token, so a row's logits are the same as
 *       when it is decoded alone.</li>
 *   <li>{@code step} gets exactly one token per row, for every row of the batch, also for rows
 *       the loop has already finished (it feeds them a filler token and ignores their logits).</li>
 *   <li>Both return the logits of each row's last position, {@code [rows][vocabSize()]}, before
 *       any temperature or penalty. The caller may change them, and they are the caller's until its
 *       next call on the decoder: a decoder may hand out the same arrays again (see {@link LogitsRows}),
 *       so a caller that keeps logits across calls copies them.</li>
 * </ul>
 *
 * <p>Implementations need not be thread-safe: the loop calls one decoder from one thread.
 */
public interface Decoder extends AutoCloseable {
    /** @return the number of logits per row */
    int vocabSize();

    /**
     * @return the most positions (prompt plus generated tokens) a row may hold; the loop ends a
     *     row with {@link io.kefu.chat.FinishReason#LENGTH} before it would exceed this. Default:
     *     unlimited.
     */
    default int maxSequenceLength() {
        return Integer.MAX_VALUE;
    }

    /**
     * Runs the prompts through the model and fills the cache.
     *
     * @param promptIds one unpadded, non-empty prompt per row
     * @return the logits at each row's last prompt token, {@code [rows][vocabSize()]}
     * @throws io.kefu.KefuException with {@link io.kefu.ErrorCode#ENGINE_FAILURE} when the engine fails
     */
    float[][] prefill(int[][] promptIds);

    /**
     * Appends one token to every row and runs one decoding step.
     *
     * @param nextTokens one token per row, in row order
     * @return the logits after the new token, {@code [rows][vocabSize()]}
     * @throws io.kefu.KefuException with {@link io.kefu.ErrorCode#ENGINE_FAILURE} when the engine fails
     */
    float[][] step(int[] nextTokens);

    /** Releases the cache and any native memory; idempotent; throws no checked exception. */
    @Override
    void close();
}
