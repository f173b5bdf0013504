package io.kefu.runtime.generate;

import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.FinishReason;

/**
 * One request being generated: its {@link SequenceState}, where its output goes and when it
 * started. What happens to a row at a token boundary is decided here, the same for a fixed batch
 * ({@link GenerationLoop}) and a running one ({@link ContinuousBatcher}).
 */
final class Row {
    private final SequenceState state;
    private final RowSink sink;
    private final long startNanos;

    Row(SequenceState state, RowSink sink, long startNanos) {
        this.state = state;
        this.sink = sink;
        this.startNanos = startNanos;
    }

    boolean isFinished() {
        return state.isFinished();
    }

    boolean isCancelled() {
        return sink.cancelled();
    }

    int lastToken() {
        return state.lastToken();
    }

    int[] promptIds() {
        return state.promptIds();
    }

    /**
     * One token boundary: ends the row when its caller cancelled, else samples the next token from
     * {@code logits} and applies the stop rules; sends the text that became visible, and the answer
     * once the row ended. A failure of this row alone (NaN logits, a tokenizer error) fails only it.
     *
     * @param maxSequenceLength the decoder's limit on prompt plus generated positions
     */
    void advance(float[] logits, int maxSequenceLength) {
        ChatChunk chunk;
        try {
            chunk = sink.cancelled() ? state.end(FinishReason.CANCELLED) : state.advance(logits, maxSequenceLength);
        } catch (RuntimeException e) {
            fail(DecoderCalls.failure(e));
            return;
        }
        send(chunk);
    }

    /** Ends the row as cancelled without decoding further (for a request cancelled before or between steps). */
    void cancel() {
        if (!state.isFinished()) {
            send(state.end(FinishReason.CANCELLED));
        }
    }

    /** Ends the row with {@link FinishReason#ERROR}, keeping the text so far, and hands the failure to its caller. */
    void fail(KefuException error) {
        if (state.isFinished()) {
            return;
        }
        ChatChunk last = null;
        try {
            last = state.end(FinishReason.ERROR);
        } catch (RuntimeException e) {
            state.abandon();
        }
        if (last != null) {
            sink.chunk(last);
        }
        sink.failed(error, state.response(startNanos));
    }

    private void send(ChatChunk chunk) {
        if (chunk != null) {
            sink.chunk(chunk);
        }
        if (state.isFinished()) {
            sink.finished(state.response(startNanos));
        }
    }
}
