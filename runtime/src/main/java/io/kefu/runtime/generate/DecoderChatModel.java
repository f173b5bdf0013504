package io.kefu.runtime.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ChatTemplate;
import io.kefu.chat.GenerationParameters;
import io.kefu.runtime.tokenize.ChatEncoder;
import io.kefu.runtime.tokenize.HfTokenizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A chat model over a local decoder, whatever runs it: the chat template renders the prompt, the
 * tokenizer encodes it with special tokens only where the template put them ({@link ChatEncoder}),
 * and one {@link ContinuousBatcher} decodes every call ({@code chat},
 * {@code chatBatch}, {@code stream}, {@code complete}) with the sampling and stopping every engine
 * shares. Concurrent calls for the same {@link ContinuousBatcher.Lane} are decoded together, a new
 * call joining the running batch at the next token. An engine supplies the lanes (one per adapter,
 * or one for all), the model's description and what to release on close.
 *
 * <p>Thread-safe. {@link #close()} lets the calls in flight finish, then releases the engine's
 * resources and the tokenizer; it is idempotent, and a call after it fails with
 * {@link ErrorCode#CLOSED}.
 */
public abstract class DecoderChatModel implements BatchedChatModel {
    private final HfTokenizer tokenizer;
    private final ChatEncoder encoder;
    private final ContinuousBatcher batcher;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param tokenizer the model's tokenizer, closed with this model
     * @param template the model's chat template
     * @param stopTokenIds the ids that end an answer: the model's EOS ids and the template's end of turn
     * @param batching how many calls run together
     * @param vocabSize the number of logits a decoder step returns
     * @param maxPositions the longest sequence the model takes
     * @param description names the model in messages, e.g. {@code chat model over Qwen/Qwen3-0.6B}
     */
    protected DecoderChatModel(HfTokenizer tokenizer, ChatTemplate template, Collection<Integer> stopTokenIds,
                               BatchingOptions batching, int vocabSize, int maxPositions, String description) {
        this.tokenizer = tokenizer;
        this.encoder = new ChatEncoder(tokenizer, template);
        this.description = description;
        GenerationLoop loop = GenerationLoop.builder()
                .decode(ids -> tokenizer.decode(ids, true))
                .tokenText(id -> tokenizer.decode(new int[] {id}, false))
                .stopTokenIds(stopTokenIds)
                .build();
        this.batcher = new ContinuousBatcher(loop, batching, vocabSize, maxPositions, description);
    }

    /**
     * @param adapter the adapter a request names, or empty for the default
     * @return the lane that decodes with that adapter
     * @throws KefuException with {@link ErrorCode#INVALID_REQUEST} when the model does not serve it
     */
    protected abstract ContinuousBatcher.Lane lane(Optional<String> adapter);

    /** Releases what the engine owns (weights, sessions, temporary folders); called once, after the last call finished. */
    protected abstract void release();

    /** Throws when something this model depends on (a base model closed first) is gone; nothing by default. */
    protected void checkUsable() {
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        checkOpen();
        return batcher.generate(job(request));
    }

    @Override
    public List<ChatResponse> chatBatch(List<ChatRequest> requests) {
        checkOpen();
        List<ContinuousBatcher.Job> jobs = new ArrayList<>(requests.size());
        for (ChatRequest request : requests) {
            jobs.add(job(request));
        }
        return batcher.generateAll(jobs);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        checkOpen();
        return batcher.stream(job(request));
    }

    /** Continues {@code prompt} tokenized as-is (no chat template, no special tokens) with the default adapter. */
    @Override
    public ChatResponse complete(String prompt, GenerationParameters parameters) {
        checkOpen();
        return batcher.generate(new ContinuousBatcher.Job(lane(Optional.empty()), tokenizer.encode(prompt), parameters));
    }

    @Override
    public BatchingStats batchingStats() {
        return batcher.stats();
    }

    private ContinuousBatcher.Job job(ChatRequest request) {
        ContinuousBatcher.Lane lane = lane(request.adapter());
        return new ContinuousBatcher.Job(lane, encoder.promptIds(request.messages()), request.parameters());
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, description + " is closed");
        }
        checkUsable();
    }

    /** Lets the calls in flight finish, then releases the engine's resources and the tokenizer; idempotent. */
    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                batcher.close();
            } finally {
                try {
                    release();
                } finally {
                    tokenizer.close();
                }
            }
        }
    }
}
