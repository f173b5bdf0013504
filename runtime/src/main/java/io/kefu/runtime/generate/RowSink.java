package io.kefu.runtime.generate;

import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatResponse;

/**
 * Where one generated answer goes: a {@link GeneratedStream} for a streaming caller, a
 * {@link ResponseFuture} for a caller waiting for the whole answer. Called from the generating
 * thread; {@link #cancelled()} may be set from any thread.
 */
interface RowSink {
    /** @return whether the caller gave up on the answer; the row ends at the next token boundary */
    boolean cancelled();

    /** Receives text that became visible (in order); never called after the row ended. */
    void chunk(ChatChunk chunk);

    /** Receives the answer once the row ended, for whatever reason but a failure. */
    void finished(ChatResponse response);

    /** Receives the failure that ended the row, and the answer so far ({@link io.kefu.chat.FinishReason#ERROR}). */
    void failed(KefuException error, ChatResponse partial);
}
