package io.kefu.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.GenerationParameters;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ONNX engine end to end with a real tokenizer and chat template, on a tiny random model. */
class OnnxChatModelIT {
    @TempDir
    static Path temp;

    static Path checkpoint;
    static Path exported;
    static ChatModel chat;

    @BeforeAll
    static void export() {
        exported = TinyCheckpoint.writeAndExport(temp, "qwen3", "qwen3", "qwen3", 7);
        checkpoint = temp.resolve("qwen3-tiny");
        Engine engine = Engines.get("onnx");
        chat = engine.chatModel(engine.load(ModelRef.of(exported)));
    }

    @AfterAll
    static void close() {
        if (chat != null) {
            chat.close();
        }
    }

    private static GenerationParameters tokens(int n, boolean logprobs) {
        return GenerationParameters.builder().maxNewTokens(n).logprobs(logprobs).build();
    }

    @Test
    void exportFolderHasGenAiConfigAndTokenizerFiles() throws Exception {
        assertThat(exported.resolve("model.onnx")).isRegularFile();
        assertThat(exported.resolve("tokenizer.json")).isRegularFile();
        assertThat(exported.resolve("tokenizer_config.json")).isRegularFile();
        String genai = Files.readString(exported.resolve("genai_config.json"));
        assertThat(genai).contains("\"past_key_names\" : \"past_key_values.%d.key\"", "\"num_key_value_heads\" : 1",
                "\"head_size\" : 32", "\"context_length\" : 512", "\"present_value_names\" : \"present.%d.value\"");
        assertThat(chat.info().engine()).isEqualTo("onnx");
    }

    @Test
    void chatGeneratesWithLogprobs() {
        ChatResponse r = chat.chat(ChatRequest.builder().addUser("连衣裙有S码吗?").parameters(tokens(6, true)).build());
        assertThat(r.usage().promptTokens()).isEqualTo(r.promptTokenIds().size()).isGreaterThan(5);
        assertThat(r.usage().completionTokens()).isBetween(1, 6);
        assertThat(r.logprobs()).hasSize(r.usage().completionTokens());
        assertThat(r.logprobs()).allSatisfy(lp -> assertThat(lp.logprob()).isLessThanOrEqualTo(0.0));
    }

    @Test
    void batchWithLeftPaddingAnswersLikeSingleRequests() {
        List<ChatRequest> requests = List.of(
                ChatRequest.builder().addUser("hi").parameters(tokens(8, false)).build(),
                ChatRequest.builder().addSystem("You are a helpful shop assistant for a clothing store.")
                        .addUser("Do you have the red dress in size M, and when will it ship?").parameters(tokens(8, false)).build(),
                ChatRequest.builder().addUser("退货政策是什么?").parameters(tokens(8, false)).build());
        List<ChatResponse> batch = chat.chatBatch(requests);
        for (int i = 0; i < requests.size(); i++) {
            ChatResponse alone = chat.chat(requests.get(i));
            assertThat(batch.get(i).tokenIds()).as("request %d", i).isEqualTo(alone.tokenIds());
            assertThat(batch.get(i).text()).isEqualTo(alone.text());
        }
    }

    @Test
    void streamDeliversTheSameAnswerInChunks() {
        ChatRequest request = ChatRequest.builder().addUser("hello").parameters(tokens(6, false)).build();
        ChatResponse whole = chat.chat(request);
        List<Integer> ids = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        try (ChatStream stream = chat.stream(request)) {
            for (ChatChunk chunk : stream) {
                ids.addAll(chunk.tokenIds());
                text.append(chunk.text());
            }
            assertThat(stream.response().tokenIds()).isEqualTo(whole.tokenIds());
        }
        assertThat(text.toString()).isEqualTo(whole.text());
    }

    @Test
    void engineLoadsACheckpointFolderByExportingIt() {
        Engine engine = Engines.get("onnx");
        try (BaseModel base = engine.load(ModelRef.of(checkpoint)); ChatModel fromCheckpoint = engine.chatModel(base)) {
            assertThat(base.architecture()).isEqualTo("Qwen3ForCausalLM");
            ChatRequest request = ChatRequest.builder().addUser("hi").parameters(tokens(5, false)).build();
            assertThat(fromCheckpoint.chat(request).tokenIds()).isEqualTo(chat.chat(request).tokenIds());
        }
    }

    @Test
    void adapterGivenToTheEngineIsMergedIntoAFreshExport() {
        java.util.Map<String, io.kefu.runtime.format.FloatTensor> tensors = new java.util.HashMap<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        int[][] shapes = {{64, 64}, {32, 64}}; // q_proj [out, in], v_proj [out, in] of the tiny model
        String[] modules = {"q_proj", "v_proj"};
        for (int m = 0; m < 2; m++) {
            float[] a = new float[4 * shapes[m][1]];
            float[] b = new float[shapes[m][0] * 4];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) random.nextDouble(-1, 1);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) random.nextDouble(-1, 1);
            }
            tensors.put(io.kefu.runtime.format.PeftAdapter.loraAName(0, modules[m]), io.kefu.runtime.format.FloatTensor.matrix(4, shapes[m][1], a));
            tensors.put(io.kefu.runtime.format.PeftAdapter.loraBName(0, modules[m]), io.kefu.runtime.format.FloatTensor.matrix(shapes[m][0], 4, b));
        }
        io.kefu.train.Adapter adapter = io.kefu.runtime.format.PeftAdapter.of(
                io.kefu.train.LoraConfig.builder().rank(4).alpha(8).targets("q_proj", "v_proj").build(), checkpoint.toString(), tensors);
        Engine engine = Engines.get("onnx");
        try (BaseModel base = engine.load(ModelRef.of(checkpoint)); ChatModel adapted = engine.chatModel(base, adapter)) {
            assertThat(adapted.info().adapters()).containsExactly("adapter");
            ChatRequest request = ChatRequest.builder().addUser("hi").adapter("adapter")
                    .parameters(GenerationParameters.builder().maxNewTokens(4).logprobs(true).build()).build();
            ChatResponse withAdapter = adapted.chat(request);
            ChatResponse without = chat.chat(request.toBuilder().adapter(null).build());
            assertThat(withAdapter.logprobs()).isNotEqualTo(without.logprobs());
        }
    }

    @Test
    void selectingCudaWithoutTheGpuRuntimeFailsAtOnceNamingWhatIsMissing() {
        SessionSettings cuda = SessionSettings.builder().device(SessionSettings.Device.CUDA).build();
        assertThatThrownBy(() -> OnnxDecoderModel.load(exported, cuda))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ENGINE_UNAVAILABLE))
                .hasMessageContaining("CUDA")
                .hasMessageContaining("onnxruntime_gpu");
    }

    @Test
    void unknownAdapterIsRejected() {
        ChatRequest request = ChatRequest.builder().addUser("hi").adapter("summer-sale").build();
        assertThatThrownBy(() -> chat.chat(request))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageContaining("summer-sale");
    }

    @Test
    void useAfterCloseFails() {
        Engine engine = Engines.get("onnx");
        ChatModel other = engine.chatModel(engine.load(ModelRef.of(exported)));
        other.close();
        other.close();
        assertThatThrownBy(() -> other.chat("hi"))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED));
    }
}
