package io.kefu.server;

import io.kefu.shop.rules.RulesChatModel;
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
 * A real PostgreSQL that stalls (SIGSTOP to the postmaster and its backends, as a frozen host or a network
 * partition would) while 16 clients call /chat: every one gets 503 within a bound set by the store timeout, the
 * server keeps no threads stuck on the database, and the next calls after SIGCONT are answered again.
 */
class PostgresStallIT {
    static final int CLIENTS = 16;
    static final Duration STORE_TIMEOUT = Duration.ofSeconds(2);
    /** Waiting for a connection, then one stalled read: about twice the store timeout; the rest is a generous margin. */
    static final Duration BOUND = STORE_TIMEOUT.multipliedBy(2).plusSeconds(8);

    record Outcome(int status, Duration took) {
    }

    @Test
    void aStalledDatabaseAnswers503InBoundedTimeWithoutAThreadPileUpAndRecovers() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS, r -> new Thread(r, "stall-client"));
        try (PostgresServer pg = PostgresServer.start();
             KefuServer server = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl(pg.jdbcUrl())
                     .shopFolder(RulesServerIT.SHOP).port(0).storePoolSize(4).storeTimeout(STORE_TIMEOUT).build())) {
            Http http = new Http(server.port());
            assertThat(round(clients, http)).as("warm-up").allSatisfy(o -> assertThat(o.status()).isEqualTo(200));
            int before = serverThreads();

            pg.pause();
            List<Outcome> stalled;
            int during;
            try {
                stalled = round(clients, http);
                during = serverThreads();
                assertThat(http.get("/health").status()).isEqualTo(503);
            } finally {
                pg.resume();
            }
            assertThat(stalled).allSatisfy(o -> {
                assertThat(o.status()).isEqualTo(503);
                assertThat(o.took()).isLessThan(BOUND);
            });
            assertThat(during).as("threads before the stall: " + before).isLessThanOrEqualTo(before + 8);

            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (http.post("/chat", RulesServerIT.ask("M码有货吗?", "1001", null)).status() != 200 && System.nanoTime() < until) {
                Thread.sleep(200);
            }
            assertThat(round(clients, http)).as("after SIGCONT").allSatisfy(o -> assertThat(o.status()).isEqualTo(200));
            assertThat(http.get("/health").status()).isEqualTo(200);
        } finally {
            clients.shutdownNow();
        }
    }

    /** @return the outcome of {@value #CLIENTS} /chat calls sent at once */
    static List<Outcome> round(ExecutorService clients, Http http) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Outcome>> calls = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String question = "身高" + (150 + i) + "cm穿什么码?";
            calls.add(clients.submit(() -> {
                go.await();
                long start = System.nanoTime();
                int status = http.post("/chat", RulesServerIT.ask(question, "1001", null)).status();
                return new Outcome(status, Duration.ofNanos(System.nanoTime() - start));
            }));
        }
        go.countDown();
        List<Outcome> out = new ArrayList<>();
        for (Future<Outcome> call : calls) {
            out.add(call.get(2, TimeUnit.MINUTES));
        }
        return out;
    }

    /** @return live threads of this JVM but the test's own clients (the JDK HTTP client's and this test's pool) */
    static int serverThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> !t.getName().startsWith("HttpClient") && !t.getName().equals("stall-client")).count();
    }
}
