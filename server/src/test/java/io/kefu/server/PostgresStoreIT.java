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

    @Test
    void instancesShareAnExperimentsSplitAndItsLog() throws Exception {
        io.kefu.eval.ab.ExperimentSplit split = new io.kefu.eval.ab.ExperimentSplit("pg-ab", java.util.List.of(
                new io.kefu.eval.ab.ExperimentSplit.Arm("control", "rules", 1), new io.kefu.eval.ab.ExperimentSplit.Arm("other", "base", 1)));
        java.util.Map<String, long[]> expected = new java.util.HashMap<>();
        try (KefuServer one = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl(pg.jdbcUrl())
                .shopFolder(RulesServerIT.SHOP).port(0).experiment(split).build());
             KefuServer two = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl(pg.jdbcUrl())
                .shopFolder(RulesServerIT.SHOP).port(0).experiment(split).build())) {
            for (int i = 0; i < 10; i++) {
                Http http = new Http((i % 2 == 0 ? one : two).port());
                JsonNode answer = http.post("/chat", RulesServerIT.ask(i % 4 == 0 ? "我要找人工客服" : "有优惠吗?", "1001", null)).json();
                long[] n = expected.computeIfAbsent(answer.get("arm").asText(), k -> new long[3]);
                n[0]++;
                n[2] += answer.get("handoff").asBoolean() ? 1 : 0;
                if (i % 3 == 0) {
                    assertThat(http.post("/events", java.util.Map.of("sessionId", answer.get("sessionId").asText(), "event", "order"))
                            .status()).isEqualTo(200);
                    n[1]++;
                }
            }
        }
        io.kefu.eval.ab.ExperimentSplit changed = new io.kefu.eval.ab.ExperimentSplit("pg-ab", java.util.List.of(
                new io.kefu.eval.ab.ExperimentSplit.Arm("control", "rules", 1), new io.kefu.eval.ab.ExperimentSplit.Arm("other", "base", 2)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel())
                .storeUrl(pg.jdbcUrl()).port(0).experiment(changed).build())).hasMessageContaining("control=rules:1,other=base:1");
        try (Database db = Database.open(pg.jdbcUrl())) {
            io.kefu.server.store.ExperimentStore store = new io.kefu.server.store.ExperimentStore(db, java.time.Clock.systemUTC());
            assertThat(store.split("pg-ab")).contains(split);
            for (io.kefu.eval.ab.ExperimentReport.ArmTally t : store.tallies("pg-ab")) {
                long[] n = expected.get(t.arm());
                assertThat(new long[] {t.sessions(), t.conversions(), t.turns(), t.handoffs(), t.latenciesMs().length})
                        .as(t.arm()).containsExactly(n[0], n[1], n[0], n[2], n[0]);
            }
            assertThat(store.tallies("pg-ab")).hasSize(expected.size());
        }
    }

    static ServerConfig config() {
        return ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl(pg.jdbcUrl()).shopFolder(RulesServerIT.SHOP).port(0).build();
    }
}
