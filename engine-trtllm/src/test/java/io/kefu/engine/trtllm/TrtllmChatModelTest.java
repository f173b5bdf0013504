package io.kefu.engine.trtllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.GenerationParameters;
import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.engine.trtllm.internal.EngineFolders;
import io.kefu.engine.trtllm.internal.TestDouble;
import io.kefu.model.BaseModel;
import io.kefu.model.EngineStatus;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.train.LoraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat model end to end through real JNA against the C test double, with the real Llama 3
 * tokenizer and chat template. The double answers with the prompt's own tokens, from the first,
 * until an end id (here the template's end of turn), so every answer can be predicted from the
 * tokenizer alone.
 */
@Timeout(60)
class TrtllmChatModelTest {
    @TempDir
    Path tmp;

    private Path engineFolder(String name, long stepMicros) {
        Path dir = TestDouble.engineDir(tmp, name, stepMicros);
        EngineFolders.writeConfig(dir, 4, 2, 1, 8, 2, 8, List.of("attn_q", "attn_v"));
        EngineFolders.copyTokenizer("llama3", dir);
        return dir;
    }

    private static TrtllmEngine engine(TrtllmSettings settings) {
        return new TrtllmEngine(TestDouble.library(), settings);
    }

    private static TrtllmSettings settings() {
        return TrtllmSettings.builder().maxBatchSize(8).maxQueueSize(64).build();
    }

    private HfTokenizer expectationTokenizer;

    @AfterEach
    void closeTokenizer() {
        if (expectationTokenizer != null) {
            expectationTokenizer.close();
        }
    }

    /** What the double answers, computed from the tokenizer and template alone. */
    private String expected(Path dir, String question, int maxNewTokens) {
        if (expectationTokenizer == null) {
            expectationTokenizer = HfTokenizer.load(dir);
        }
        HfTokenizer tokenizer = expectationTokenizer;
        HfChatTemplate template = HfChatTemplate.fromModelDir(dir);
        int[] prompt = tokenizer.encode(template.render(ChatRequest.of(question).messages(), true));
        int eot = tokenizer.tokenId(template.endOfTurn()).orElseThrow();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; out.size() < maxNewTokens; i++) {
            int token = prompt[i % prompt.length];
            if (token == eot) {
                break;
            }
            out.add(token);
        }
        return tokenizer.decode(out.stream().mapToInt(Integer::intValue).toArray(), true);
    }

    private static ChatRequest ask(String question, int maxNewTokens) {
        return ChatRequest.builder().addUser(question)
                .parameters(GenerationParameters.builder().maxNewTokens(maxNewTokens).build()).build();
    }

    @Test
    void theEngineIsAvailableThroughTheServiceLoaderWithTheDouble() {
        EngineStatus status = Engines.available().stream().filter(s -> s.id().equals("trtllm")).findFirst().orElseThrow();
        assertThat(status.available()).as(status.reason()).isTrue();
        assertThat(status.reason()).contains("test double");
        assertThat(Engines.get("trtllm").capabilities()).contains(io.kefu.model.Engine.Capability.MULTI_ADAPTER);
    }

    @Test
    void streamedChunksArriveInOrderAndNeverSplitACharacter() {
        Path dir = engineFolder("e", 300);
        String question = "连衣裙A有S码吗? 我身高165cm。";
        try (BaseModel base = engine(settings()).load(ModelRef.of(dir));
             ChatModel model = engine(settings()).chatModel(base);
             ChatStream stream = model.stream(ask(question, 256))) {
            StringBuilder text = new StringBuilder();
            List<Integer> ids = new ArrayList<>();
            int chunks = 0;
            for (ChatChunk chunk : stream) {
                assertThat(chunk.text()).doesNotContain("\uFFFD");
                text.append(chunk.text());
                ids.addAll(chunk.tokenIds());
                chunks++;
            }
            ChatResponse response = stream.response();
            assertThat(text.toString()).isEqualTo(expected(dir, question, 256)).contains(question);
            assertThat(response.text()).isEqualTo(text.toString());
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(response.tokenIds()).isEqualTo(ids);
            assertThat(chunks).isEqualTo(ids.size());
            assertThat(response.usage().completionTokens()).isEqualTo(ids.size());
            assertThat(stream.isDone()).isTrue();
        }
    }

    @Test
    void chatGivesTheSameAnswerInOneResponseAndStopsAtMaxNewTokens() {
        Path dir = engineFolder("e", 100);
        try (BaseModel base = engine(settings()).load(ModelRef.of(dir));
             ChatModel model = engine(settings()).chatModel(base)) {
            ChatResponse whole = model.chat(ask("退货要几天?", 256));
            assertThat(whole.text()).isEqualTo(expected(dir, "退货要几天?", 256));
            assertThat(whole.finishReason()).isEqualTo(FinishReason.STOP);
            ChatResponse cut = model.chat(ask("退货要几天?", 3));
            assertThat(cut.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(cut.tokenIds()).hasSize(3);
            assertThat(cut.text()).isEqualTo(expected(dir, "退货要几天?", 3));
        }
    }

    @Test
    void aStopSequenceEndsTheAnswerBeforeIt() {
        Path dir = engineFolder("e", 100);
        try (BaseModel base = engine(settings()).load(ModelRef.of(dir));
             ChatModel model = engine(settings()).chatModel(base)) {
            ChatRequest request = ChatRequest.builder().addUser("尺码表: S码 M码 L码")
                    .parameters(GenerationParameters.builder().stopSequences(List.of("M码")).build()).build();
            ChatStream stream = model.stream(request);
            StringBuilder streamed = new StringBuilder();
            stream.forEach(c -> streamed.append(c.text()));
            ChatResponse response = stream.response();
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(response.text()).isEqualTo("user\n\n尺码表: S码 ").isEqualTo(streamed.toString());
        }
    }

    @Test
    void manyConcurrentRequestsEachGetTheirOwnAnswer() throws Exception {
        Path dir = engineFolder("e", 50);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (BaseModel base = engine(settings()).load(ModelRef.of(dir));
             ChatModel model = engine(settings()).chatModel(base)) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String question = "订单" + i + "什么时候发货?";
                answers.add(pool.submit(() -> {
                    try (ChatStream stream = model.stream(ask(question, 256))) {
                        StringBuilder sb = new StringBuilder();
                        stream.forEach(c -> sb.append(c.text()));
                        return sb.toString();
                    }
                }));
            }
            for (int i = 0; i < 32; i++) {
                assertThat(answers.get(i).get()).isEqualTo(expected(dir, "订单" + i + "什么时候发货?", 256));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cancelEndsTheStreamWithCancelled() {
        Path dir = engineFolder("slow", 50_000);
        try (BaseModel base = engine(settings()).load(ModelRef.of(dir));
             ChatModel model = engine(settings()).chatModel(base);
             ChatStream stream = model.stream(ask("这件外套有黑色吗?有没有XL码?", 256))) {
            Iterator<ChatChunk> it = stream.iterator();
            assertThat(it.hasNext()).isTrue();
            it.next();
            stream.cancel();
            stream.cancel();
            while (it.hasNext()) {
                it.next();
            }
            ChatResponse response = stream.response();
            assertThat(response.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(response.tokenIds().size()).isLessThan(10);
            assertThat(stream.isDone()).isTrue();
        }
    }

    @Test
    void aRequestOverItsTimeoutFailsWithTimeout() {
        Path dir = engineFolder("slow", 100_000);
        TrtllmSettings quick = TrtllmSettings.builder().requestTimeout(Duration.ofMillis(300)).build();
        try (BaseModel base = engine(quick).load(ModelRef.of(dir));
             ChatModel model = engine(quick).chatModel(base)) {
            assertThatThrownBy(() -> model.chat(ask("这件外套有黑色吗?", 256)))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT))
                    .hasMessageContaining("did not finish in time");
        }
    }

    @Test
    void aFullQueueIsRefusedWithResourceExhausted() {
        Path dir = engineFolder("slow", 50_000);
        TrtllmSettings small = TrtllmSettings.builder().maxBatchSize(1).maxQueueSize(1).build();
        try (BaseModel base = engine(small).load(ModelRef.of(dir));
             ChatModel model = engine(small).chatModel(base);
             ChatStream first = model.stream(ask("一", 256));
             ChatStream second = model.stream(ask("二", 256))) {
            assertThatThrownBy(() -> model.stream(ask("三", 256)))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
                    .hasMessageContaining("retry later");
            first.cancel();
            second.cancel();
        }
    }

    @Test
    void closeLetsRequestsInFlightFinishThenRefusesNewOnes() throws Exception {
        Path dir = engineFolder("e", 2_000);
        ChatModel model;
        List<ChatStream> streams = new ArrayList<>();
        try (BaseModel base = engine(settings()).load(ModelRef.of(dir))) {
            model = engine(settings()).chatModel(base);
            for (int i = 0; i < 6; i++) {
                streams.add(model.stream(ask("第" + i + "个问题: 包邮吗?", 256)));
            }
            model.close();
            model.close();
        }
        for (int i = 0; i < 6; i++) {
            ChatResponse r = streams.get(i).response();
            assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(r.text()).isEqualTo(expected(dir, "第" + i + "个问题: 包邮吗?", 256));
        }
        assertThatThrownBy(() -> model.chat("还在吗?"))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED));
    }

    @Test
    void adaptersAreSentOnFirstUseAndSelectedByName() {
        Path dir = engineFolder("e", 100);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        float[] a = new float[2 * 4];
        Arrays.fill(a, 0.5f);
        tensors.put(PeftAdapter.loraAName(0, "q_proj"), FloatTensor.matrix(2, 4, a));
        tensors.put(PeftAdapter.loraBName(0, "q_proj"), FloatTensor.matrix(4, 2, new float[8]));
        PeftAdapter adapter = PeftAdapter.of(LoraConfig.builder().rank(2).alpha(4).targets("q_proj").build(), "tiny", tensors);
        String question = "这条裙子可以机洗吗?";
        try (BaseModel base = engine(settings()).load(ModelRef.of(dir));
             ChatModel plain = engine(settings()).chatModel(base);
             ChatModel tuned = engine(settings()).chatModel(base, adapter)) {
            assertThat(tuned.info().adapters()).containsExactly("adapter-1");
            String withAdapter = tuned.chat(ChatRequest.builder().addUser(question).adapter("adapter-1").build()).text();
            String again = tuned.chat(question).text();
            assertThat(withAdapter).isEqualTo(again).isNotEqualTo(plain.chat(question).text());
            assertThat(plain.chat(question).text()).isEqualTo(expected(dir, question, 256));
            assertThatThrownBy(() -> tuned.chat(ChatRequest.builder().addUser(question).adapter("adapter-9").build()))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                    .hasMessageContaining("adapter-1");
        }
    }

    @Test
    void anAdapterEvictedFromTheExecutorsCacheIsSentAgainWithItsWeights() {
        Path dir = engineFolder("e", 100);
        PeftAdapter first = adapter("q_proj", 4);
        PeftAdapter second = adapter("v_proj", 2);
        String question = "这条裙子可以机洗吗?";
        TrtllmSettings oneCachedAdapter = TrtllmSettings.builder().maxBatchSize(8).maxQueueSize(64).loraCacheMaxAdapters(1).build();
        try (BaseModel base = engine(oneCachedAdapter).load(ModelRef.of(dir));
             ChatModel tuned = engine(oneCachedAdapter).chatModel(base, List.of(first, second))) {
            ChatRequest firstAdapter = ChatRequest.builder().addUser(question).adapter("adapter-1").build();
            ChatRequest secondAdapter = ChatRequest.builder().addUser(question).adapter("adapter-2").build();
            String answerOfFirst = tuned.chat(firstAdapter).text();
            String answerOfSecond = tuned.chat(secondAdapter).text();   // takes the only cache slot
            assertThat(answerOfSecond).isNotEqualTo(answerOfFirst);

            // adapter-1 is sent by task id only; the executor fails it through its responses and the model resends it
            assertThat(tuned.chat(firstAdapter).text()).isEqualTo(answerOfFirst);
            try (ChatStream stream = tuned.stream(secondAdapter)) {
                StringBuilder text = new StringBuilder();
                stream.forEach(chunk -> text.append(chunk.text()));
                assertThat(text.toString()).isEqualTo(answerOfSecond);
                assertThat(stream.response().finishReason()).isEqualTo(FinishReason.STOP);
            }
        }
    }

    /** A rank-2 adapter of one projection of the tiny engine's first layer (hidden size 4). */
    private static PeftAdapter adapter(String target, int outputs) {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        float[] a = new float[2 * 4];
        Arrays.fill(a, 0.5f);
        tensors.put(PeftAdapter.loraAName(0, target), FloatTensor.matrix(2, 4, a));
        tensors.put(PeftAdapter.loraBName(0, target), FloatTensor.matrix(outputs, 2, new float[outputs * 2]));
        return PeftAdapter.of(LoraConfig.builder().rank(2).alpha(4).targets(target).build(), "tiny", tensors);
    }

    @Test
    void badEngineFoldersFailWithLocatedErrors() throws Exception {
        Path noConfig = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> engine(settings()).load(ModelRef.of(noConfig)))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining(noConfig.resolve("config.json").toString());
        Path broken = engineFolder("broken", 100);
        Files.writeString(broken.resolve("kefu-double-fail"), "");
        try (BaseModel base = engine(settings()).load(ModelRef.of(broken))) {
            assertThatThrownBy(() -> engine(settings()).chatModel(base))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                    .hasMessageContaining("rank0.engine");
        }
        assertThatThrownBy(() -> TrtllmSettings.builder().maxQueueSize(-1).build())
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("maxQueueSize=-1");
    }
}
