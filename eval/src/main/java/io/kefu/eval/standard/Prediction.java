package io.kefu.eval.standard;

/**
 * One answer of the evaluated system, as written to the predictions JSONL.
 *
 * @param index position of the example in the test set
 * @param key fingerprint of the prompt and reference, so a resumed run only reuses matching lines
 * @param source where the example came from (file:line)
 * @param intent the example's intent, or null
 * @param strategy the reference answer's strategy, or null
 * @param question the customer's question
 * @param reference the reference answer
 * @param text the system's answer
 * @param latencyMillis wall time of the answer (for a batch: the batch's time divided by its size)
 * @param completionTokens tokens generated (0 when the system does not count tokens)
 * @param finishReason why generation ended
 */
public record Prediction(int index, String key, String source, String intent, String strategy, String question,
                         String reference, String text, double latencyMillis, int completionTokens, String finishReason) {
    /** @return tokens per second, or 0 when unknown */
    public double tokensPerSecond() {
        return latencyMillis > 0 && completionTokens > 0 ? completionTokens / (latencyMillis / 1000.0) : 0;
    }
}
