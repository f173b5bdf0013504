package io.kefu.engine.onnx;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ChatTemplate;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.ModelInfo;
import io.kefu.runtime.generate.BatchedChatModel;
import io.kefu.runtime.generate.BatchingStats;
import io.kefu.runtime.generate.ContinuousBatcher;
import io.kefu.runtime.generate.GenerationLoop;
import io.kefu.runtime.generate.StopCondition;
import io.kefu.runtime.tokenize.HfTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link io.kefu.chat.ChatModel} over an ONNX decoder: the model's chat template renders the
 * prompt, its tokenizer encodes it, and the runtime's {@link ContinuousBatcher} drives
 * {@link OnnxDecoder}s with the sampling and stopping every engine shares. Concurrent calls are
 * decoded together, continuously: a call joins the running batch at the next token, up to
 * {@link BatchingOptions#maxBatchSize()} at a time. Thread-safe; {@link #close()} lets the calls in
 * flight finish first.
 */
final class OnnxChatModel implements BatchedChatModel {
    private final OnnxDecoderModel model;
    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final ContinuousBatcher.Lane lane;
    private final ContinuousBatcher batcher;
    private final ModelInfo info;
    private final AutoCloseable owner;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param eosTokenIds the model's end-of-sequence ids (generation_config.json / config.json)
     * @param owner closed with the chat model (e.g. a temporary export), or null
     */
    OnnxChatModel(OnnxDecoderModel model, HfTokenizer tokenizer, ChatTemplate template, List<Integer> eosTokenIds,
                  String id, List<String> adapters, AutoCloseable owner, BatchingOptions batching) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.owner = owner;
        GenerationLoop loop = GenerationLoop.builder()
                .decode(ids -> tokenizer.decode(ids, true))
                .tokenText(tokenId -> tokenizer.decode(new int[] {tokenId}, false))
                .stopTokenIds(StopCondition.stopTokenIds(eosTokenIds, tokenizer.tokenId(template.endOfTurn())))
                .build();
        this.info = new ModelInfo(id, "onnx", adapters);
        this.lane = model::newDecoder;
        this.batcher = new ContinuousBatcher(loop, batching, model.vocabSize(), model.maxSequenceLength(),
                "ONNX chat model '" + id + "'");
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

    /** Completes a plain prompt tokenized as-is (no chat template), as a base model would. */
    @Override
    public ChatResponse complete(String prompt, GenerationParameters parameters) {
        checkOpen();
        return batcher.generate(new ContinuousBatcher.Job(lane, tokenizer.encode(prompt), parameters));
    }

    @Override
    public BatchingStats batchingStats() {
        return batcher.stats();
    }

    private ContinuousBatcher.Job job(ChatRequest request) {
        return new ContinuousBatcher.Job(lane, promptIds(request), request.parameters());
    }

    private int[] promptIds(ChatRequest request) {
        request.adapter().ifPresent(name -> {
            if (!info.adapters().contains(name)) {
                throw new KefuException(ErrorCode.INVALID_REQUEST, "adapter '" + name + "' is not served by this model; it has "
                        + (info.adapters().isEmpty() ? "no adapters" : "adapters " + info.adapters())
                        + " (the ONNX engine serves the adapter merged at export time)");
            }
        });
        return tokenizer.encode(template.render(request.messages(), true));
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "the ONNX chat model '" + info.id() + "' was closed");
        }
    }

    /** Lets the calls in flight finish, then closes the session and the tokenizer; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                batcher.close();
                model.close();
                tokenizer.close();
            } finally {
                if (owner != null) {
                    try {
                        owner.close();
                    } catch (Exception e) {
                        throw new KefuException(ErrorCode.IO, "cannot release '" + info.id() + "': " + e.getMessage(), e);
                    }
                }
            }
        }
    }
}
