package io.kefu.parity;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.GenerationParameters;
import io.kefu.eval.parity.DecodeComparison;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.testkit.TinyModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ONNX engine against the DJL engine on the same tiny checkpoints of each architecture (llama
 * with Llama 3 rope scaling, qwen2 with q/k/v biases, qwen3 with q/k norms): 64-token greedy
 * decodes of a raw prompt and of a chat request must be token-identical (stop point included), and
 * the log-probability of every generated token, computed by each engine on the same token sequence,
 * must agree within 1e-4 ({@link DecodeComparison}, what {@code kefu verify} runs). Checked without
 * an adapter, with a LoRA adapter (applied unmerged by DJL, merged at export by ONNX), and with the
 * checkpoint DJL merged itself.
 */
class OnnxDjlParityIT {
    private static final double TOLERANCE = 1e-4;
    private static final int NEW_TOKENS = 64;
    private static final String RAW_PROMPT = "Customer: Do you still have the linen dress in size S?\nAgent:";
    private static final String CHAT_QUESTION = "连衣裙A有S码吗? Can I return it within 7 days?";
    private static final Map<String, Double> MAX_DIFFERENCES = new ConcurrentSkipListMap<>();

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"llama, llama3, 1", "qwen2, qwen3, 2", "qwen3, qwen3, 3"})
    void greedyDecodesAndLogprobsAgreeWithAndWithoutAnAdapter(String arch, String tokenizer, long seed) {
        Engine djl = Engines.get("djl");
        Engine onnx = Engines.get("onnx");
        Path checkpoint = TinyModels.checkpoint(temp.resolve("base"), arch, tokenizer, seed);
        Path adapterDir = TinyModels.adapter(temp.resolve("adapter"), checkpoint, seed + 100);
        PeftAdapter adapter = PeftAdapter.load(adapterDir);
        Path merged = temp.resolve("djl-merged");
        djl.merge(checkpoint, adapter, merged);
        Path onnxBase = onnx.export(checkpoint, Optional.empty(), temp.resolve("onnx-base"), Map.of());
        Path onnxAdapted = onnx.export(checkpoint, Optional.of(adapterDir), temp.resolve("onnx-adapter"), Map.of());

        List<Integer> baseTokens;
        try (BaseModel djlModel = djl.load(ModelRef.of(checkpoint)); BaseModel onnxModel = onnx.load(ModelRef.of(onnxBase));
             ChatModel djlChat = djl.chatModel(djlModel); ChatModel onnxChat = onnx.chatModel(onnxModel)) {
            baseTokens = assertSameDecodes(arch + " base", djlChat, onnxChat);
        }
        try (BaseModel djlModel = djl.load(ModelRef.of(checkpoint)); BaseModel onnxModel = onnx.load(ModelRef.of(onnxAdapted));
             ChatModel djlChat = djl.chatModel(djlModel, List.of(adapter)); ChatModel onnxChat = onnx.chatModel(onnxModel)) {
            List<Integer> adaptedTokens = assertSameDecodes(arch + " adapter (djl unmerged, onnx --adapter)", djlChat, onnxChat);
            assertThat(adaptedTokens).as("the adapter changes what the model says").isNotEqualTo(baseTokens);
        }
        try (BaseModel djlModel = djl.load(ModelRef.of(merged)); BaseModel onnxModel = onnx.load(ModelRef.of(onnxAdapted));
             ChatModel djlChat = djl.chatModel(djlModel); ChatModel onnxChat = onnx.chatModel(onnxModel)) {
            assertSameDecodes(arch + " adapter (djl merged, onnx --adapter)", djlChat, onnxChat);
        }
        // the checkpoint itself: the onnx engine exports it with the shared key/value cache
        try (BaseModel djlModel = djl.load(ModelRef.of(checkpoint)); BaseModel onnxModel = onnx.load(ModelRef.of(checkpoint));
             ChatModel djlChat = djl.chatModel(djlModel); ChatModel onnxChat = onnx.chatModel(onnxModel)) {
            assertThat(assertSameDecodes(arch + " base (onnx shared kv cache)", djlChat, onnxChat)).isEqualTo(baseTokens);
        }
    }

    /** @return the raw completion's tokens, for comparing runs */
    private static List<Integer> assertSameDecodes(String label, ChatModel djl, ChatModel onnx) {
        GenerationParameters greedy = GenerationParameters.builder().maxNewTokens(NEW_TOKENS).logprobs(true).build();
        ChatResponse djlRaw = djl.complete(RAW_PROMPT, greedy);
        ChatResponse onnxRaw = onnx.complete(RAW_PROMPT, greedy);
        assertSame(label + ", raw prompt", djlRaw, onnxRaw);

        ChatRequest request = ChatRequest.builder().addUser(CHAT_QUESTION).parameters(greedy).build();
        assertSame(label + ", chat", djl.chat(request), onnx.chat(request));
        return djlRaw.tokenIds();
    }

    private static void assertSame(String label, ChatResponse djl, ChatResponse onnx) {
        DecodeComparison comparison = DecodeComparison.of(label, djl, onnx, TOLERANCE);
        assertThat(comparison.matches()).as(comparison.describe()).isTrue();
        assertThat(comparison.promptTokens()).as(label + ": prompt tokens").isPositive();
        assertThat(djl.tokenIds()).as(label + ": a decode long enough to mean something").hasSizeGreaterThan(NEW_TOKENS / 2);
        assertThat(comparison.comparedLogprobs()).as(label + ": logprobs of every token").isEqualTo(djl.tokenIds().size());
        MAX_DIFFERENCES.put(label, comparison.maxLogprobDifference());
    }

    @AfterAll
    static void printTable() {
        System.out.println("max |logprob(djl) - logprob(onnx)| over " + NEW_TOKENS + " greedy tokens (tolerance " + TOLERANCE + ")");
        MAX_DIFFERENCES.forEach((label, max) -> System.out.printf(Locale.ROOT, "  %-60s %.3e%n", label, max));
    }
}
