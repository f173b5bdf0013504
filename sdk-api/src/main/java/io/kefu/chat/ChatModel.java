package io.kefu.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Answers chat requests. Implemented by every engine and by decorators (grounding, compliance,
 * hand-off) that wrap another model.
 *
 * <p>A model built from a tuned base shares one chat template and one set of stop tokens with
 * training, so it stops where it was taught to stop. Implementations are thread-safe.
 * {@link #close()} releases native memory and threads; it is idempotent, and calls after it fail
 * with {@link io.kefu.ErrorCode#CLOSED}.
 */
public interface ChatModel extends AutoCloseable {
    /**
     * Generates a whole answer.
     *
     * @throws io.kefu.KefuException on invalid requests or engine failure
     */
    ChatResponse chat(ChatRequest request);

    /** Answers one user message with default (greedy) parameters. */
    default ChatResponse chat(String userMessage) {
        return chat(ChatRequest.of(userMessage));
    }

    /**
     * Answers several requests. Engines that batch override this to decode them together; the
     * default answers them one by one. Answers come back in request order.
     */
    default List<ChatResponse> chatBatch(List<ChatRequest> requests) {
        List<ChatResponse> out = new ArrayList<>(requests.size());
        for (ChatRequest request : requests) {
            out.add(chat(request));
        }
        return out;
    }

    /**
     * Starts generating and returns at once; the answer arrives through the stream.
     *
     * @throws io.kefu.KefuException on invalid requests; later failures surface while iterating
     */
    ChatStream stream(ChatRequest request);

    /**
     * Continues a plain text prompt tokenized as it is, with no chat template and no special tokens
     * added (base-model completion), with the model's default adapter. Generation stops at an EOS
     * token, a stop sequence or {@link GenerationParameters#maxNewTokens()}. Lets engines be compared
     * token for token on the same prompt.
     *
     * @throws io.kefu.KefuException with {@link io.kefu.ErrorCode#UNSUPPORTED} when the model has no
     *     raw-completion entry point (the default)
     */
    default ChatResponse complete(String prompt, GenerationParameters parameters) {
        throw new io.kefu.KefuException(io.kefu.ErrorCode.UNSUPPORTED, "model '" + info().id() + "' (engine '"
                + info().engine() + "') does not complete raw prompts; use chat requests with messages instead");
    }

    /** @return what this model is and which adapters it can answer with */
    ModelInfo info();

    /** Releases resources; idempotent; throws no checked exception. */
    @Override
    void close();
}
