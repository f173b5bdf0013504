package io.kefu.engine.onnx;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatTemplate;
import io.kefu.chat.ModelInfo;
import io.kefu.runtime.generate.ContinuousBatcher;
import io.kefu.runtime.generate.DecoderChatModel;
import io.kefu.runtime.generate.StopCondition;
import io.kefu.runtime.tokenize.HfTokenizer;
import java.util.List;
import java.util.Optional;

/**
 * A {@link io.kefu.chat.ChatModel} over an ONNX decoder: the runtime's {@link DecoderChatModel}
 * drives {@link OnnxDecoder}s, all in one lane (the ONNX engine serves at most one adapter, merged
 * into the graph at export time). {@link #close()} lets the calls in flight finish, then closes the
 * session, the tokenizer and the owner (a temporary export).
 */
final class OnnxChatModel extends DecoderChatModel {
    private final OnnxDecoderModel model;
    private final ContinuousBatcher.Lane lane;
    private final ModelInfo info;
    private final AutoCloseable owner;

    /**
     * @param eosTokenIds the model's end-of-sequence ids (generation_config.json / config.json)
     * @param owner closed with the chat model (e.g. a temporary export), or null
     */
    OnnxChatModel(OnnxDecoderModel model, HfTokenizer tokenizer, ChatTemplate template, List<Integer> eosTokenIds,
                  String id, List<String> adapters, AutoCloseable owner, BatchingOptions batching) {
        super(tokenizer, template, StopCondition.stopTokenIds(eosTokenIds, tokenizer.tokenId(template.endOfTurn())),
                batching, model.vocabSize(), model.maxSequenceLength(), "ONNX chat model '" + id + "'");
        this.model = model;
        this.owner = owner;
        this.info = new ModelInfo(id, "onnx", adapters);
        this.lane = model::newDecoder;
    }

    @Override
    protected ContinuousBatcher.Lane lane(Optional<String> adapter) {
        adapter.ifPresent(name -> {
            if (!info.adapters().contains(name)) {
                throw new KefuException(ErrorCode.INVALID_REQUEST, "adapter '" + name + "' is not served by this model; it has "
                        + (info.adapters().isEmpty() ? "no adapters" : "adapters " + info.adapters())
                        + " (the ONNX engine serves the adapter merged at export time)");
            }
        });
        return lane;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    /** Closes the session, then the owner. */
    @Override
    protected void release() {
        try {
            model.close();
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
