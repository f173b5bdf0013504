package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.KefuException;
import io.kefu.shop.rules.RulesChatModel;
import io.kefu.shop.FactsRenderer;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopPrompt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole server over real HTTP on loopback, answering with the rules baseline (deterministic) from an H2 store. */
class RulesServerIT {
    static final Path SHOP = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "shop");

    @TempDir
    static Path temp;
    static KefuServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl("jdbc:h2:file:" + temp.resolve("db/shop"))
                .shopFolder(SHOP).port(0).maxBodyBytes(4096).build());
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Map<String, Object> ask(String question, String productId, String sessionId) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("question", question);
        if (productId != null) {
            body.put("productId", productId);
        }
        if (sessionId != null) {
            body.put("sessionId", sessionId);
        }
        return body;
    }

    @Test
    void chatAnswersFromTheLiveFactsAndKeepsTheSession() {
        Http.Reply first = http.post("/chat", ask("雾蓝M码有货吗?", "1001", null));
        assertThat(first.status()).isEqualTo(200);
        JsonNode a = first.json();
        String facts = FactsRenderer.render(ShopCatalog.load(SHOP).factsFor("1001", LocalDate.now()));
        assertThat(a.get("answer").asText()).contains("雾蓝M码有货");
        assertThat(a.get("handoff").asBoolean()).isFalse();
        assertThat(a.has("reason")).isFalse();
        assertThat(a.get("facts").get(0).asText()).startsWith("商品:法式碎花连衣裙(编号1001)");
        assertThat(facts).contains(a.get("facts").get(1).asText());
        assertThat(a.get("latencyMs").asLong()).isNotNegative();
        String session = a.get("sessionId").asText();

        // the shop sells out: the next answer says so, in the same session
        server.shop().setStock("1001", "雾蓝", "M", 0);
        server.shop().setStock("1001", "米白", "M", 0);
        JsonNode b = http.post("/chat", ask("M码还有吗?", "1001", session)).json();
        assertThat(b.get("sessionId").asText()).isEqualTo(session);
        assertThat(b.get("answer").asText()).contains("雾蓝M码暂时缺货").doesNotContain("有货");
        assertThat(server.conversations().history(session, 10)).extracting(t -> t.question()).containsExactly("雾蓝M码有货吗?", "M码还有吗?");
        server.shop().setStock("1001", "雾蓝", "M", 25);
        server.shop().setStock("1001", "米白", "M", 2);
    }

    @Test
    void aComplaintHandsOffAndLandsInTheQueue() {
        JsonNode a = http.post("/chat", ask("我要投诉,裙子破了", "1002", null)).json();
        String session = a.get("sessionId").asText();
        assertThat(a.get("handoff").asBoolean()).isTrue();
        assertThat(a.get("reason").asText()).isEqualTo("complaint");
        assertThat(a.get("answer").asText()).contains("人工客服");
        assertThat(server.conversations().openHandoffs()).anySatisfy(h -> {
            assertThat(h.sessionId()).isEqualTo(session);
            assertThat(h.reason()).isEqualTo("complaint");
        });
        assertThat(http.get("/metrics").body()).contains("kefu_handoffs_total{reason=\"complaint\"}");
    }

    @Test
    void openAiCompletionsStreamedAndWholeAgree() {
        String user = ShopPrompt.userMessage("有什么优惠?", FactsRenderer.render(ShopCatalog.load(SHOP).factsFor("1001", LocalDate.of(2026, 11, 20))));
        Map<String, Object> body = Map.of("model", "rules", "messages", List.of(Map.of("role", "user", "content", user)));
        Http.Reply whole = http.post("/v1/chat/completions", body);
        assertThat(whole.status()).isEqualTo(200);
        JsonNode w = whole.json();
        assertThat(w.get("object").asText()).isEqualTo("chat.completion");
        String answer = w.at("/choices/0/message/content").asText();
        assertThat(answer).contains("满299减50");
        assertThat(w.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(w.has("usage")).isTrue();

        Map<String, Object> streamed = new java.util.LinkedHashMap<>(body);
        streamed.put("stream", true);
        streamed.put("stream_options", Map.of("include_usage", true));
        Http.Reply sse = http.post("/v1/chat/completions", streamed);
        assertThat(sse.status()).isEqualTo(200);
        assertThat(sse.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = sse.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        String finish = null;
        boolean usage = false;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = new Http.Reply(200, e, null).json();
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
            if (chunk.get("choices").size() > 0) {
                text.append(chunk.at("/choices/0/delta/content").asText(""));
                if (!chunk.at("/choices/0/finish_reason").isNull()) {
                    finish = chunk.at("/choices/0/finish_reason").asText();
                }
            }
            usage |= chunk.has("usage");
        }
        assertThat(text.toString()).isEqualTo(answer);
        assertThat(finish).isEqualTo("stop");
        assertThat(usage).isTrue();
    }

    @Test
    void modelsListsTheBase() {
        JsonNode m = http.get("/v1/models").json();
        assertThat(m.get("object").asText()).isEqualTo("list");
        assertThat(m.at("/data/0/id").asText()).isEqualTo("rules");
    }

    @Test
    void everyBadRequestGetsAJsonErrorNamingTheField() {
        assertError(http.post("/chat", "{\"productId\": \"1001\"}"), 400, "question");
        assertError(http.post("/chat", "{\"question\": 5}"), 400, "question");
        assertError(http.post("/chat", "{\"question\": \"hi\", \"sessionId\": \"bad id!\"}"), 400, "sessionId");
        assertError(http.post("/chat", "{\"question\": "), 400, "body");
        assertError(http.post("/chat", "[1, 2]"), 400, "body");
        assertError(http.post("/chat", ask("有货吗", "9999", null)), 404, "productId");
        assertError(http.post("/chat", "{\"question\": \"" + "很".repeat(3000) + "\"}"), 413, "body");
        assertError(http.post("/v1/chat/completions", Map.of("model", "no-such-adapter", "messages", List.of(Map.of("role", "user", "content", "hi")))),
                404, "model");
        assertError(http.post("/v1/chat/completions", Map.of("messages", List.of())), 400, "messages");
        assertError(http.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "robot", "content", "hi")))), 400,
                "messages[0].role");
        assertError(http.post("/v1/chat/completions", Map.of("temperature", 9, "messages", List.of(Map.of("role", "user", "content", "hi")))),
                400, "temperature");
        assertError(http.post("/events", Map.of("sessionId", "s", "event", "dance")), 400, "event");
        Http.Reply nowhere = http.get("/nowhere");
        assertThat(nowhere.status()).isEqualTo(404);
        assertThat(nowhere.json().at("/error/message").asText()).contains("/nowhere");
        // loading adapters at run time is off unless the server is started with it
        Http.Reply load = http.post("/v1/load_lora_adapter", Map.of("lora_name", "x", "lora_path", temp.toString()));
        assertThat(load.status()).isEqualTo(404);
        assertThat(load.json().at("/error/message").asText()).contains("no such endpoint");
        assertThat(http.post("/v1/unload_lora_adapter", Map.of("lora_name", "x")).status()).isEqualTo(404);
        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("kefu_requests_total{endpoint=\"/chat\",status=\"400\"}").contains("kefu_queue_depth 0")
                .contains("kefu_request_duration_seconds_bucket{endpoint=\"/chat\",le=\"+Inf\"}");
    }

    static void assertError(Http.Reply reply, int status, String field) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        JsonNode error = reply.json().get("error");
        assertThat(error.get("param").asText()).isEqualTo(field);
        assertThat(error.get("message").asText()).contains(field).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void eventsAreLoggedPerArmForTheAbReport() {
        JsonNode chat = http.post("/chat", ask("发货快吗?", "1003", null)).json();
        assertThat(chat.get("answer").asText()).contains("发货");
        String session = chat.get("sessionId").asText();
        Http.Reply event = http.post("/events", Map.of("sessionId", session, "event", "order", "amount", 199));
        assertThat(event.status()).isEqualTo(200);
        assertThat(server.conversations().eventsCsv("none")).contains(session + ",model,chat", session + ",model,order");
        // a session the server never issued logs nothing
        assertError(http.post("/events", Map.of("sessionId", "buyer-7", "event", "order")), 404, "sessionId");
    }

    @Test
    void healthSaysOk() {
        Http.Reply health = http.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("store").asText()).isEqualTo("ok");
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndShutdownDrainsRequestsInFlight() throws Exception {
        GatedModel gated = new GatedModel(new RulesChatModel());
        KefuServer small = KefuServer.start(ServerConfig.builder().baseModel(gated).storeUrl("jdbc:h2:file:" + temp.resolve("db2/shop"))
                .shopFolder(SHOP).port(0).maxBatch(1).queueCapacity(1).build());
        Http client = new Http(small.port());
        List<CompletableFuture<Http.Reply>> first = new ArrayList<>();
        first.add(CompletableFuture.supplyAsync(() -> client.post("/chat", ask("M码有货吗?", "1001", "q1"))));
        while (gated.entered.get() < 1) {
            Thread.sleep(10);
        }
        first.add(CompletableFuture.supplyAsync(() -> client.post("/chat", ask("L码有货吗?", "1001", "q2"))));
        Thread.sleep(300);
        Http.Reply refused = client.post("/chat", ask("S码有货吗?", "1001", "q3"));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.raw().headers().firstValue("Retry-After")).contains("1");
        assertThat(client.get("/metrics").body()).contains("kefu_queue_depth 1").contains("kefu_generations_running 1");

        CompletableFuture<Void> closing = CompletableFuture.runAsync(small::close);
        Thread.sleep(300);
        assertThat(closing).isNotDone();
        gated.gate.countDown();
        closing.get(30, TimeUnit.SECONDS);
        assertThat(first.get(0).get(30, TimeUnit.SECONDS).json().get("answer").asText()).contains("M码有货");
        assertThat(first.get(1).get(30, TimeUnit.SECONDS).json().get("answer").asText()).contains("L码");
    }

    @Test
    void anApiKeyIsRequiredWhenConfiguredAndOffLoopback() throws Exception {
        assertThatThrownBy(() -> ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl("jdbc:h2:mem:x").bind("0.0.0.0").build())
                .isInstanceOf(KefuException.class).hasMessageContaining("--api-key-file");
        KefuServer keyed = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl("jdbc:h2:file:" + temp.resolve("db3/shop"))
                .shopFolder(SHOP).port(0).apiKey("s3cret").build());
        try {
            Http.Reply none = new Http(keyed.port()).post("/chat", ask("M码有货吗?", "1001", null));
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.json().at("/error/message").asText()).contains("Authorization");
            assertThat(new Http(keyed.port(), "wrong").get("/v1/models").status()).isEqualTo(401);
            assertThat(new Http(keyed.port(), "s3cret").post("/chat", ask("M码有货吗?", "1001", null)).status()).isEqualTo(200);
            assertThat(new Http(keyed.port()).get("/health").status()).isEqualTo(200);
        } finally {
            keyed.close();
        }
        assertThat(Files.exists(temp.resolve("db3/shop.mv.db"))).isTrue();
    }
    @Test
    void aRequestOverItsTimeoutGets504() throws Exception {
        GatedModel gated = new GatedModel(new RulesChatModel());
        try (KefuServer slow = KefuServer.start(ServerConfig.builder().baseModel(gated).storeUrl("jdbc:h2:file:" + temp.resolve("db4/shop"))
                .shopFolder(SHOP).port(0).requestTimeout(java.time.Duration.ofMillis(300)).drainTimeout(java.time.Duration.ofSeconds(5)).build())) {
            Http.Reply late = new Http(slow.port()).post("/chat", ask("M码有货吗?", "1001", null));
            assertThat(late.status()).isEqualTo(504);
            assertThat(late.json().at("/error/message").asText()).contains("timeout").contains("request id");
            gated.gate.countDown();
        }
    }

    @Test
    void abSessionsKeepTheirArmAndTheLogFeedsTheAbReport() throws Exception {
        Map<String, io.kefu.chat.ChatModel> arms = new java.util.LinkedHashMap<>();
        arms.put("rules", new RulesChatModel());
        arms.put("tuned", new RulesChatModel());
        try (KefuServer ab = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel())
                .storeUrl("jdbc:h2:file:" + temp.resolve("db5/shop")).shopFolder(SHOP).port(0).experiment("shop-2026-11", arms).build())) {
            Http client = new Http(ab.port());
            Map<String, Double> split = new java.util.LinkedHashMap<>();
            split.put("rules", 1.0);
            split.put("tuned", 1.0);
            io.kefu.eval.ab.ArmAssigner assigner = new io.kefu.eval.ab.ArmAssigner("shop-2026-11", split);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < 12; i++) {
                JsonNode first = client.post("/chat", ask("M码有货吗?", "1001", null)).json();
                String session = first.get("sessionId").asText();
                String arm = first.get("arm").asText();
                assertThat(client.post("/chat", ask("L码呢?", "1001", session)).json().get("arm").asText()).isEqualTo(arm);
                assertThat(arm).isEqualTo(assigner.assign(session));
                seen.add(arm);
                if (i % 3 == 0) {
                    assertThat(client.post("/events", Map.of("sessionId", session, "event", "order")).json().get("arm").asText()).isEqualTo(arm);
                }
            }
            assertThat(seen).containsExactlyInAnyOrder("rules", "tuned");
            Path csv = temp.resolve("events.csv");
            Files.write(csv, ab.conversations().eventsCsv("shop-2026-11"));
            io.kefu.eval.ab.AbReport report = io.kefu.eval.ab.AbReport.fromCsv(csv, null, 0.95);
            assertThat(report.arms()).extracting(io.kefu.eval.ab.AbReport.ArmCount::sessions).containsOnly(
                    report.arms().get(0).sessions(), report.arms().get(1).sessions());
            assertThat(report.arms().stream().mapToLong(io.kefu.eval.ab.AbReport.ArmCount::sessions).sum()).isEqualTo(12);
            assertThat(report.arms().stream().mapToLong(io.kefu.eval.ab.AbReport.ArmCount::conversions).sum()).isEqualTo(4);
            assertThat(assigner.arms()).hasSize(2);
        }
    }
}
