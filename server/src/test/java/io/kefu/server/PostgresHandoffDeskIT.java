package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.shop.rules.RulesChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-off desk over two server instances sharing one real PostgreSQL: a hand-off made on one is announced by the
 * other's feed and listed by it with its conversation, and of two people claiming it at once through different instances
 * exactly one gets it.
 */
class PostgresHandoffDeskIT {
    private static final String KEY = "pg-desk-key";
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
    void aHandOffOnOneInstanceReachesTheDeskOfAnotherAndIsClaimedOnce() throws Exception {
        try (KefuServer one = KefuServer.start(config());
             KefuServer two = KefuServer.start(config());
             SseLines feed = SseLines.open(new Http(two.port(), KEY), "/handoffs/feed")) {
            Http a = new Http(one.port(), KEY);
            Http b = new Http(two.port(), KEY);
            assertThat(feed.next(l -> l.equals("event: ready"), Duration.ofSeconds(20))).isNotNull();
            String session = a.post("/chat", RulesServerIT.ask("有优惠吗?", "1001", null)).json().get("sessionId").asText();
            JsonNode handoff = a.post("/chat", RulesServerIT.ask("我要投诉,发错货了", "1001", session)).json();
            assertThat(handoff.get("handoff").asBoolean()).isTrue();
            assertThat(feed.next(l -> l.startsWith("data: ") && l.contains(session), Duration.ofSeconds(20))).isNotNull();

            JsonNode listed = HandoffDeskIT.listed(b, "open", session);
            assertThat(listed.get("conversation")).hasSize(2);
            assertThat(listed.at("/conversation/0/question").asText()).isEqualTo("有优惠吗?");
            long id = listed.get("id").asLong();

            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> claims = new ArrayList<>();
                for (Http desk : List.of(a, b)) {
                    claims.add(pool.submit(() -> {
                        go.await();
                        return desk.post("/handoffs/" + id + "/claim", "{}").status();
                    }));
                }
                go.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> claim : claims) {
                    statuses.add(claim.get(60, TimeUnit.SECONDS));
                }
                assertThat(statuses).containsExactlyInAnyOrder(200, 409);
            } finally {
                pool.shutdownNow();
            }
            assertThat(HandoffDeskIT.listed(a, "claimed", session).get("id").asLong()).isEqualTo(id);
            assertThat(b.post("/handoffs/" + id + "/close", "{}").status()).isEqualTo(200);
            assertThat(HandoffDeskIT.listed(a, "closed", session).get("id").asLong()).isEqualTo(id);
        }
    }

    static ServerConfig config() {
        return ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl(pg.jdbcUrl()).shopFolder(RulesServerIT.SHOP).port(0)
                .apiKey(KEY).build();
    }
}
