package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.GenerationParameters;
import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.train.Adapter;
import io.kefu.train.LoraConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server over a real engine (DJL + PyTorch) on a tiny random-weight Qwen 3 with the real Qwen 3
 * tokenizer and two random LoRA adapters: token streaming, adapter switching, cancellation when the
 * client goes away, the policies on an unsure model, and adapters loaded and unloaded at run time.
 */
class DjlServerIT {
    @TempDir
    static Path temp;
    static BaseModel base;
    static ChatModel plain;
    static ChatModel withAdapters;
    static KefuServer server;
    static Http http;
    static Path shopAdapter;
    static Path promoAdapter;
    /** A second server that loads adapters at run time, with an API key; its loaded models by name. */
    static KefuServer adaptive;
    static Http admin;
    static final Map<String, GatedModel> loaded = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Engine djl = Engines.get("djl");
        Path config = temp.resolve("config.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 2, \"num_attention_heads\": 2,"
                + " \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 151936, \"rms_norm_eps\": 1e-6,"
                + " \"rope_theta\": 1000000.0, \"max_position_embeddings\": 4096, \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        Path model = temp.resolve("qwen3-tiny");
        djl.initCheckpoint("qwen3", config, Path.of(System.getProperty("kefu.tokenizers.dir"), "qwen3"), model, 7);
        Path shop = randomAdapter(1).saveTo(temp.resolve("shop-lora"));
        Path promo = randomAdapter(2).saveTo(temp.resolve("promo-lora"));
        shopAdapter = shop;
        promoAdapter = promo;
        base = djl.load(ModelRef.of(model));
        plain = djl.chatModel(base);
        withAdapters = djl.chatModel(base, List.of(Adapter.load(shop), Adapter.load(promo)));
        server = KefuServer.start(ServerConfig.builder().baseModel(plain).adapters(withAdapters, List.of("shop", "promo"))
                .storeUrl("jdbc:h2:file:" + temp.resolve("db/shop")).shopFolder(RulesServerIT.SHOP).port(0).build());
        http = new Http(server.port());
        // models loaded under a name starting with "held-" wait at a gate until the test opens it
        AdapterLoader loader = (name, folder) -> {
            GatedModel m = new GatedModel(djl.chatModel(base, List.of(Adapter.load(folder))));
            if (!name.startsWith("held-")) {
                m.gate.countDown();
            }
            loaded.put(name, m);
            return m;
        };
        adaptive = KefuServer.start(ServerConfig.builder().baseModel(plain).adapters(withAdapters, List.of("shop", "promo"))
                .runtimeAdapters(loader, temp).apiKey("k-admin").storeUrl("jdbc:h2:file:" + temp.resolve("db-adaptive/shop"))
                .shopFolder(RulesServerIT.SHOP).port(0).build());
        admin = new Http(adaptive.port(), "k-admin");
    }

    @AfterAll
    static void stop() {
        adaptive.close();
        server.close();
        withAdapters.close();
        plain.close();
        base.close();
    }

    record SavedAdapter(PeftAdapter adapter) {
        Path saveTo(Path dir) {
            adapter.save(dir);
            return dir;
        }
    }

    static SavedAdapter randomAdapter(long seed) {
        LoraConfig config = LoraConfig.builder().rank(2).alpha(4).targets("q_proj", "v_proj", "down_proj").build();
        java.util.Random random = new java.util.Random(seed);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        int[][] shapes = {{64, 64}, {32, 64}, {64, 128}};
        String[] modules = {"q_proj", "v_proj", "down_proj"};
        for (int layer = 0; layer < 2; layer++) {
            for (int m = 0; m < modules.length; m++) {
                tensors.put(PeftAdapter.loraAName(layer, modules[m]), tensor(random, 2, shapes[m][1]));
                tensors.put(PeftAdapter.loraBName(layer, modules[m]), tensor(random, shapes[m][0], 2));
            }
        }
        return new SavedAdapter(PeftAdapter.of(config, "qwen3-tiny", tensors));
    }

    static FloatTensor tensor(java.util.Random random, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian() * 0.5f;
        }
        return FloatTensor.matrix(rows, cols, v);
    }

    static Map<String, Object> completion(String model, String user, int maxTokens, boolean stream) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", user)));
        body.put("max_tokens", maxTokens);
        body.put("logprobs", true);
        if (stream) {
            body.put("stream", true);
        }
        return body;
    }

    @Test
    void modelsListTheBaseAndTheAdapters() {
        JsonNode data = http.get("/v1/models").json().get("data");
        String baseId = plain.info().id();
        assertThat(data).extracting(n -> n.get("id").asText()).containsExactly(baseId, "shop", "promo");
        assertThat(data.get(1).get("parent").asText()).isEqualTo(baseId);
    }

    @Test
    void theModelFieldSwitchesAdaptersAndAnswersMatchTheEngine() {
        String baseId = plain.info().id();
        JsonNode viaBase = http.post("/v1/chat/completions", completion(baseId, "连衣裙有S码吗?", 6, false)).json();
        JsonNode viaShop = http.post("/v1/chat/completions", completion("shop", "连衣裙有S码吗?", 6, false)).json();
        JsonNode viaPromo = http.post("/v1/chat/completions", completion("promo", "连衣裙有S码吗?", 6, false)).json();
        double b = viaBase.at("/choices/0/logprobs/content/0/logprob").asDouble();
        double s = viaShop.at("/choices/0/logprobs/content/0/logprob").asDouble();
        double p = viaPromo.at("/choices/0/logprobs/content/0/logprob").asDouble();
        assertThat(s).isNotEqualTo(b);
        assertThat(p).isNotEqualTo(s);
        GenerationParameters params = GenerationParameters.builder().maxNewTokens(6).build();
        ChatRequest direct = ChatRequest.builder().addUser("连衣裙有S码吗?").parameters(params).build();
        assertThat(viaBase.at("/choices/0/message/content").asText()).isEqualTo(plain.chat(direct).text());
        assertThat(viaPromo.at("/choices/0/message/content").asText())
                .isEqualTo(withAdapters.chat(direct.toBuilder().adapter("adapter-2").build()).text());
        assertThat(viaShop.at("/usage/completion_tokens").asInt()).isBetween(1, 6);
    }

    @Test
    void streamingDeliversTokenChunksThatAddUpToTheWholeAnswer() {
        String whole = http.post("/v1/chat/completions", completion("shop", "退货运费谁出?", 12, false)).json()
                .at("/choices/0/message/content").asText();
        Http.Reply sse = http.post("/v1/chat/completions", completion("shop", "退货运费谁出?", 12, true));
        List<String> data = sse.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        int contentChunks = 0;
        for (String d : data.subList(0, data.size() - 1)) {
            String piece = new Http.Reply(200, d, null).json().at("/choices/0/delta/content").asText("");
            if (!piece.isEmpty()) {
                contentChunks++;
            }
            text.append(piece);
        }
        assertThat(contentChunks).isGreaterThan(1);
        assertThat(text.toString()).isEqualTo(whole);
    }

    @Test
    void aClientThatDisconnectsMidStreamStopsItsGeneration() throws Exception {
        long before = generatedTokens();
        HttpRequest request = http.request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Http.JSON.writeValueAsString(completion("shop", "讲个很长的故事", 3000, true)))).build();
        HttpResponse<InputStream> response = java.net.http.HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            int events = 0;
            for (String line = reader.readLine(); line != null && events < 3; line = reader.readLine()) {
                if (line.startsWith("data: ")) {
                    events++;
                }
            }
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (!http.get("/metrics").body().contains("kefu_generations_running 0") && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(http.get("/metrics").body()).contains("kefu_generations_running 0");
        long generated = generatedTokens() - before;
        assertThat(generated).as("tokens generated for the abandoned stream").isLessThan(3000);
    }

    static long generatedTokens() {
        Matcher m = Pattern.compile("kefu_generated_tokens_total (\\d+)").matcher(http.get("/metrics").body());
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void anUnsureModelIsHandedOffOnChat() {
        JsonNode a = http.post("/chat", RulesServerIT.ask("这条裙子M码有货吗?", "1001", null)).json();
        String session = a.get("sessionId").asText();
        // random weights spread probability over 151k tokens: the mean token logprob is far below -2.5
        assertThat(a.get("handoff").asBoolean()).isTrue();
        assertThat(a.get("reason").asText()).isEqualTo("low_confidence");
        assertThat(a.get("answer").asText()).contains("人工客服");
        assertThat(server.conversations().openHandoffs()).anySatisfy(h -> assertThat(h.sessionId()).isEqualTo(session));
    }
    @Test
    void concurrentRequestsAreBatchedAndEachGetsItsOwnAnswer() throws Exception {
        List<String> prompts = List.of("S码有货吗?", "发货要几天?", "能开发票吗?", "面料是什么?", "可以货到付款吗?", "退货运费谁出?",
                "有什么优惠?", "身高160穿什么码?");
        GenerationParameters params = GenerationParameters.builder().maxNewTokens(6).build();
        List<String> expected = new java.util.ArrayList<>();
        for (String p : prompts) {
            expected.add(withAdapters.chat(ChatRequest.builder().addUser(p).parameters(params).adapter("adapter-1").build()).text());
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(prompts.size());
        List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
        for (String p : prompts) {
            answers.add(pool.submit(() -> new Http(server.port()).post("/v1/chat/completions", completion("shop", p, 6, false)).json()
                    .at("/choices/0/message/content").asText()));
        }
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(answers.get(i).get(2, java.util.concurrent.TimeUnit.MINUTES)).as(prompts.get(i)).isEqualTo(expected.get(i));
        }
        pool.shutdown();
    }

    static String answerOf(Http.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().at("/choices/0/message/content").asText();
    }

    static String expectedWith(String engineAdapter, String user, int maxTokens) {
        GenerationParameters params = GenerationParameters.builder().maxNewTokens(maxTokens).build();
        return withAdapters.chat(ChatRequest.builder().addUser(user).parameters(params).adapter(engineAdapter).build()).text();
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }

    static List<String> modelIds(Http client) {
        List<String> ids = new java.util.ArrayList<>();
        client.get("/v1/models").json().get("data").forEach(n -> ids.add(n.get("id").asText()));
        return ids;
    }

    @Test
    void anAdapterLoadedAtRunTimeIsListedAnswersWithItsWeightsAndUnloads() throws Exception {
        Http.Reply load = admin.post("/v1/load_lora_adapter", Map.of("lora_name", "shop-live", "lora_path", shopAdapter.toString()));
        assertThat(load.status()).as(load.body()).isEqualTo(200);
        assertThat(load.json().get("lora_name").asText()).isEqualTo("shop-live");
        assertThat(modelIds(admin)).containsExactly(plain.info().id(), "shop", "promo", "shop-live");
        JsonNode listed = admin.get("/v1/models").json().get("data").get(3);
        assertThat(listed.get("parent").asText()).isEqualTo(plain.info().id());
        // the same weights as the adapter served from the start: the same greedy answer
        assertThat(answerOf(admin.post("/v1/chat/completions", completion("shop-live", "连衣裙有S码吗?", 6, false))))
                .isEqualTo(expectedWith("adapter-1", "连衣裙有S码吗?", 6));

        Http.Reply again = admin.post("/v1/load_lora_adapter", Map.of("lora_name", "shop-live", "lora_path", promoAdapter.toString()));
        RulesServerIT.assertError(again, 400, "lora_name");
        assertThat(again.json().at("/error/message").asText()).contains("already served");
        RulesServerIT.assertError(admin.post("/v1/load_lora_adapter", Map.of("lora_name", plain.info().id(), "lora_path",
                promoAdapter.toString())), 400, "lora_name");
        RulesServerIT.assertError(admin.post("/v1/unload_lora_adapter", Map.of("lora_name", "shop")), 400, "lora_name");

        Http.Reply unload = admin.post("/v1/unload_lora_adapter", Map.of("lora_name", "shop-live"));
        assertThat(unload.status()).as(unload.body()).isEqualTo(200);
        assertThat(modelIds(admin)).containsExactly(plain.info().id(), "shop", "promo");
        RulesServerIT.assertError(admin.post("/v1/chat/completions", completion("shop-live", "连衣裙有S码吗?", 6, false)), 404, "model");
        awaitTrue(() -> loaded.get("shop-live").closes.get() == 1);
        Http.Reply unknown = admin.post("/v1/unload_lora_adapter", Map.of("lora_name", "shop-live"));
        RulesServerIT.assertError(unknown, 404, "lora_name");
    }

    @Test
    void loadingABadFolderIsRefusedNamingTheProblemAndLeavesTheNameFree() throws Exception {
        RulesServerIT.assertError(admin.post("/v1/load_lora_adapter", Map.of("lora_name", "bad", "lora_path", temp.resolve("nowhere").toString())),
                400, "lora_path");
        Path empty = Files.createDirectories(temp.resolve("empty-adapter"));
        Http.Reply noConfig = admin.post("/v1/load_lora_adapter", Map.of("lora_name", "bad", "lora_path", empty.toString()));
        RulesServerIT.assertError(noConfig, 400, "lora_path");
        // the loader's reason (the missing adapter_config.json) and the server's paths go to the log, not to the client
        assertThat(noConfig.json().at("/error/message").asText()).contains("request id").doesNotContain("adapter_config.json")
                .doesNotContain(temp.toString());

        // an adapter for a wider model: its q_proj tensors do not fit this base
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        java.util.Random random = new java.util.Random(3);
        tensors.put(PeftAdapter.loraAName(0, "q_proj"), tensor(random, 2, 96));
        tensors.put(PeftAdapter.loraBName(0, "q_proj"), tensor(random, 96, 2));
        Path wide = new SavedAdapter(PeftAdapter.of(LoraConfig.builder().rank(2).alpha(4).targets("q_proj").build(), "wider", tensors))
                .saveTo(temp.resolve("wide-lora"));
        Http.Reply misfit = admin.post("/v1/load_lora_adapter", Map.of("lora_name", "bad", "lora_path", wide.toString()));
        RulesServerIT.assertError(misfit, 400, "lora_path");
        assertThat(misfit.json().at("/error/message").asText()).contains("request id").doesNotContain("q_proj").doesNotContain(temp.toString());

        RulesServerIT.assertError(admin.post("/v1/load_lora_adapter", Map.of("lora_path", wide.toString())), 400, "lora_name");
        RulesServerIT.assertError(admin.post("/v1/load_lora_adapter", Map.of("lora_name", "a b", "lora_path", wide.toString())), 400, "lora_name");
        assertThat(new Http(adaptive.port()).post("/v1/load_lora_adapter", Map.of("lora_name", "bad", "lora_path", promoAdapter.toString()))
                .status()).as("the API key is required").isEqualTo(401);
        assertThat(modelIds(admin)).doesNotContain("bad");

        assertThat(admin.post("/v1/load_lora_adapter", Map.of("lora_name", "bad", "lora_path", promoAdapter.toString())).status()).isEqualTo(200);
        assertThat(admin.post("/v1/unload_lora_adapter", Map.of("lora_name", "bad")).status()).isEqualTo(200);
    }

    @Test
    void unloadingLetsTheRequestsInFlightOnTheAdapterFinish() throws Exception {
        assertThat(admin.post("/v1/load_lora_adapter", Map.of("lora_name", "held-promo", "lora_path", promoAdapter.toString())).status())
                .isEqualTo(200);
        GatedModel held = loaded.get("held-promo");
        java.util.concurrent.CompletableFuture<Http.Reply> streamed = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> admin.post("/v1/chat/completions", completion("held-promo", "退货运费谁出?", 12, true)));
        java.util.concurrent.CompletableFuture<Http.Reply> whole = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> admin.post("/v1/chat/completions", completion("held-promo", "退货运费谁出?", 12, false)));
        awaitTrue(() -> held.entered.get() == 2);

        assertThat(admin.post("/v1/unload_lora_adapter", Map.of("lora_name", "held-promo")).status()).isEqualTo(200);
        RulesServerIT.assertError(admin.post("/v1/chat/completions", completion("held-promo", "退货运费谁出?", 12, false)), 404, "model");
        assertThat(modelIds(admin)).doesNotContain("held-promo");
        assertThat(held.closes.get()).as("closed while requests run on it").isZero();

        held.gate.countDown();
        String expected = expectedWith("adapter-2", "退货运费谁出?", 12);
        assertThat(answerOf(whole.get(2, java.util.concurrent.TimeUnit.MINUTES))).isEqualTo(expected);
        Http.Reply sse = streamed.get(2, java.util.concurrent.TimeUnit.MINUTES);
        assertThat(sse.status()).as(sse.body()).isEqualTo(200);
        List<String> data = sse.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        for (String d : data.subList(0, data.size() - 1)) {
            text.append(new Http.Reply(200, d, null).json().at("/choices/0/delta/content").asText(""));
        }
        assertThat(text.toString()).isEqualTo(expected);
        awaitTrue(() -> held.closes.get() == 1);
    }
}
