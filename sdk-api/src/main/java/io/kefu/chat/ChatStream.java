package io.kefu.chat;

import java.util.Iterator;

/**
 * A streamed answer: iterate the chunks as they are generated, then read {@link #response()}.
 *
 * <p>{@link #cancel()} stops generation from any thread; the iteration then ends and the response
 * has {@link FinishReason#CANCELLED}. {@link #close()} cancels a stream that is still running and
 * releases its resources; it is idempotent. Iterating blocks until the next chunk or the end.
 */
public interface ChatStream extends Iterable<ChatChunk>, AutoCloseable {
    /**
     * @return the chunks, in order; may be iterated once
     * @throws io.kefu.KefuException when the engine fails mid-stream
     */
    @Override
    Iterator<ChatChunk> iterator();

    /** Stops generation as soon as possible; safe to call from any thread, any number of times. */
    void cancel();

    /** @return true once generation has ended, for whatever reason */
    boolean isDone();

    /**
     * Blocks until generation ends (draining chunks not yet iterated) and returns the whole answer.
     *
     * @return the finished response
     */
    ChatResponse response();

    /** Cancels if still running and releases resources. Idempotent; throws no checked exception. */
    @Override
    void close();
}
