package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ModelInfo;
import io.kefu.runtime.generate.CompletedChatStream;
import io.kefu.shop.Persona;
import io.kefu.shop.Product;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.policy.ComplianceRules;
import io.kefu.shop.policy.HandoffRules;
import io.kefu.shop.rules.RulesChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API over real HTTP on loopback: a change made through it shows in the next {@code /chat} answer (the rules
 * baseline answers from the live facts), it refuses callers without the API key and bodies it cannot take, with the
 * field at fault; and the shop's own rules given to the server (persona, banned claims, hand-off keywords) change
 * what {@code /chat} answers.
 */
class AdminRoutesIT {
    static final String KEY = "admin-key-1";

    @TempDir
    static Path temp;
    static KefuServer server;
    static Http http;
    static Http anonymous;

    @BeforeAll
    static void start() {
        server = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl("jdbc:h2:file:" + temp.resolve("db/shop"))
                .shopFolder(RulesServerIT.SHOP).apiKey(KEY).port(0).build());
        http = new Http(server.port(), KEY);
        anonymous = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode chat(Http client, String question, String productId) {
        Http.Reply reply = client.post("/chat", RulesServerIT.ask(question, productId, null));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static Http.Reply put(Http client, String path, String body) {
        return client.send(client.request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    @Test
    void stockAndPriceChangesShowInTheNextAnswer() {
        Product before = server.shop().product("1002").orElseThrow();
        String color = before.colors().stream().filter(c -> before.stockOf(c, "M") > 0).findFirst().orElseThrow();
        assertThat(chat(http, color + "M码有货吗?", "1002").get("answer").asText()).as("before").contains(color + "M码有货");

        Http.Reply stock = put(http, "/admin/products/1002", "{\"stock\": {\"" + color + "\": {\"M\": 0}}}");
        assertThat(stock.status()).as(stock.body()).isEqualTo(200);
        assertThat(stock.json().at("/stock/" + color + "/M").asInt()).isZero();
        assertThat(chat(http, color + "M码有货吗?", "1002").get("answer").asText()).contains(color + "M码暂时缺货");

        assertThat(chat(http, "这件多少钱?", "1002").get("answer").asText()).contains("这款" + before.price() + "元");
        Http.Reply price = put(http, "/admin/products/1002", "{\"price\": 188}");
        assertThat(price.status()).as(price.body()).isEqualTo(200);
        assertThat(chat(http, "这件多少钱?", "1002").get("answer").asText()).contains("这款188元").doesNotContain(before.price() + "元");
    }

    @Test
    void aPromotionPutShowsInTheNextAnswerAndAPutAgainReplacesIt() {
        LocalDate today = LocalDate.now();
        String promotion = "{\"type\": \"full_reduction\", \"threshold\": 900, \"amount\": %d, \"validFrom\": \"" + today.minusDays(1)
                + "\", \"validTo\": \"" + today.plusDays(30) + "\"}";
        Http.Reply created = put(http, "/admin/promotions/P90", promotion.formatted(60));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(chat(http, "有什么优惠活动吗?", "1003").get("answer").asText()).contains("满900减60");

        Http.Reply replaced = put(http, "/admin/promotions/P90", promotion.formatted(70));
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(chat(http, "有什么优惠活动吗?", "1003").get("answer").asText()).contains("满900减70").doesNotContain("满900减60");
    }

    @Test
    void withoutTheApiKeyEveryAdminRouteAnswers401AndChangesNothing() {
        int price = server.shop().product("1004").orElseThrow().price();
        assertThat(put(anonymous, "/admin/products/1004", "{\"price\": 1}").status()).isEqualTo(401);
        assertThat(put(anonymous, "/admin/promotions/P91", "{}").status()).isEqualTo(401);
        assertThat(anonymous.post("/admin/shop", "{}").status()).isEqualTo(401);
        Http wrong = new Http(server.port(), "not-the-key");
        assertThat(put(wrong, "/admin/products/1004", "{\"price\": 1}").status()).isEqualTo(401);
        assertThat(server.shop().product("1004").orElseThrow().price()).isEqualTo(price);
    }

    @Test
    void badBodiesAre400WithTheFieldAtFaultAndChangeNothing() {
        Product before = server.shop().product("1005").orElseThrow();
        String color = before.colors().get(0);
        assertBad(put(http, "/admin/products/1005", "{\"price\": \"cheap\"}"), "price", "whole number");
        assertBad(put(http, "/admin/products/1005", "{\"price\": 0}"), "price", "1..1000000");
        assertBad(put(http, "/admin/products/1005", "{\"colour\": 1}"), "colour", "unknown field");
        assertBad(put(http, "/admin/products/1005", "{}"), "body", "nothing to change");
        assertBad(put(http, "/admin/products/1005", "{\"stock\": {\"" + color + "\": {\"M\": -3}}}"), "stock." + color + ".M", "0..1000000");
        // a bad SKU anywhere leaves the whole change undone, the price included
        assertBad(put(http, "/admin/products/1005", "{\"price\": 5, \"stock\": {\"" + color + "\": {\"M\": 1, \"XXXL\": 2}}}"),
                "stock." + color + ".XXXL", "no such size");
        assertThat(server.shop().product("1005").orElseThrow()).isEqualTo(before);
        assertBad(put(http, "/admin/products/1005", "not json"), "body", "not valid JSON");
        assertThat(put(http, "/admin/products/9999", "{\"price\": 5}").status()).isEqualTo(404);

        assertBad(put(http, "/admin/promotions/P92", "{\"type\": \"full_reduction\", \"threshold\": 100,\n\"amount\": 100,"
                + " \"validFrom\": \"2026-01-01\", \"validTo\": \"2026-02-01\"}"), "amount", "body:2 amount: amount 100 must be below the threshold 100");
        assertBad(put(http, "/admin/promotions/P92", "{\"type\": \"coupon\", \"threshold\": 0, \"amount\": 5, \"validFrom\": \"2026-01-01\","
                + " \"validTo\": \"2025-02-01\", \"howToGet\": \"领券\"}"), "validTo", "before validFrom");
        assertBad(put(http, "/admin/promotions/P92", "{\"type\": \"gift\"}"), "type", "unknown promotion type");

        String document = ShopCatalog.load(RulesServerIT.SHOP).toDocument().replaceFirst("(\"price\"\\s*:\\s*)\\d+", "$1-7");
        int line = (int) document.substring(0, document.indexOf("-7,")).lines().count();
        assertBad(http.post("/admin/shop", document), "catalog.products[0].price", "body:" + line + " catalog.products[0].price: -7 is out of range");
        assertThat(server.shop().shopName()).isEqualTo("栀语女装");
    }

    private static void assertBad(Http.Reply reply, String param, String message) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json().at("/error/param").asText()).as(reply.body()).isEqualTo(param);
        assertThat(reply.json().at("/error/message").asText()).contains(message);
    }

    @Test
    void aWholeShopPostedReplacesTheServedOne() throws Exception {
        try (KefuServer other = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel())
                .storeUrl("jdbc:h2:file:" + temp.resolve("db-replace/shop")).shopFolder(RulesServerIT.SHOP).apiKey(KEY).port(0).build())) {
            Http client = new Http(other.port(), KEY);
            ShopCatalog sample = ShopCatalog.load(RulesServerIT.SHOP);
            List<Product> products = new ArrayList<>(sample.products());
            Product first = products.get(0);
            products.set(0, new Product(first.id(), first.name(), first.category(), 999, first.sizes(), first.colors(), first.stock(),
                    first.material(), first.care(), first.sizeChart(), first.restockDays()));
            ShopCatalog changed = new ShopCatalog("other", "晚风女装", products, sample.promotions(), sample.policies(), sample.sizeCharts());

            Http.Reply posted = client.post("/admin/shop", changed.toDocument());
            assertThat(posted.status()).as(posted.body()).isEqualTo(200);
            assertThat(posted.json().get("products").asInt()).isEqualTo(products.size());
            assertThat(chat(client, "这件多少钱?", first.id()).get("answer").asText()).contains("这款999元");
            assertThat(other.shop().shopName()).isEqualTo("晚风女装");
            assertThat(other.shop().catalog().products()).isEqualTo(changed.products());
        }
    }

    @Test
    void aServerWithoutAnApiKeyKeepsTheAdminApiClosed() {
        try (KefuServer open = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel())
                .storeUrl("jdbc:h2:file:" + temp.resolve("db-open/shop")).shopFolder(RulesServerIT.SHOP).port(0).build())) {
            Http.Reply reply = put(new Http(open.port()), "/admin/products/1001", "{\"price\": 1}");
            assertThat(reply.status()).isEqualTo(403);
            assertThat(reply.json().at("/error/message").asText()).contains("--api-key-file");
        }
    }

    @Test
    void theShopsOwnRulesChangeWhatChatAnswers() {
        Map<String, String> claims = new java.util.LinkedHashMap<>();
        claims.put("当前活动", "正在进行的活动");
        try (KefuServer shaped = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel())
                .storeUrl("jdbc:h2:file:" + temp.resolve("db-rules/shop")).shopFolder(RulesServerIT.SHOP).port(0)
                .compliance(ComplianceRules.defaultsWith(claims))
                .handoffRules(HandoffRules.defaultsWith(List.of("退货地址"), Optional.empty())).build())) {
            Http client = new Http(shaped.port());
            assertThat(chat(http, "有什么优惠活动吗?", "1001").get("answer").asText()).as("the default").contains("当前活动");
            assertThat(chat(client, "有什么优惠活动吗?", "1001").get("answer").asText()).contains("正在进行的活动").doesNotContain("当前活动");
            JsonNode report = chat(client, "我要举报你们虚假宣传", "1001");
            assertThat(report.get("handoff").asBoolean()).isTrue();
            assertThat(report.get("reason").asText()).isEqualTo("complaint");
            JsonNode keyword = chat(client, "退货地址发我一下", "1001");
            assertThat(keyword.get("handoff").asBoolean()).isTrue();
        }
        try (KefuServer persona = KefuServer.start(ServerConfig.builder().baseModel(new SystemMessageModel())
                .storeUrl("jdbc:h2:file:" + temp.resolve("db-persona/shop")).shopFolder(RulesServerIT.SHOP).port(0)
                .persona(new Persona("你是{shop}的小助手,说话简短。")).build())) {
            assertThat(chat(new Http(persona.port()), "面料怎么样", "1001").get("answer").asText()).isEqualTo("你是栀语女装的小助手,说话简短。");
        }
    }

    /** Answers with the system message it was sent: shows which persona the server prompts with. */
    static final class SystemMessageModel implements ChatModel {
        @Override
        public ChatResponse chat(ChatRequest request) {
            String system = request.messages().stream().filter(m -> m.role() == io.kefu.chat.Role.SYSTEM).map(ChatMessage::content)
                    .findFirst().orElse("");
            return ChatResponse.ofText(system, Duration.ofMillis(1));
        }

        @Override
        public ChatStream stream(ChatRequest request) {
            return CompletedChatStream.of(chat(request));
        }

        @Override
        public ModelInfo info() {
            return new ModelInfo("system-echo", "system-echo", List.of());
        }

        @Override
        public void close() {
        }
    }
}
