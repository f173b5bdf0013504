package io.kefu.runtime.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Where an answer goes when its caller waits for all of it: chunks are dropped, the end completes a future. */
final class ResponseFuture implements RowSink {
    private final CompletableFuture<ChatResponse> response = new CompletableFuture<>();
    private volatile boolean cancelled;

    @Override
    public boolean cancelled() {
        return cancelled;
    }

    /** Asks generation to stop at the next token boundary. */
    void cancel() {
        cancelled = true;
    }

    @Override
    public void chunk(ChatChunk chunk) {
    }

    @Override
    public void finished(ChatResponse value) {
        response.complete(value);
    }

    @Override
    public void failed(KefuException error, ChatResponse partial) {
        response.completeExceptionally(error);
    }

    /**
     * Waits for the answer.
     *
     * @throws KefuException the failure that ended generation (same code and message);
     *     {@link ErrorCode#CANCELLED} when the waiting thread is interrupted, which also cancels generation
     */
    ChatResponse await() {
        try {
            return response.get();
        } catch (InterruptedException e) {
            cancelled = true;
            Thread.currentThread().interrupt();
            throw new KefuException(ErrorCode.CANCELLED, "interrupted while waiting for the answer", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KefuException failure) {
                // a new exception, so the caller's stack shows where it waited; the generating thread's is the cause
                throw new KefuException(failure.code(), failure.getMessage(), failure);
            }
            throw new KefuException(ErrorCode.INTERNAL, "generation failed: " + e.getCause(), e.getCause());
        }
    }
}
