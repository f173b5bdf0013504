package io.kefu.engine.djl;

import ai.djl.ndarray.NDManager;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ChatTemplate;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.ModelInfo;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.generate.BatchedChatModel;
import io.kefu.runtime.generate.BatchingStats;
import io.kefu.runtime.generate.ContinuousBatcher;
import io.kefu.runtime.generate.GenerationLoop;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.engine.djl.generate.DjlDecoder;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * default. {@link #close()} lets the calls in flight finish, then frees the model's memory.
 */
final class DjlChatModel implements BatchedChatModel {
    private final DjlBaseModel base;
    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final NDManager manager;
    private final Map<String, ContinuousBatcher.Lane> adapterLanes = new LinkedHashMap<>();
    private final ContinuousBatcher.Lane defaultLane;
    private final ContinuousBatcher batcher;
    private final AtomicBoolean closed = new AtomicBoolean();

    DjlChatModel(DjlBaseModel base, List<io.kefu.train.Adapter> adapterList, BatchingOptions batching) {
        base.check();
        this.base = base;
        this.manager = base.weights().manager().newSubManager();
        HfTokenizer tokens = null;
        try {
            DecoderModel model = base.model();
            for (int i = 0; i < adapterList.size(); i++) {
                io.kefu.train.Adapter adapter = adapterList.get(i);
                if (!(adapter instanceof PeftAdapter peft)) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, "adapter " + (i + 1) + " (" + adapter.getClass().getSimpleName()
                            + ") holds no LoRA tensors; pass adapters trained with LoRA or loaded with Adapter.load");
                }
                LoraWeights lora = LoraWeights.of(base.config(), peft, manager);
                adapterLanes.put("adapter-" + (i + 1), () -> new DjlDecoder(model, lora, manager));
            }
            this.defaultLane = adapterLanes.isEmpty() ? () -> new DjlDecoder(model, null, manager)
                    : adapterLanes.values().iterator().next();
            tokens = HfTokenizer.load(base.directory());
            this.tokenizer = tokens;
            this.template = base.template();
            GenerationLoop loop = GenerationLoop.builder()
                    .decode(ids -> tokenizer.decode(ids, true))
                    .tokenText(id -> tokenizer.decode(new int[] {id}, false))
                    .stopTokenIds(ModelFolder.stopTokenIds(tokenizer, template, base.config(), base.generationConfig()))
                    .build();
            this.batcher = new ContinuousBatcher(loop, batching, base.config().vocabSize(), model.maxPositions(),
                    "chat model over " + base.ref().value());
        } catch (RuntimeException e) {
            if (tokens != null) {
                tokens.close();
            }
            manager.close();
            throw e;
        }
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        check();
        return batcher.generate(job(request));
    }

    /** Continues {@code prompt} tokenized as-is (no template, no special tokens) with the default adapter. */
    @Override
    public ChatResponse complete(String prompt, GenerationParameters parameters) {
        check();
        return batcher.generate(new ContinuousBatcher.Job(defaultLane, tokenizer.encode(prompt), parameters));
    }

    @Override
    public List<ChatResponse> chatBatch(List<ChatRequest> requests) {
        check();
        List<ContinuousBatcher.Job> jobs = new ArrayList<>(requests.size());
        for (ChatRequest request : requests) {
            jobs.add(job(request));
        }
        return batcher.generateAll(jobs);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        check();
        return batcher.stream(job(request));
    }

    @Override
    public BatchingStats batchingStats() {
        return batcher.stats();
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(base.ref().value(), DjlEngineProvider.ID, List.copyOf(adapterLanes.keySet()));
    }

    private ContinuousBatcher.Job job(ChatRequest request) {
        return new ContinuousBatcher.Job(lane(request), tokenizer.encode(template.render(request.messages(), true)),
                request.parameters());
    }

    private ContinuousBatcher.Lane lane(ChatRequest request) {
        if (request.adapter().isEmpty()) {
            return defaultLane;
        }
        String name = request.adapter().get();
        ContinuousBatcher.Lane lane = adapterLanes.get(name);
        if (lane == null) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, "adapter '" + name + "' is not loaded; this model has "
                    + (adapterLanes.isEmpty() ? "none" : String.join(", ", adapterLanes.keySet())));
        }
        return lane;
    }

    private void check() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "chat model over " + base.ref().value() + " is closed");
        }
        base.check();
    }

    /** Lets the calls in flight finish, then frees the adapters and the tokenizer; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                batcher.close();
            } finally {
                tokenizer.close();
                manager.close();
            }
        }
    }
}
