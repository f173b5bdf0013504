package io.kefu.engine.onnx;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ChatTemplate;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.ModelInfo;
import io.kefu.core.generate.GenerationLoop;
import io.kefu.core.generate.StopCondition;
import io.kefu.core.tokenize.HfTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link ChatModel} over an ONNX decoder: the model's chat template renders the prompt, its
 * tokenizer encodes it, and sdk-core's {@link GenerationLoop} drives an {@link OnnxDecoder} with
 * the sampling and stopping every engine shares. Batches are decoded together (left-padded),
 * at most {@link #MAX_BATCH} rows at a time. Thread-safe: each request gets its own decoder.
 */
final class OnnxChatModel implements ChatModel {
    /** The most requests decoded together by {@link #chatBatch(List)}. */
    static final int MAX_BATCH = 16;

    private final OnnxDecoderModel model;
    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final GenerationLoop loop;
    private final ModelInfo info;
    private final AutoCloseable owner;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param eosTokenIds the model's end-of-sequence ids (generation_config.json / config.json)
     * @param owner closed with the chat model (e.g. a temporary export), or null
     */
    OnnxChatModel(OnnxDecoderModel model, HfTokenizer tokenizer, ChatTemplate template, List<Integer> eosTokenIds,
                  String id, List<String> adapters, AutoCloseable owner) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.owner = owner;
        this.loop = GenerationLoop.builder()
                .decode(ids -> tokenizer.decode(ids, true))
                .tokenText(tokenId -> tokenizer.decode(new int[] {tokenId}, false))
                .stopTokenIds(StopCondition.stopTokenIds(eosTokenIds, tokenizer.tokenId(template.endOfTurn())))
                .build();
        this.info = new ModelInfo(id, "onnx", adapters);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        checkOpen();
        return loop.generate(model.newDecoder(), promptIds(request), request.parameters());
    }

    @Override
    public List<ChatResponse> chatBatch(List<ChatRequest> requests) {
        checkOpen();
        List<ChatResponse> out = new ArrayList<>(requests.size());
        for (int from = 0; from < requests.size(); from += MAX_BATCH) {
            List<ChatRequest> part = requests.subList(from, Math.min(requests.size(), from + MAX_BATCH));
            List<int[]> prompts = new ArrayList<>(part.size());
            List<GenerationParameters> params = new ArrayList<>(part.size());
            for (ChatRequest request : part) {
                prompts.add(promptIds(request));
                params.add(request.parameters());
            }
            out.addAll(loop.generate(model.newDecoder(), prompts, params));
        }
        return out;
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        checkOpen();
        return loop.stream(model.newDecoder(), promptIds(request), request.parameters());
    }

    /** Completes a plain prompt tokenized as-is (no chat template), as a base model would. */
    @Override
    public ChatResponse complete(String prompt, GenerationParameters parameters) {
        checkOpen();
        return loop.generate(model.newDecoder(), tokenizer.encode(prompt), parameters);
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

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
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
