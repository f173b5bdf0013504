package io.kefu.chat;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/**
 * How a chat model batches concurrent calls. Engines that batch continuously decode every
 * {@code chat}/{@code stream} call that arrives while others run in one batch: a new request joins
 * the running batch at the next token boundary, a finished or cancelled one leaves it, so no call
 * waits for a whole batch to end. {@link #oneAtATime()} decodes calls strictly one after another
 * (the baseline in benchmarks).
 *
 * @param maxBatchSize the most requests decoded together (1 = one at a time)
 */
public record BatchingOptions(int maxBatchSize) {
    /** The default: up to 16 requests in one running batch. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 16;

    public BatchingOptions {
        if (maxBatchSize < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "maxBatchSize must be at least 1, got " + maxBatchSize);
        }
    }

    /** @return the default options (up to {@value #DEFAULT_MAX_BATCH_SIZE} requests per batch) */
    public static BatchingOptions defaults() {
        return new BatchingOptions(DEFAULT_MAX_BATCH_SIZE);
    }

    /** @return options that decode one request at a time */
    public static BatchingOptions oneAtATime() {
        return new BatchingOptions(1);
    }
}
