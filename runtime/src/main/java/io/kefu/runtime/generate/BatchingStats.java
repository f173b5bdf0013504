package io.kefu.runtime.generate;

/**
 * What a {@link ContinuousBatcher} has done since it started: for benchmarks, tests and metrics.
 *
 * @param requests requests that ended, for whatever reason
 * @param decodeSteps forward passes that advanced a running batch by one token per row
 * @param rowSteps the rows of all those passes added up ({@code rowSteps / decodeSteps} is the mean batch size)
 * @param peakBatchSize the most rows in one running batch
 * @param joins prefill passes that added requests to a running (or new) batch; requests admitted at the
 *     same token boundary join in one
 */
public record BatchingStats(long requests, long decodeSteps, long rowSteps, int peakBatchSize, long joins) {
    /** @return the mean rows per decoding step, 0 before the first step */
    public double meanBatchSize() {
        return decodeSteps == 0 ? 0 : (double) rowSteps / decodeSteps;
    }
}
