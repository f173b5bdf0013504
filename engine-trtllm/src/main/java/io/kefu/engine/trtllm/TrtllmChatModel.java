package io.kefu.engine.trtllm;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.ModelInfo;
import io.kefu.runtime.format.GenerationConfig;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.ChatEncoder;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.engine.trtllm.internal.ExecutorHandle;
import io.kefu.engine.trtllm.internal.LoraTensors;
import io.kefu.engine.trtllm.internal.RequestSpec;
import io.kefu.engine.trtllm.internal.ResponsePoller;
import io.kefu.engine.trtllm.internal.TrtllmNative;
import io.kefu.train.Adapter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A chat model over one TensorRT-LLM executor. Prompts are rendered with the folder's chat template
 * and tokenized with its tokenizer by a {@link ChatEncoder} (special tokens only where the template
 * put them); generation stops at the template's end-of-turn token, the
 * tokenizer's EOS and generation_config.json's EOS ids. Requests from any number of threads are
 * batched in flight by the executor; when its queue is full, {@link #chat} and {@link #stream}
 * fail with {@link ErrorCode#RESOURCE_EXHAUSTED} (a server answers 429). {@link #close()} lets
 * requests in flight finish (up to {@link TrtllmSettings#drainTimeout()}) before freeing the executor.
 */
final class TrtllmChatModel implements ChatModel {
    private record LoraTask(long taskId, LoraTensors tensors, AtomicBoolean sent) {
    }

    private final TrtllmBaseModel base;
    private final HfTokenizer tokenizer;
    private final ChatEncoder encoder;
    private final int[] endIds;
    private final Map<String, LoraTask> adapters;
    private final TrtllmSettings settings;
    private final ResponsePoller poller;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Streams not finished yet; close settles them before it closes the tokenizer they decode with. */
    private final Set<TrtllmChatStream> live = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private TrtllmChatModel(TrtllmBaseModel base, HfTokenizer tokenizer, HfChatTemplate template, int[] endIds,
                            Map<String, LoraTask> adapters, TrtllmSettings settings, ResponsePoller poller) {
        this.base = base;
        this.tokenizer = tokenizer;
        this.encoder = new ChatEncoder(tokenizer, template);
        this.endIds = endIds;
        this.adapters = adapters;
        this.settings = settings;
        this.poller = poller;
    }

    static TrtllmChatModel open(TrtllmNative lib, TrtllmBaseModel base, List<Adapter> adapters, TrtllmSettings settings) {
        base.ensureOpen();
        Map<String, LoraTask> tasks = new LinkedHashMap<>();
        for (int i = 0; i < adapters.size(); i++) {
            if (!(adapters.get(i) instanceof PeftAdapter peft)) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "adapter " + (i + 1) + " is a " + adapters.get(i).getClass().getSimpleName()
                        + "; engine 'trtllm' serves PEFT adapters (load them with Adapter.load(folder))");
            }
            tasks.put("adapter-" + (i + 1), new LoraTask(i + 1, LoraTensors.fromPeft(peft, base.config()), new AtomicBoolean()));
        }
        HfTokenizer tokenizer = HfTokenizer.load(base.directory());
        try {
            HfChatTemplate template = HfChatTemplate.fromModelDir(base.directory());
            int[] endIds = endIds(tokenizer, template, base);
            ExecutorHandle executor = ExecutorHandle.create(lib, base.directory(), settings.executorSettings());
            ResponsePoller poller = new ResponsePoller(executor, "kefu-trtllm-poller-" + base.directory().getFileName());
            return new TrtllmChatModel(base, tokenizer, template, endIds, tasks, settings, poller);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    private static int[] endIds(HfTokenizer tokenizer, HfChatTemplate template, TrtllmBaseModel base) {
        Set<Integer> ids = new LinkedHashSet<>();
        tokenizer.tokenId(template.endOfTurn()).ifPresent(ids::add);
        tokenizer.eosToken().flatMap(t -> {
            var id = tokenizer.tokenId(t);
            return id.isPresent() ? java.util.Optional.of(id.getAsInt()) : java.util.Optional.empty();
        }).ifPresent(ids::add);
        GenerationConfig.load(base.directory()).ifPresent(g -> ids.addAll(g.eosTokenIds()));
        if (ids.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, base.directory() + ": neither the chat template's end of turn '"
                    + template.endOfTurn() + "' nor an EOS token is a token of tokenizer.json; generation could not stop");
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        try (TrtllmChatStream stream = start(request, false)) {
            ChatResponse response = stream.response();
            if (response.finishReason() == FinishReason.ERROR) {
                throw stream.failure();
            }
            return response;
        }
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        return start(request, true);
    }

    private TrtllmChatStream start(ChatRequest request, boolean streaming) {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "the TensorRT-LLM chat model over " + base.directory() + " is closed");
        }
        GenerationParameters p = request.parameters();
        LoraTask lora = null;
        if (request.adapter().isPresent()) {
            lora = adapters.get(request.adapter().get());
            if (lora == null) {
                throw new KefuException(ErrorCode.INVALID_REQUEST, "adapter '" + request.adapter().get() + "' is not loaded; this model has "
                        + (adapters.isEmpty() ? "no adapters" : String.join(", ", adapters.keySet())));
            }
        } else if (!adapters.isEmpty()) {
            lora = adapters.values().iterator().next();
        }
        int[] prompt = encoder.promptIds(request.messages());
        List<int[]> stops = new ArrayList<>();
        for (String stop : p.stopSequences()) {
            int[] ids = tokenizer.encode(stop);
            if (ids.length > 0) {
                stops.add(ids);
            }
        }
        RequestSpec spec = new RequestSpec(prompt, p.maxNewTokens(), (float) p.temperature(), p.topK(), (float) p.topP(),
                (float) p.repetitionPenalty(), p.seed(), endIds, stops, streaming, p.logprobs(), -1, null);
        TrtllmChatStream[] self = new TrtllmChatStream[1];
        TrtllmChatStream stream = new TrtllmChatStream(tokenizer, prompt, endIds, p.stopSequences(), p.logprobs(), poller::cancel,
                () -> live.remove(self[0]));
        self[0] = stream;
        live.add(stream);
        long id;
        try {
            id = lora == null ? poller.submit(spec, stream, settings.requestTimeout()) : submitWithLora(spec, stream, lora);
        } catch (RuntimeException e) {
            live.remove(stream);
            throw e;
        }
        stream.started(id);
        return stream;
    }

    /**
     * Sends the adapter's weights with its first request. Later requests name the task only; if the
     * executor evicted it meanwhile, {@link EvictedLoraRetry} sends the request again with the weights.
     */
    private long submitWithLora(RequestSpec spec, TrtllmChatStream stream, LoraTask lora) {
        if (lora.sent().get()) {
            EvictedLoraRetry retry = new EvictedLoraRetry(stream, () -> submitWeights(spec, stream, lora), poller::cancel);
            try {
                return poller.submit(spec.withLora(lora.taskId(), null), retry, settings.requestTimeout());
            } catch (KefuException e) {
                // a library that still checks its cache at enqueue says so at once
                if (e.code() != ErrorCode.NOT_FOUND) {
                    throw e;
                }
            }
        }
        return submitWeights(spec, stream, lora);
    }

    private long submitWeights(RequestSpec spec, TrtllmChatStream stream, LoraTask lora) {
        long id = poller.submit(spec.withLora(lora.taskId(), lora.tensors()), stream, settings.requestTimeout());
        lora.sent().set(true);
        return id;
    }

    /** @return the executor's latest iteration statistics as JSON */
    String statsJson() {
        return poller.statsJson();
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(base.directory().getFileName().toString(), "trtllm", List.copyOf(adapters.keySet()));
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                poller.close(settings.drainTimeout());
                // every stream now has its final event queued: decode them while the tokenizer is open
                for (TrtllmChatStream stream : List.copyOf(live)) {
                    stream.settle();
                }
            } finally {
                tokenizer.close();
            }
        }
    }
}
