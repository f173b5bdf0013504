package io.kefu.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.GenerationParameters;
import io.kefu.cli.KefuCli;
import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.train.Adapter;
import io.kefu.train.LoraConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code kefu serve} started as a user would, answering over HTTP from a store it creates and loads
 * itself: the rules baseline with an API key, and a tiny random-weight Llama (real Llama 3 tokenizer)
 * on the djl engine that loads and unloads a LoRA adapter at run time.
 */
class ServeCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static final Path SHOP = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "shop");

    /** Starts {@code kefu serve ARGS --port P} on a daemon thread (it runs until the JVM ends) and waits until it listens. */
    static URI serve(String... args) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--port", String.valueOf(port)));
        StringWriter out = new StringWriter();
        Thread serve = new Thread(() -> KefuCli.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(out, true)),
                "kefu-serve-it");
        serve.setDaemon(true);
        serve.start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (!out.toString().contains("listening on") && serve.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(out.toString()).contains("listening on http://127.0.0.1:" + port);
        return URI.create("http://127.0.0.1:" + port);
    }

    static HttpResponse<String> post(URI uri, String key, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void servesTheShopWithAKey() throws Exception {
        Files.writeString(dir.resolve("key"), "k-123\n");
        URI base = serve("serve", "--engine", "rules", "--store", "jdbc:h2:file:" + dir.resolve("store/shop"), "--shop", SHOP.toString(),
                "--api-key-file", dir.resolve("key").toString());
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest chat = HttpRequest.newBuilder(base.resolve("/chat")).header("Authorization", "Bearer k-123")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"question\": \"雾蓝M码有货吗?\", \"productId\": \"1001\"}", StandardCharsets.UTF_8)).build();
        HttpResponse<String> r = client.send(chat, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("雾蓝M码有货");
        HttpResponse<String> noKey = client.send(HttpRequest.newBuilder(base.resolve("/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(Files.exists(dir.resolve("store/shop.mv.db"))).isTrue();
    }

    @Test
    void readsTheFactsFromTheSourceFactsNames() throws Exception {
        String catalogUrl = "jdbc:h2:file:" + dir.resolve("catalog/shop");
        try (io.kefu.server.store.Database catalog = io.kefu.server.store.Database.open(catalogUrl)) {
            io.kefu.server.store.ShopStore shop = new io.kefu.server.store.ShopStore(catalog);
            shop.loadIfEmpty(io.kefu.shop.ShopCatalog.load(SHOP));
            shop.setStock("1001", "雾蓝", "M", 7);
        }
        Files.writeString(dir.resolve("key"), "k-789\n");
        URI base = serve("serve", "--engine", "rules", "--store", "jdbc:h2:file:" + dir.resolve("store/shop"), "--facts", catalogUrl,
                "--api-key-file", dir.resolve("key").toString());
        HttpResponse<String> r = post(base.resolve("/chat"), "k-789", "{\"question\": \"雾蓝M码有货吗?\", \"productId\": \"1001\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("雾蓝M码有货,还有7件");

        HttpResponse<String> admin = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/admin/products/1001"))
                .header("Authorization", "Bearer k-789").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"price\": 1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(admin.statusCode()).as("the admin API changes Kefu's store, which is not where the facts come from")
                .isEqualTo(409);
        assertThat(admin.body()).contains("--facts").contains("change them there");
        assertThat(post(base.resolve("/chat"), "k-789", "{\"question\": \"多少钱?\", \"productId\": \"1001\"}").body()).doesNotContain("这款1元");
    }

    @Test
    void loadsAndUnloadsAnAdapterAtRunTimeWhenAllowed() throws Exception {
        Path config = dir.resolve("tiny.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256,"
                + " \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        Path model = dir.resolve("model");
        Engine djl = Engines.get("djl");
        djl.initCheckpoint("llama", config, Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3"), model, 11);
        Path adapter = randomAdapter(dir.resolve("shop-lora"));
        Files.writeString(dir.resolve("key"), "k-456\n");
        URI base = serve("serve", "--engine", "djl", "--model", model.toString(), "--max-batch", "4", "--allow-runtime-adapters",
                "--adapter-root", dir.toString(), "--store", "jdbc:h2:file:" + dir.resolve("store/shop"), "--shop", SHOP.toString(), "--api-key-file", dir.resolve("key").toString());

        HttpResponse<String> load = post(base.resolve("/v1/load_lora_adapter"), "k-456",
                JSON.writeValueAsString(Map.of("lora_name", "shop-live", "lora_path", adapter.toString())));
        assertThat(load.statusCode()).as(load.body()).isEqualTo(200);
        HttpResponse<String> models = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/v1/models"))
                .header("Authorization", "Bearer k-456").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(models.body()).contains("\"shop-live\"");

        String ask = "{\"model\": \"shop-live\", \"max_tokens\": 5, \"logprobs\": true,"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"连衣裙有S码吗?\"}]}";
        HttpResponse<String> answer = post(base.resolve("/v1/chat/completions"), "k-456", ask);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode served = JSON.readTree(answer.body());
        GenerationParameters five = GenerationParameters.builder().maxNewTokens(5).logprobs(true).build();
        ChatRequest direct = ChatRequest.builder().addUser("连衣裙有S码吗?").parameters(five).build();
        try (BaseModel loaded = djl.load(ModelRef.of(model)); ChatModel plain = djl.chatModel(loaded);
             ChatModel withAdapter = djl.chatModel(loaded, Adapter.load(adapter))) {
            ChatResponse expected = withAdapter.chat(direct);
            double adapted = expected.logprobs().get(0).logprob();
            assertThat(adapted).as("the adapter changes the model").isNotCloseTo(plain.chat(direct).logprobs().get(0).logprob(), within(1e-3));
            assertThat(served.at("/choices/0/message/content").asText()).isEqualTo(expected.text());
            assertThat(served.at("/choices/0/logprobs/content/0/logprob").asDouble()).isCloseTo(adapted, within(1e-5));
        }

        HttpResponse<String> unload = post(base.resolve("/v1/unload_lora_adapter"), "k-456", "{\"lora_name\": \"shop-live\"}");
        assertThat(unload.statusCode()).as(unload.body()).isEqualTo(200);
        assertThat(post(base.resolve("/v1/chat/completions"), "k-456", ask).statusCode()).isEqualTo(404);
        assertThat(post(base.resolve("/v1/unload_lora_adapter"), "k-456", "{\"lora_name\": \"shop-live\"}").statusCode()).isEqualTo(404);
    }

    /** A rank-2 LoRA on q_proj and v_proj of the one-layer tiny Llama, with random weights large enough to change its answers. */
    static Path randomAdapter(Path out) {
        Random random = new Random(5);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        tensors.put(PeftAdapter.loraAName(0, "q_proj"), matrix(random, 2, 64));
        tensors.put(PeftAdapter.loraBName(0, "q_proj"), matrix(random, 64, 2));
        tensors.put(PeftAdapter.loraAName(0, "v_proj"), matrix(random, 2, 64));
        tensors.put(PeftAdapter.loraBName(0, "v_proj"), matrix(random, 32, 2));
        PeftAdapter.of(LoraConfig.builder().rank(2).alpha(4).targets("q_proj", "v_proj").build(), "tiny", tensors).save(out);
        return out;
    }

    static FloatTensor matrix(Random random, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return FloatTensor.matrix(rows, cols, v);
    }
}
