package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kefu.server.facts.HttpFactsSource;
import io.kefu.shop.FactsRenderer;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.policy.HandoffPolicy;
import io.kefu.shop.rules.RulesChatModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A shop whose facts come from its own HTTP API — a real loopback HTTP server serving the sample shop in the shop
 * folder's JSON formats — answers {@code POST /chat} from it, reuses answers within the cache TTL, and hands the
 * conversation to a person when the API fails (500) or is too slow (timeout).
 */
class ShopApiFactsIT {
    enum Mode { OK, FAIL, SLOW, SLOW_BODY }

    @TempDir
    Path temp;
    HttpServer api;
    final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
    final AtomicInteger productCalls = new AtomicInteger();
    final Map<String, ObjectNode> products = new ConcurrentHashMap<>();
    String shopJson;

    @BeforeEach
    void startShopApi() throws Exception {
        Path shop = RulesServerIT.SHOP;
        ObjectNode whole = Http.JSON.createObjectNode();
        JsonNode catalog = Http.JSON.readTree(Files.readString(shop.resolve("catalog.json")));
        whole.set("shop", catalog.get("shop"));
        whole.set("policies", Http.JSON.readTree(Files.readString(shop.resolve("policies.json"))));
        whole.set("promotions", Http.JSON.readTree(Files.readString(shop.resolve("promotions.json"))).get("promotions"));
        whole.set("sizeCharts", Http.JSON.readTree(Files.readString(shop.resolve("size_chart.json"))).get("charts"));
        shopJson = Http.JSON.writeValueAsString(whole);
        catalog.get("products").forEach(p -> products.put(p.get("id").asText(), (ObjectNode) p));
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        api.setExecutor(Executors.newFixedThreadPool(4));
        api.createContext("/api/", this::serve);
        api.start();
    }

    @AfterEach
    void stopShopApi() {
        api.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (mode.get() == Mode.SLOW) {
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (mode.get() == Mode.FAIL) {
                reply(exchange, 500, "{\"error\": \"inventory service down\"}");
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            if (path.equals("/api/shop")) {
                reply(exchange, 200, shopJson);
            } else if (path.equals("/api/products") && query != null && query.startsWith("name=")) {
                String name = URLDecoder.decode(query.substring("name=".length()), StandardCharsets.UTF_8);
                ObjectNode product = products.values().stream().filter(p -> p.get("name").asText().equals(name)).findFirst().orElse(null);
                reply(exchange, product == null ? 404 : 200, product == null ? "{}" : Http.JSON.writeValueAsString(product));
            } else if (path.startsWith("/api/products/")) {
                productCalls.incrementAndGet();
                ObjectNode product = products.get(URLDecoder.decode(path.substring("/api/products/".length()), StandardCharsets.UTF_8));
                if (product == null) {
                    reply(exchange, 404, "{\"error\": \"no such product\"}");
                } else {
                    reply(exchange, 200, Http.JSON.writeValueAsString(product));
                }
            } else {
                reply(exchange, 404, "{}");
            }
        }
    }

    private void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        if (mode.get() == Mode.SLOW_BODY) {
            exchange.getResponseBody().write(bytes, 0, 1);
            exchange.getResponseBody().flush();
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getResponseBody().write(bytes, 1, bytes.length - 1);
        } else {
            exchange.getResponseBody().write(bytes);
        }
    }

    private KefuServer serve(Duration ttl) {
        URI base = URI.create("http://127.0.0.1:" + api.getAddress().getPort() + "/api");
        return KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl("jdbc:h2:file:" + temp.resolve("store/shop"))
                .facts(HttpFactsSource.builder(base).timeout(Duration.ofMillis(800)).ttl(ttl).build()).port(0).build());
    }

    @Test
    void answersFromTheShopsApiAndCachesForTheTtl() throws Exception {
        products.get("1001").put("price", 259);
        try (KefuServer server = serve(Duration.ofSeconds(60))) {
            Http http = new Http(server.port());
            JsonNode first = http.post("/chat", RulesServerIT.ask("雾蓝M码有货吗?", "1001", null)).json();
            assertThat(first.get("handoff").asBoolean()).isFalse();
            assertThat(first.get("answer").asText()).contains("雾蓝M码有货,还有25件");
            assertThat(first.get("facts").get(0).asText()).isEqualTo("商品:法式碎花连衣裙(编号1001),259元");
            ShopCatalog sample = ShopCatalog.load(RulesServerIT.SHOP);
            String expected = FactsRenderer.render(sample.factsFor("1001", LocalDate.now())).replace("239元", "259元");
            assertThat(String.join("\n", FactsRenderer.HEADER, String.join("\n", texts(first.get("facts"))))).isEqualTo(expected);

            // within the TTL a change in the shop is not fetched again: one call to the API for both questions
            ((ObjectNode) products.get("1001").get("stock").get("雾蓝")).put("M", 0);
            JsonNode second = http.post("/chat", RulesServerIT.ask("雾蓝M码有货吗?", "1001", null)).json();
            assertThat(second.get("answer").asText()).contains("雾蓝M码有货,还有25件");
            assertThat(productCalls.get()).isEqualTo(1);

            assertThat(http.post("/chat", RulesServerIT.ask("有货吗?", "no-such-product", null)).status()).isEqualTo(404);
        }
    }

    @Test
    void aChangeShowsOnceTheTtlIsOver() throws Exception {
        try (KefuServer server = serve(Duration.ofMillis(300))) {
            Http http = new Http(server.port());
            assertThat(http.post("/chat", RulesServerIT.ask("雾蓝M码有货吗?", "1001", null)).json().get("answer").asText())
                    .contains("雾蓝M码有货,还有25件");
            ((ObjectNode) products.get("1001").get("stock").get("雾蓝")).put("M", 0);
            Thread.sleep(400);
            assertThat(http.post("/chat", RulesServerIT.ask("雾蓝M码有货吗?", "1001", null)).json().get("answer").asText())
                    .contains("雾蓝M码暂时缺货");
        }
    }

    @Test
    void anApiThatFailsOrIsTooSlowMakesTheAnswerAHandoff() throws Exception {
        try (KefuServer server = serve(Duration.ZERO)) {
            Http http = new Http(server.port());
            mode.set(Mode.FAIL);
            JsonNode failed = http.post("/chat", RulesServerIT.ask("雾蓝M码有货吗?", "1001", null)).json();
            assertHandoff(failed);
            JsonNode shopWide = http.post("/chat", RulesServerIT.ask("发什么快递?", null, null)).json();
            assertHandoff(shopWide);

            mode.set(Mode.SLOW);
            long start = System.nanoTime();
            JsonNode slow = http.post("/chat", RulesServerIT.ask("雾蓝M码有货吗?", "1001", null)).json();
            assertHandoff(slow);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2900));

            // headers in time, then a body that stalls: the timeout covers the whole answer
            mode.set(Mode.SLOW_BODY);
            start = System.nanoTime();
            assertHandoff(http.post("/chat", RulesServerIT.ask("雾蓝M码有货吗?", "1001", null)).json());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2900));

            mode.set(Mode.OK);
            JsonNode back = http.post("/chat", RulesServerIT.ask("雾蓝M码有货吗?", "1001", null)).json();
            assertThat(back.get("handoff").asBoolean()).isFalse();
            assertThat(back.get("answer").asText()).contains("雾蓝M码有货");
            assertThat(server.conversations().openHandoffs()).filteredOn(h -> h.reason().equals("facts_unavailable")).hasSize(4);
        }
    }

    @Test
    void looksProductsUpByName() {
        URI base = URI.create("http://127.0.0.1:" + api.getAddress().getPort() + "/api/");
        try (HttpFactsSource source = HttpFactsSource.builder(base).build()) {
            assertThat(source.productNamed("法式碎花连衣裙")).map(p -> p.id()).contains("1001");
            assertThat(source.productNamed("没有 这件&x=1")).isEmpty();
            assertThat(source.shopName()).isEqualTo("栀语女装");
        }
    }

    @Test
    void plainHttpIsTakenOnlyForLoopback() {
        assertThatThrownBy(() -> HttpFactsSource.builder(URI.create("http://shop.example.com/api")).build())
                .hasMessageContaining("https");
        assertThatThrownBy(() -> HttpFactsSource.builder(URI.create("ftp://127.0.0.1/api")).build()).hasMessageContaining("http(s)");
        assertThatThrownBy(() -> HttpFactsSource.builder(URI.create("https://kefu:pa55@shop.example.com/api?key=k3y")).build())
                .hasMessageContaining("user part, query").hasMessageNotContaining("pa55").hasMessageNotContaining("k3y");
    }

    private static void assertHandoff(JsonNode answer) {
        assertThat(answer.get("handoff").asBoolean()).isTrue();
        assertThat(answer.get("reason").asText()).isEqualTo("facts_unavailable");
        assertThat(answer.get("answer").asText()).isEqualTo(HandoffPolicy.HANDOFF_ANSWER);
        assertThat(answer.get("facts")).isEmpty();
    }

    private static java.util.List<String> texts(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
