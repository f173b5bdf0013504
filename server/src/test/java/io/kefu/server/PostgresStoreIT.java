package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.shop.rules.RulesChatModel;
import io.kefu.shop.FactsRenderer;
import io.kefu.shop.Product;
import io.kefu.shop.ShopCatalog;
import io.kefu.server.store.Database;
import io.kefu.server.store.ShopStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The store on a real PostgreSQL 15 that the test starts: migrations, live facts, two instances sharing it, and the database going away and coming back. */
class PostgresStoreIT {
    static PostgresServer pg;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @Test
    void twoInstancesShareOneDatabaseWhichMayGoAwayAndComeBack() throws Exception {
        ShopCatalog catalog = ShopCatalog.load(RulesServerIT.SHOP);
        try (KefuServer one = KefuServer.start(config());
             KefuServer two = KefuServer.start(config())) {
            ShopStore store = new ShopStore(Database.open(pg.jdbcUrl()));
            LocalDate day = LocalDate.of(2026, 11, 20);
            for (Product p : catalog.products()) {
                assertThat(FactsRenderer.render(store.facts(Optional.of(p.id()), day))).isEqualTo(FactsRenderer.render(catalog.factsFor(p, day)));
            }
            Http a = new Http(one.port());
            Http b = new Http(two.port());
            JsonNode first = a.post("/chat", RulesServerIT.ask("雾蓝M码有货吗?", "1001", null)).json();
            String session = first.get("sessionId").asText();
            assertThat(first.get("answer").asText()).contains("雾蓝M码有货");
            store.setStock("1001", "雾蓝", "M", 0);
            JsonNode second = b.post("/chat", RulesServerIT.ask("雾蓝M码有货吗?", "1001", session)).json();
            assertThat(second.get("sessionId").asText()).isEqualTo(session);
            assertThat(second.get("answer").asText()).contains("雾蓝M码暂时缺货");
            assertThat(one.conversations().history(session, 10)).hasSize(2);

            pg.stopServer();
            Http.Reply down = a.post("/chat", RulesServerIT.ask("L码有货吗?", "1001", session));
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.json().at("/error/message").asText()).contains("database").doesNotContain("Exception");
            assertThat(a.get("/health").status()).isEqualTo(503);

            pg.startServer();
            Http.Reply back = a.post("/chat", RulesServerIT.ask("L码有货吗?", "1001", session));
            assertThat(back.status()).isEqualTo(200);
            assertThat(back.json().get("answer").asText()).contains("L码");
            assertThat(a.get("/health").status()).isEqualTo(200);
        }
    }

    @Test
    void concurrentTurnsOfOneSessionAreAllKept() throws Exception {
        try (KefuServer server = KefuServer.start(config())) {
            Http http = new Http(server.port());
            String session = http.post("/chat", RulesServerIT.ask("你好", null, null)).json().get("sessionId").asText();
            int turns = 16;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(turns);
            try {
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                java.util.List<java.util.concurrent.Future<Http.Reply>> replies = new java.util.ArrayList<>();
                for (int i = 0; i < turns; i++) {
                    String question = "身高" + (150 + i) + "cm穿什么码?";
                    replies.add(pool.submit(() -> {
                        go.await();
                        return http.post("/chat", RulesServerIT.ask(question, "1001", session));
                    }));
                }
                go.countDown();
                for (java.util.concurrent.Future<Http.Reply> reply : replies) {
                    Http.Reply r = reply.get(60, java.util.concurrent.TimeUnit.SECONDS);
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    assertThat(r.json().get("sessionId").asText()).isEqualTo(session);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(server.conversations().history(session, 100)).hasSize(turns + 1);
        }
    }

    @Test
    void theAdminApiChangesAndReplacesTheShopOnPostgres() throws Exception {
        ShopCatalog catalog = ShopCatalog.load(RulesServerIT.SHOP);
        try (KefuServer server = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl(pg.jdbcUrl())
                .shopFolder(RulesServerIT.SHOP).apiKey("pg-admin").port(0).build())) {
            Http http = new Http(server.port(), "pg-admin");
            Http.Reply price = http.send(http.request("/admin/products/1006").header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"price\": 111}")).build());
            assertThat(price.status()).as(price.body()).isEqualTo(200);
            assertThat(http.post("/chat", RulesServerIT.ask("多少钱?", "1006", null)).json().get("answer").asText()).contains("这款111元");
            Http.Reply promotion = http.send(http.request("/admin/promotions/PG1").header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"type\": \"full_reduction\", \"threshold\": 800, \"amount\": 80,"
                            + " \"validFrom\": \"" + LocalDate.now().minusDays(1) + "\", \"validTo\": \"" + LocalDate.now().plusDays(1) + "\"}"))
                    .build());
            assertThat(promotion.status()).as(promotion.body()).isEqualTo(201);
            assertThat(http.post("/chat", RulesServerIT.ask("有优惠吗?", "1006", null)).json().get("answer").asText()).contains("满800减80");
            assertThat(server.shop().catalog().promotions()).last().satisfies(p -> assertThat(p.id()).isEqualTo("PG1"));

            Http.Reply replaced = http.post("/admin/shop", catalog.toDocument());
            assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
            assertThat(server.shop().catalog().products()).isEqualTo(catalog.products());
        }
    }

    static ServerConfig config() {
        return ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl(pg.jdbcUrl()).shopFolder(RulesServerIT.SHOP).port(0).build();
    }
}
