package io.kefu.runtime.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stream over an answer that is already complete: one chunk holding the whole text, its tokens
 * and log-probabilities. For models that produce an answer at once (rules, policy decorators that
 * must see the whole answer before any of it may be sent).
 */
public final class CompletedChatStream implements ChatStream {
    private final ChatResponse response;
    private final AtomicBoolean iterated = new AtomicBoolean();

    private CompletedChatStream(ChatResponse response) {
        this.response = Objects.requireNonNull(response, "response");
    }

    /** @return a stream that yields the response as one chunk */
    public static CompletedChatStream of(ChatResponse response) {
        return new CompletedChatStream(response);
    }

    @Override
    public Iterator<ChatChunk> iterator() {
        if (!iterated.compareAndSet(false, true)) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, "a chat stream may be iterated once");
        }
        return List.of(new ChatChunk(response.text(), response.tokenIds(), response.logprobs())).iterator();
    }

    /** Nothing to stop: the answer is complete. */
    @Override
    public void cancel() {
    }

    @Override
    public boolean isDone() {
        return true;
    }

    @Override
    public ChatResponse response() {
        return response;
    }

    /** Holds no resources. */
    @Override
    public void close() {
    }
}
