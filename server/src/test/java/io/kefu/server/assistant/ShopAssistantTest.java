package io.kefu.server.assistant;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.ab.ArmAssigner;
import io.kefu.server.store.ConversationStore;
import io.kefu.server.store.Database;
import io.kefu.server.store.ShopStore;
import io.kefu.shop.FactsRenderer;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.policy.Handoff;
import io.kefu.shop.rules.RulesChatModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The /chat service without HTTP: the rules baseline answering from a real H2 store. */
class ShopAssistantTest {
    static final Path SHOP = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "shop");
    static final LocalDate DAY = LocalDate.of(2026, 11, 20);
    static final Clock CLOCK = Clock.fixed(DAY.atStartOfDay(ZoneOffset.UTC).toInstant(), ZoneOffset.UTC);

    @TempDir
    Path temp;
    Database db;
    ShopStore shop;
    ConversationStore conversations;

    @BeforeEach
    void openStore() {
        db = Database.open(Database.h2Url(temp));
        shop = new ShopStore(db);
        shop.loadIfEmpty(ShopCatalog.load(SHOP));
        conversations = new ConversationStore(db);
    }

    @AfterEach
    void closeStore() {
        db.close();
    }

    ShopAssistant assistant() {
        return ShopAssistant.builder(shop, conversations).model(new RulesChatModel()).clock(CLOCK).build();
    }

    @Test
    void factsThatCannotBeReadHandTheTurnToAPersonAndAreRecorded() {
        // the facts live in another store, which goes away: the conversations' store is still up
        ShopStore elsewhere = ShopStore.open(Database.h2Url(temp.resolve("catalog")), Database.Pool.defaults());
        elsewhere.loadIfEmpty(ShopCatalog.load(SHOP));
        ShopAssistant assistant = ShopAssistant.builder(elsewhere, conversations).model(new RulesChatModel()).clock(CLOCK).build();
        ShopAnswer before = assistant.answer(new CustomerQuestion("雾蓝M码有货吗?", "1001", null));
        assertThat(before.handoff()).isFalse();
        elsewhere.close();
        elsewhere.close();

        ShopAnswer after = assistant.answer(new CustomerQuestion("雾蓝M码有货吗?", "1001", before.sessionId()));
        assertThat(after.handoff()).isTrue();
        assertThat(after.reason()).contains("facts_unavailable");
        assertThat(after.text()).isEqualTo(io.kefu.shop.policy.HandoffPolicy.HANDOFF_ANSWER);
        assertThat(after.facts()).isEmpty();
        assertThat(after.sessionId()).isEqualTo(before.sessionId());
        assertThat(conversations.history(before.sessionId(), 10)).extracting(ConversationStore.Turn::handoff).containsExactly(false, true);
        assertThat(conversations.openHandoffs()).singleElement().satisfies(h -> {
            assertThat(h.sessionId()).isEqualTo(before.sessionId());
            assertThat(h.reason()).isEqualTo("facts_unavailable");
        });

        // at midnight a desk staffed 09:00-23:00 is closed: the answer says when people are back, as other hand-offs do
        io.kefu.shop.policy.DeskHours desk = io.kefu.shop.policy.DeskHours.parse("09:00-23:00", ZoneOffset.UTC);
        ShopAssistant deskAware = ShopAssistant.builder(elsewhere, conversations).model(new RulesChatModel()).clock(CLOCK)
                .handoffRules(io.kefu.shop.policy.HandoffRules.defaultsWith(java.util.List.of(), java.util.Optional.of(desk))).build();
        ShopAnswer closed = deskAware.answer(new CustomerQuestion("雾蓝M码有货吗?", "1001", null));
        assertThat(closed.reason()).contains("facts_unavailable");
        assertThat(closed.text()).isEqualTo(io.kefu.shop.policy.HandoffPolicy.closedDeskAnswer(desk));
    }

    @Test
    void answersFromTheDaysLiveFactsAndKeepsTheSession() {
        ShopAssistant assistant = assistant();
        ShopAnswer first = assistant.answer(new CustomerQuestion("雾蓝M码有货吗?", "1001", null));
        assertThat(first.text()).contains("雾蓝M码有货");
        assertThat(first.handoff()).isFalse();
        assertThat(first.reason()).isEmpty();
        assertThat(first.arm()).isEmpty();
        assertThat(first.sessionId()).isNotBlank();
        String facts = FactsRenderer.render(ShopCatalog.load(SHOP).factsFor("1001", DAY));
        assertThat(first.facts()).isNotEmpty().doesNotContain(FactsRenderer.HEADER);
        assertThat(String.join("\n", FactsRenderer.HEADER, String.join("\n", first.facts()))).isEqualTo(facts.strip());
        assertThat(first.latencyMs()).isNotNegative();

        shop.setStock("1001", "雾蓝", "M", 0);
        shop.setStock("1001", "米白", "M", 0);
        ShopAnswer second = assistant.answer(new CustomerQuestion("M码还有吗?", "1001", first.sessionId()));
        assertThat(second.sessionId()).isEqualTo(first.sessionId());
        assertThat(second.text()).contains("雾蓝M码暂时缺货").doesNotContain("有货");
        assertThat(conversations.history(first.sessionId(), 10)).extracting(ConversationStore.Turn::question)
                .containsExactly("雾蓝M码有货吗?", "M码还有吗?");
        assertThat(conversations.eventsCsv(ShopAssistant.NO_EXPERIMENT))
                .filteredOn(line -> line.contains(first.sessionId())).hasSize(2).allMatch(line -> line.contains(",model,chat"));
    }

    @Test
    void aComplaintIsHandedOffQueuedInTheStoreAndReported() {
        List<Handoff> reported = new ArrayList<>();
        ShopAssistant assistant = ShopAssistant.builder(shop, conversations).model(new RulesChatModel()).clock(CLOCK)
                .onHandoff(reported::add).build();
        ShopAnswer answer = assistant.answer(new CustomerQuestion("我要投诉,裙子破了", "1002", null));
        String session = answer.sessionId();
        assertThat(answer.handoff()).isTrue();
        assertThat(answer.reason()).contains("complaint");
        assertThat(answer.text()).contains("人工客服");
        assertThat(reported).singleElement().satisfies(h -> assertThat(h.sessionId()).isEqualTo(session));
        assertThat(conversations.openHandoffs()).singleElement().satisfies(h -> {
            assertThat(h.sessionId()).isEqualTo(session);
            assertThat(h.reason()).isEqualTo("complaint");
        });
    }

    @Test
    void everyBadTurnIsRefusedNamingItsField() {
        ShopAssistant assistant = assistant();
        assertRefused(() -> assistant.answer(new CustomerQuestion(null, "1001", null)), ErrorCode.INVALID_REQUEST, "question");
        assertRefused(() -> assistant.answer(new CustomerQuestion("  ", "1001", null)), ErrorCode.INVALID_REQUEST, "question");
        assertRefused(() -> assistant.answer(new CustomerQuestion("很".repeat(ShopAssistant.MAX_QUESTION_CHARS + 1), null, null)),
                ErrorCode.INVALID_REQUEST, "question");
        assertRefused(() -> assistant.answer(new CustomerQuestion("有货吗", "1001", "bad id!")), ErrorCode.INVALID_REQUEST, "sessionId");
        assertRefused(() -> assistant.answer(new CustomerQuestion("有货吗", "9999", null)), ErrorCode.NOT_FOUND, "productId");
        assertRefused(() -> assistant.recordEvent("s1", "dance", null), ErrorCode.INVALID_REQUEST, "event");
        assertRefused(() -> assistant.recordEvent("s1", "order", -1.0), ErrorCode.INVALID_REQUEST, "amount");
        assertRefused(() -> assistant.recordEvent(null, "order", null), ErrorCode.INVALID_REQUEST, "sessionId");
        assertThat(conversations.eventsCsv(ShopAssistant.NO_EXPERIMENT)).containsExactly("session,arm,event");
    }

    @Test
    void aBuilderWithoutAModelOrWithOneArmIsRefused() {
        assertThatThrownBy(() -> ShopAssistant.builder(shop, conversations).build())
                .isInstanceOf(KefuException.class).hasMessageContaining("model");
        assertThatThrownBy(() -> ShopAssistant.builder(shop, conversations).experiment("x", Map.of("only", new RulesChatModel())).build())
                .isInstanceOf(KefuException.class).hasMessageContaining("two arms");
    }

    @Test
    void abSessionsKeepTheirArmAndEventsAreLoggedUnderIt() {
        Map<String, io.kefu.chat.ChatModel> arms = new LinkedHashMap<>();
        arms.put("rules", new RulesChatModel());
        arms.put("tuned", new RulesChatModel());
        ShopAssistant assistant = ShopAssistant.builder(shop, conversations).experiment("shop-2026-11", arms).clock(CLOCK).build();
        Map<String, Double> split = new LinkedHashMap<>();
        split.put("rules", 1.0);
        split.put("tuned", 1.0);
        ArmAssigner assigner = new ArmAssigner("shop-2026-11", split);
        List<String> expectedLog = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ShopAnswer first = assistant.answer(new CustomerQuestion("M码有货吗?", "1001", null));
            String session = first.sessionId();
            String arm = first.arm().orElseThrow();
            assertThat(arm).isEqualTo(assigner.assign(session));
            assertThat(assistant.answer(new CustomerQuestion("L码呢?", "1001", session)).arm()).contains(arm);
            RecordedEvent order = assistant.recordEvent(session, "order", 199.0);
            assertThat(order).isEqualTo(new RecordedEvent(session, "shop-2026-11", arm, "order"));
            expectedLog.addAll(List.of(session + "," + arm + ",chat", session + "," + arm + ",chat", session + "," + arm + ",order"));
        }
        assertThat(conversations.eventsCsv("shop-2026-11")).containsExactlyElementsOf(
                java.util.stream.Stream.concat(java.util.stream.Stream.of("session,arm,event"), expectedLog.stream()).toList());
    }

    @Test
    void sessionIdsAreIssuedByTheServerAndAnUnknownOneStartsANewSession() {
        ShopAssistant assistant = assistant();
        ShopAnswer mine = assistant.answer(new CustomerQuestion("我的订单地址是北京市朝阳区", null, null));
        assertThat(mine.sessionId()).matches("[A-Za-z0-9_-]{22}");
        assertThat(assistant.answer(new CustomerQuestion("有优惠吗?", null, null)).sessionId()).isNotEqualTo(mine.sessionId());

        // an id the server never issued reads no one's history: it starts a session of its own under a new id
        ShopAnswer guess = assistant.answer(new CustomerQuestion("我刚才说了什么?", null, "guessed-session-1"));
        assertThat(guess.sessionId()).matches("[A-Za-z0-9_-]{22}").isNotEqualTo("guessed-session-1").isNotEqualTo(mine.sessionId());
        assertThat(conversations.sessionExists("guessed-session-1")).isFalse();
        assertThat(conversations.history(guess.sessionId(), 10)).extracting(ConversationStore.Turn::question).containsExactly("我刚才说了什么?");

        // the issued id continues its own session
        ShopAnswer again = assistant.answer(new CustomerQuestion("M码有货吗?", "1001", mine.sessionId()));
        assertThat(again.sessionId()).isEqualTo(mine.sessionId());
        assertThat(conversations.history(mine.sessionId(), 10)).hasSize(2);
        assertRefused(() -> assistant.recordEvent("guessed-session-1", "order", null), ErrorCode.NOT_FOUND, "sessionId");
    }

    @Test
    void concurrentTurnsOfOneSessionAreAllKept() throws Exception {
        ShopAssistant assistant = assistant();
        String session = assistant.answer(new CustomerQuestion("你好", null, null)).sessionId();
        int turns = 16;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(turns);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<ShopAnswer>> answers = new ArrayList<>();
            for (int i = 0; i < turns; i++) {
                String question = "身高" + (150 + i) + "cm穿什么码?";
                answers.add(pool.submit(() -> {
                    go.await();
                    return assistant.answer(new CustomerQuestion(question, "1001", session));
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<ShopAnswer> answer : answers) {
                assertThat(answer.get(60, java.util.concurrent.TimeUnit.SECONDS).sessionId()).isEqualTo(session);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(conversations.history(session, 100)).hasSize(turns + 1);
    }

    @Test
    void aHandoffTheStoreRefusesIsRetriedNotLostAndTheAnswerStands() throws Exception {
        try (io.kefu.server.store.HandoffQueue queue = new io.kefu.server.store.HandoffQueue(conversations, 10,
                java.time.Duration.ofMillis(100))) {
            ShopAssistant assistant = ShopAssistant.builder(shop, conversations).model(new RulesChatModel()).clock(CLOCK)
                    .handoffQueue(queue).build();
            // the hand-off table is unreachable for a while (as when a migration or a DBA holds it)
            db.read("test", c -> c.createStatement().execute("ALTER TABLE handoffs RENAME TO handoffs_away"));
            ShopAnswer answer = assistant.answer(new CustomerQuestion("我要投诉,裙子破了", "1002", null));
            assertThat(answer.handoff()).isTrue();
            assertThat(queue.pending()).isEqualTo(1);
            Thread.sleep(300);
            assertThat(queue.pending()).as("still failing, still kept").isEqualTo(1);

            db.read("test", c -> c.createStatement().execute("ALTER TABLE handoffs_away RENAME TO handoffs"));
            long until = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (queue.pending() > 0 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(queue.pending()).isZero();
            assertThat(conversations.openHandoffs()).singleElement().satisfies(h -> {
                assertThat(h.sessionId()).isEqualTo(answer.sessionId());
                assertThat(h.reason()).isEqualTo("complaint");
            });
        }
    }

    static void assertRefused(Runnable call, ErrorCode code, String field) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(InvalidFieldException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).contains(field);
        });
    }
}
