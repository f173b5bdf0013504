package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.kefu.shop.rules.RulesChatModel;
import io.kefu.shop.FactsRenderer;
import io.kefu.shop.Product;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopPrompt;
import io.kefu.shop.SizeChart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Clients no one here wrote (LangChain4j's OpenAI models) and a bounded load test, against the server on the rules baseline. */
class ClientsIT {
    @TempDir
    static Path temp;
    static KefuServer server;
    static Http http;
    static ShopCatalog catalog = ShopCatalog.load(RulesServerIT.SHOP);

    @BeforeAll
    static void start() {
        server = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl("jdbc:h2:file:" + temp.resolve("db/shop"))
                .shopFolder(RulesServerIT.SHOP).port(0).build());
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String promotionQuestion() {
        return ShopPrompt.userMessage("这款有什么优惠?", FactsRenderer.render(catalog.factsFor("1001", LocalDate.of(2026, 11, 20))));
    }

    @Test
    void langChain4jOpenAiChatModelGetsTheAnswer() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1").apiKey("unused")
                .modelName("rules").build();
        String answer = model.chat(promotionQuestion());
        String ours = http.post("/v1/chat/completions", Map.of("model", "rules", "messages",
                List.of(Map.of("role", "user", "content", promotionQuestion())))).json().at("/choices/0/message/content").asText();
        assertThat(answer).isEqualTo(ours).contains("满299减50").contains("239元");
    }

    @Test
    void langChain4jOpenAiStreamingChatModelGetsTheStream() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                .apiKey("unused").modelName("rules").build();
        StringBuilder partial = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(promotionQuestion(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String text) {
                partial.append(text);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(60, TimeUnit.SECONDS);
        assertThat(partial.toString()).contains("满299减50");
        assertThat(response.aiMessage().text()).isEqualTo(partial.toString());
        assertThat(response.finishReason()).hasToString("STOP");
    }

    /** 32 clients x 20 /chat requests, each with its own product, height and session: no 5xx, no crossed answers. */
    @Test
    void thirtyTwoClientsTimesTwentyRequests() throws Exception {
        int clients = 32;
        int requests = 20;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<Future<List<String>>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            results.add(pool.submit(() -> {
                Http own = new Http(server.port());
                List<String> problems = new ArrayList<>();
                for (int i = 0; i < requests; i++) {
                    Product product = catalog.products().get((client * requests + i) % catalog.products().size());
                    int height = 150 + (client * 7 + i) % 19;
                    String session = "load-" + client + "-" + i;
                    String sent = i % 2 == 0 ? null : own.post("/chat", RulesServerIT.ask("你好", null, null)).json().get("sessionId").asText();
                    long start = System.nanoTime();
                    Http.Reply reply = own.post("/chat", RulesServerIT.ask("身高" + height + "cm穿什么码?", product.id(), sent));
                    latencies.add((System.nanoTime() - start) / 1_000_000);
                    if (reply.status() != 200) {
                        problems.add(session + ": HTTP " + reply.status() + " " + reply.body());
                        continue;
                    }
                    JsonNode a = reply.json();
                    String expected = "身高" + height + "cm建议选" + size(product, height) + "码";
                    if (!a.get("answer").asText().contains(expected) || (sent != null && !a.get("sessionId").asText().equals(sent))
                            || !a.get("facts").get(0).asText().contains("编号" + product.id())) {
                        problems.add(session + ": expected '" + expected + "' for " + product.id() + ", got " + a);
                    }
                }
                return problems;
            }));
        }
        List<String> problems = new ArrayList<>();
        for (Future<List<String>> f : results) {
            problems.addAll(f.get(10, TimeUnit.MINUTES));
        }
        pool.shutdown();
        assertThat(problems).isEmpty();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        assertThat(sorted).hasSize(clients * requests);
        System.out.printf("load: %d clients x %d /chat requests: p50 %d ms, p99 %d ms, max %d ms%n", clients, requests,
                sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1), sorted.get(sorted.size() - 1));
        assertThat(http.get("/metrics").body()).doesNotContain("status=\"5");
    }

    static String size(Product product, int height) {
        SizeChart chart = catalog.sizeChart(product.sizeChart()).orElseThrow().forSizes(product.sizes());
        return chart.rows().stream().filter(r -> height >= r.heightMin() && height <= r.heightMax()).findFirst().orElseThrow().size();
    }
}
