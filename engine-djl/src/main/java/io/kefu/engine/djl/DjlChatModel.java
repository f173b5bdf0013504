package io.kefu.engine.djl;

import ai.djl.ndarray.NDManager;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ModelInfo;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.generate.ContinuousBatcher;
import io.kefu.runtime.generate.DecoderChatModel;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.engine.djl.generate.DjlDecoder;
import io.kefu.engine.djl.generate.ShardedForward;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chat over a {@link DjlBaseModel}, with LoRA adapters applied at inference time without merging
 * (each request picks one by name). Prompts are the model's chat template rendered with the
 * generation prompt; generation stops on generation_config's EOS ids and the template's
 * end-of-turn token.
 *
 * <p>Every call ({@code chat}, {@code chatBatch}, {@code stream}, {@code complete}) goes through one
 * {@link ContinuousBatcher}: concurrent calls that use the same adapter are decoded together, a new
 * call joining the running batch at the next token, up to {@link BatchingOptions#maxBatchSize()}
 * calls at a time; calls for different adapters run in separate batches that take turns.
 *
 * <p>Adapter names: {@code adapter-1}, {@code adapter-2} ... in the order given; the first is the
 * default. {@link #close()} lets the calls in flight finish, then frees the adapters' memory; the base
 * model stays open.
 */
final class DjlChatModel extends DecoderChatModel {
    private final DjlBaseModel base;
    private final NDManager manager;
    private final Map<String, ContinuousBatcher.Lane> adapterLanes;
    private final ContinuousBatcher.Lane defaultLane;
    private final ShardedForward sharded; // the pass without adapters, or null

    private DjlChatModel(DjlBaseModel base, NDManager manager, Map<String, ContinuousBatcher.Lane> adapterLanes,
                         ShardedForward sharded, HfTokenizer tokenizer, BatchingOptions batching) {
        super(tokenizer, base.template(),
                ModelFolder.stopTokenIds(tokenizer, base.template(), base.config(), base.generationConfig()),
                batching, base.config().vocabSize(), base.model().maxPositions(), "chat model over " + base.ref().value());
        this.base = base;
        this.manager = manager;
        this.adapterLanes = adapterLanes;
        DecoderModel model = base.model();
        this.sharded = sharded;
        if (sharded != null) {
            this.defaultLane = () -> new DjlDecoder(sharded, manager);
        } else {
            this.defaultLane = adapterLanes.isEmpty() ? () -> new DjlDecoder(model, null, manager) : adapterLanes.values().iterator().next();
        }
    }

    /** Loads the adapters' weights and the tokenizer; on failure frees what was loaded. */
    static DjlChatModel open(DjlBaseModel base, List<io.kefu.train.Adapter> adapterList, BatchingOptions batching) {
        base.check();
        NDManager manager = base.weights().manager().newSubManager();
        HfTokenizer tokenizer = null;
        ShardedForward sharded = null;
        try {
            Map<String, ContinuousBatcher.Lane> lanes = adapterLanes(base, adapterList, manager);
            sharded = lanes.isEmpty() ? ShardedForward.start(base.model(), manager) : null;
            tokenizer = HfTokenizer.load(base.directory());
            return new DjlChatModel(base, manager, lanes, sharded, tokenizer, batching);
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            if (sharded != null) {
                sharded.close();
            }
            manager.close();
            throw e;
        }
    }

    private static Map<String, ContinuousBatcher.Lane> adapterLanes(DjlBaseModel base, List<io.kefu.train.Adapter> adapterList,
                                                                    NDManager manager) {
        DecoderModel model = base.model();
        Map<String, ContinuousBatcher.Lane> lanes = new LinkedHashMap<>();
        for (int i = 0; i < adapterList.size(); i++) {
            io.kefu.train.Adapter adapter = adapterList.get(i);
            if (!(adapter instanceof PeftAdapter peft)) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "adapter " + (i + 1) + " (" + adapter.getClass().getSimpleName()
                        + ") holds no LoRA tensors; pass adapters trained with LoRA or loaded with Adapter.load");
            }
            LoraWeights lora = LoraWeights.of(base.config(), peft, manager);
            lanes.put("adapter-" + (i + 1), () -> new DjlDecoder(model, lora, manager));
        }
        return lanes;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(base.ref().value(), DjlEngineProvider.ID, List.copyOf(adapterLanes.keySet()));
    }

    @Override
    protected ContinuousBatcher.Lane lane(Optional<String> adapter) {
        if (adapter.isEmpty()) {
            return defaultLane;
        }
        String name = adapter.get();
        ContinuousBatcher.Lane lane = adapterLanes.get(name);
        if (lane == null) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, "adapter '" + name + "' is not loaded; this model has "
                    + (adapterLanes.isEmpty() ? "none" : String.join(", ", adapterLanes.keySet())));
        }
        return lane;
    }

    @Override
    protected void checkUsable() {
        base.check();
    }

    /** Stops the decoding threads and frees the adapters' weights. */
    @Override
    protected void release() {
        if (sharded != null) {
            sharded.close();
        }
        manager.close();
    }
}
