package io.kefu.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.GenerationParameters;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.EngineStatus;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.train.LoraConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlEngineTest {
    @TempDir
    static Path temp;
    static Path model;
    static BaseModel base;
    static ChatModel chat;

    @BeforeAll
    static void setUp() {
        model = TinyModels.qwen3(temp, "qwen3-tiny", 1);
        base = Engines.get("djl").load(ModelRef.of(model));
        chat = Engines.get("djl").chatModel(base);
    }

    @AfterAll
    static void tearDown() {
        chat.close();
        base.close();
    }

    @Test
    void isFoundThroughTheServiceLoaderAndRunsOffline() {
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        assertThat(System.getProperty("OPT_OUT_TRACKING")).isEqualTo("true");
        EngineStatus status = Engines.available().stream().filter(s -> s.id().equals("djl")).findFirst().orElseThrow();
        assertThat(status.available()).as(status.reason()).isTrue();
        assertThat(Engines.get("djl").capabilities()).contains(Engine.Capability.TRAIN, Engine.Capability.CHAT);
    }

    @Test
    void modelInitWritesARealCheckpointWithTokenizerAndEndOfTurnInGenerationConfig() throws IOException {
        assertThat(model.resolve("tokenizer.json")).exists();
        assertThat(model.resolve("tokenizer_config.json")).exists();
        JsonNode generation = new ObjectMapper().readTree(Files.readString(model.resolve("generation_config.json")));
        try (HfTokenizer tokenizer = HfTokenizer.load(model); Checkpoint checkpoint = Checkpoint.open(model)) {
            int imEnd = tokenizer.tokenId("<|im_end|>").getAsInt();
            assertThat(generation.get("eos_token_id").toString()).contains(String.valueOf(imEnd));
            checkpoint.validateLayout();
            float[] norm = checkpoint.readFloats("model.layers.0.input_layernorm.weight");
            assertThat(norm).containsOnly(1f);
            float[] q = checkpoint.readFloats("model.layers.0.self_attn.q_proj.weight");
            double sq = 0;
            for (float v : q) {
                sq += v * v;
            }
            assertThat(Math.sqrt(sq / q.length)).isBetween(0.018, 0.022); // initializer_range 0.02
        }
        Path again = TinyModels.qwen3(temp, "qwen3-again", 1);
        assertThat(Files.readAllBytes(again.resolve("model.safetensors"))).isEqualTo(Files.readAllBytes(model.resolve("model.safetensors")));
        assertThat(base.architecture()).isEqualTo("Qwen3ForCausalLM");
        assertThat(base.template().endOfTurn()).isEqualTo("<|im_end|>");
    }

    @Test
    void chatStreamAndBatchAgree() {
        GenerationParameters params = GenerationParameters.builder().maxNewTokens(6).logprobs(true).build();
        ChatRequest shortOne = ChatRequest.builder().addUser("你好").parameters(params).build();
        ChatRequest longOne = ChatRequest.builder().addSystem("你是客服。").addUser("连衣裙A有S码吗?").parameters(params).build();
        ChatResponse a = chat.chat(shortOne);
        ChatResponse b = chat.chat(longOne);
        assertThat(a.usage().completionTokens()).isBetween(1, 6);
        assertThat(a.finishReason()).isIn(FinishReason.LENGTH, FinishReason.STOP);
        assertThat(a.logprobs()).hasSize(a.tokenIds().size());
        List<ChatResponse> batch = chat.chatBatch(List.of(shortOne, longOne));
        assertThat(batch.get(0).tokenIds()).isEqualTo(a.tokenIds());
        assertThat(batch.get(1).tokenIds()).isEqualTo(b.tokenIds());
        StringBuilder text = new StringBuilder();
        try (ChatStream stream = chat.stream(longOne)) {
            for (ChatChunk chunk : stream) {
                text.append(chunk.text());
            }
            assertThat(stream.response().tokenIds()).isEqualTo(b.tokenIds());
        }
        assertThat(text.toString()).isEqualTo(b.text());
        assertThat(chat.info().engine()).isEqualTo("djl");
    }

    @Test
    void adaptersAreAppliedUnmergedAndSelectedByName() {
        PeftAdapter first = randomAdapter(1);
        PeftAdapter second = randomAdapter(2);
        GenerationParameters params = GenerationParameters.builder().maxNewTokens(3).logprobs(true).build();
        ChatRequest request = ChatRequest.builder().addUser("有优惠吗?").parameters(params).build();
        Engine djl = Engines.get("djl");
        try (ChatModel both = djl.chatModel(base, List.of(first, second));
             ChatModel onlySecond = djl.chatModel(base, second)) {
            assertThat(both.info().adapters()).containsExactly("adapter-1", "adapter-2");
            double plain = chat.chat(request).logprobs().get(0).logprob();
            double viaDefault = both.chat(request).logprobs().get(0).logprob();
            double viaFirst = both.chat(request.toBuilder().adapter("adapter-1").build()).logprobs().get(0).logprob();
            double viaSecond = both.chat(request.toBuilder().adapter("adapter-2").build()).logprobs().get(0).logprob();
            assertThat(viaDefault).isEqualTo(viaFirst);
            assertThat(viaFirst).isNotEqualTo(plain);
            assertThat(viaSecond).isNotEqualTo(viaFirst);
            assertThat(onlySecond.chat(request).logprobs().get(0).logprob()).isEqualTo(viaSecond);
            List<ChatResponse> mixed = both.chatBatch(List.of(request.toBuilder().adapter("adapter-2").build(), request));
            assertThat(mixed.get(0).logprobs().get(0).logprob()).isCloseTo(viaSecond, org.assertj.core.data.Offset.offset(1e-5));
            assertThat(mixed.get(1).logprobs().get(0).logprob()).isCloseTo(viaFirst, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    static PeftAdapter randomAdapter(long seed) {
        LoraConfig config = LoraConfig.builder().rank(2).alpha(4).targets("q_proj", "v_proj", "down_proj").build();
        java.util.Random random = new java.util.Random(seed);
        Map<String, FloatTensor> tensors = new java.util.LinkedHashMap<>();
        int[][] shapes = {{64, 64}, {32, 64}, {64, 128}}; // out, in of q (2 heads x 32), v (1 x 32), down
        String[] modules = {"q_proj", "v_proj", "down_proj"};
        for (int layer = 0; layer < 2; layer++) {
            for (int m = 0; m < modules.length; m++) {
                tensors.put(PeftAdapter.loraAName(layer, modules[m]), tensor(random, 2, shapes[m][1]));
                tensors.put(PeftAdapter.loraBName(layer, modules[m]), tensor(random, shapes[m][0], 2));
            }
        }
        return PeftAdapter.of(config, "qwen3-tiny", tensors);
    }

    static FloatTensor tensor(java.util.Random random, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian() * 0.5f;
        }
        return FloatTensor.matrix(rows, cols, v);
    }

    @Test
    void completeContinuesTheRawPromptWithTheDefaultAdapter() {
        String prompt = "Customer: 有优惠吗?\nAgent:";
        GenerationParameters params = GenerationParameters.builder().maxNewTokens(3).logprobs(true).build();
        ChatResponse plain = chat.complete(prompt, params);
        try (io.kefu.runtime.tokenize.HfTokenizer tokenizer = io.kefu.runtime.tokenize.HfTokenizer.load(model)) {
            assertThat(plain.promptTokenIds()).as("no template, no special tokens")
                    .containsExactlyElementsOf(java.util.Arrays.stream(tokenizer.encode(prompt)).boxed().toList());
        }
        assertThat(plain.tokenIds()).isNotEmpty().hasSameSizeAs(plain.logprobs());
        try (ChatModel adapted = Engines.get("djl").chatModel(base, randomAdapter(1))) {
            assertThat(adapted.complete(prompt, params).logprobs().get(0).logprob())
                    .as("the default adapter is applied").isNotEqualTo(plain.logprobs().get(0).logprob());
        }
    }

    @Test
    void unknownAdapterIsRejected() {
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().addUser("hi").adapter("nope").build()))
                .isInstanceOf(KefuException.class).hasMessageContaining("'nope'");
    }

    @Test
    void badCheckpointsAreRefusedWithTheReason() throws IOException {
        Engine djl = Engines.get("djl");
        Path pickle = Files.createDirectories(temp.resolve("pickle"));
        Files.copy(model.resolve("config.json"), pickle.resolve("config.json"));
        Files.write(pickle.resolve("pytorch_model.bin"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> djl.load(ModelRef.of(pickle))).isInstanceOf(KefuException.class)
                .hasMessageContaining("pytorch_model.bin");

        Path unknown = Files.createDirectories(temp.resolve("unknown"));
        Files.writeString(unknown.resolve("config.json"), Files.readString(model.resolve("config.json"))
                .replace("Qwen3ForCausalLM", "MistralForCausalLM"));
        assertThatThrownBy(() -> djl.load(ModelRef.of(unknown))).isInstanceOf(KefuException.class)
                .hasMessageContaining("MistralForCausalLM");

        Path misshapen = Files.createDirectories(temp.resolve("misshapen"));
        Files.writeString(misshapen.resolve("config.json"), Files.readString(model.resolve("config.json"))
                .replace("\"intermediate_size\" : 128", "\"intermediate_size\" : 96"));
        Files.copy(model.resolve("model.safetensors"), misshapen.resolve("model.safetensors"));
        assertThatThrownBy(() -> djl.load(ModelRef.of(misshapen)))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("mlp.gate_proj.weight");
    }
}
