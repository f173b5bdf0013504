package io.kefu.engine.djl;

import ai.djl.ndarray.NDManager;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ChatTemplate;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.ModelInfo;
import io.kefu.core.format.PeftAdapter;
import io.kefu.core.generate.GenerationLoop;
import io.kefu.core.tokenize.HfTokenizer;
import io.kefu.engine.djl.generate.DjlDecoder;
import io.kefu.engine.djl.lora.LoraWeights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Chat over a {@link DjlBaseModel}, with LoRA adapters applied at inference time without merging
 * (each request picks one by name). Prompts are the model's chat template rendered with the
 * generation prompt; decoding, sampling and stopping run in sdk-core's {@link GenerationLoop};
 * generation stops on generation_config's EOS ids and the template's end-of-turn token.
 *
 * <p>Adapter names: {@code adapter-1}, {@code adapter-2} ... in the order given; the first is the
 * default. Requests in a {@link #chatBatch} that use the same adapter are decoded together.
 */
final class DjlChatModel implements ChatModel {
    private final DjlBaseModel base;
    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final GenerationLoop loop;
    private final NDManager manager;
    private final Map<String, LoraWeights> adapters = new LinkedHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    DjlChatModel(DjlBaseModel base, List<io.kefu.train.Adapter> adapterList) {
        base.check();
        this.base = base;
        this.manager = base.weights().manager().newSubManager();
        try {
            for (int i = 0; i < adapterList.size(); i++) {
                io.kefu.train.Adapter adapter = adapterList.get(i);
                if (!(adapter instanceof PeftAdapter peft)) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, "adapter " + (i + 1) + " (" + adapter.getClass().getSimpleName()
                            + ") holds no LoRA tensors; pass adapters trained with LoRA or loaded with Adapter.load");
                }
                adapters.put("adapter-" + (i + 1), LoraWeights.of(base.config(), peft, manager));
            }
            this.tokenizer = HfTokenizer.load(base.directory());
            this.template = base.template();
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.loop = GenerationLoop.builder()
                .decode(ids -> tokenizer.decode(ids, true))
                .tokenText(id -> tokenizer.decode(new int[] {id}, false))
                .stopTokenIds(ModelFolder.stopTokenIds(tokenizer, template, base.config(), base.generationConfig()))
                .build();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        check();
        return loop.generate(decoder(request), prompt(request), request.parameters());
    }

    /** Continues {@code prompt} tokenized as-is (no template, no special tokens) with the default adapter. */
    @Override
    public ChatResponse complete(String prompt, GenerationParameters parameters) {
        check();
        LoraWeights lora = adapters.isEmpty() ? null : adapters.values().iterator().next();
        return loop.generate(new DjlDecoder(base.model(), lora, manager), tokenizer.encode(prompt), parameters);
    }

    @Override
    public List<ChatResponse> chatBatch(List<ChatRequest> requests) {
        check();
        ChatResponse[] out = new ChatResponse[requests.size()];
        Map<LoraWeights, List<Integer>> groups = new LinkedHashMap<>();
        List<Integer> plain = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            LoraWeights lora = lora(requests.get(i));
            if (lora == null) {
                plain.add(i);
            } else {
                groups.computeIfAbsent(lora, k -> new ArrayList<>()).add(i);
            }
        }
        if (!plain.isEmpty()) {
            decodeTogether(requests, plain, null, out);
        }
        groups.forEach((lora, rows) -> decodeTogether(requests, rows, lora, out));
        return List.of(out);
    }

    private void decodeTogether(List<ChatRequest> requests, List<Integer> rows, LoraWeights lora, ChatResponse[] out) {
        List<int[]> prompts = new ArrayList<>();
        List<GenerationParameters> params = new ArrayList<>();
        for (int i : rows) {
            prompts.add(prompt(requests.get(i)));
            params.add(requests.get(i).parameters());
        }
        List<ChatResponse> answers = loop.generate(new DjlDecoder(base.model(), lora, manager), prompts, params);
        for (int j = 0; j < rows.size(); j++) {
            out[rows.get(j)] = answers.get(j);
        }
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        check();
        return loop.stream(decoder(request), prompt(request), request.parameters());
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(base.ref().value(), DjlEngineProvider.ID, List.copyOf(adapters.keySet()));
    }

    private DjlDecoder decoder(ChatRequest request) {
        return new DjlDecoder(base.model(), lora(request), manager);
    }

    private LoraWeights lora(ChatRequest request) {
        if (request.adapter().isEmpty()) {
            return adapters.isEmpty() ? null : adapters.values().iterator().next();
        }
        String name = request.adapter().get();
        LoraWeights lora = adapters.get(name);
        if (lora == null) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, "adapter '" + name + "' is not loaded; this model has "
                    + (adapters.isEmpty() ? "none" : String.join(", ", adapters.keySet())));
        }
        return lora;
    }

    private int[] prompt(ChatRequest request) {
        return tokenizer.encode(template.render(request.messages(), true));
    }

    private void check() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "chat model over " + base.ref().value() + " is closed");
        }
        base.check();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            tokenizer.close();
            manager.close();
        }
    }
}
