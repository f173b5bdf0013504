package io.kefu.server.assistant;

import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ModelInfo;
import io.kefu.eval.ab.ExperimentReport;
import io.kefu.eval.ab.ExperimentSplit;
import io.kefu.runtime.generate.CompletedChatStream;
import io.kefu.server.store.ConversationStore;
import io.kefu.server.store.Database;
import io.kefu.server.store.ExperimentStore;
import io.kefu.server.store.ShopStore;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.rules.RulesChatModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The A/B log of a weighted experiment on a real H2 store: every answered turn is logged with its arm and guardrails
 * (hand-off, a banned claim the compliance guard stopped, latency), and {@link ExperimentStore#tallies} counts them.
 */
class ExperimentLogTest {
    @TempDir
    Path temp;
    Database db;
    ShopStore shop;
    ConversationStore conversations;

    @BeforeEach
    void openStore() {
        db = Database.open(Database.h2Url(temp));
        shop = new ShopStore(db);
        shop.loadIfEmpty(ShopCatalog.load(ShopAssistantTest.SHOP));
        conversations = new ConversationStore(db);
    }

    @AfterEach
    void closeStore() {
        db.close();
    }

    /** A model that promises what the shop may never say: the compliance guard stops every answer it gives. */
    private record Boastful() implements ChatModel {
        @Override
        public ChatResponse chat(ChatRequest request) {
            return ChatResponse.ofText("这是全网最低价,买到就是赚到!", Duration.ofMillis(1));
        }

        @Override
        public ChatStream stream(ChatRequest request) {
            return CompletedChatStream.of(chat(request));
        }

        @Override
        public ModelInfo info() {
            return new ModelInfo("boastful", "test", List.of());
        }

        @Override
        public void close() {
        }
    }

    @Test
    void everyTurnIsLoggedWithItsArmAndGuardrails() throws Exception {
        ExperimentSplit split = new ExperimentSplit("log-test", List.of(new ExperimentSplit.Arm("control", "rules", 1),
                new ExperimentSplit.Arm("boastful", "boastful", 3)));
        Map<String, ChatModel> models = new LinkedHashMap<>();
        models.put("control", new RulesChatModel());
        models.put("boastful", new Boastful());
        ShopAssistant assistant = ShopAssistant.builder(shop, conversations).experiment(split, models).build();
        ExperimentStore experiments = new ExperimentStore(db, Clock.systemUTC());
        experiments.record(split);

        List<String> questions = List.of("有优惠吗?", "我要投诉,质量太差了", "M码有货吗?", "几天发货?");
        List<ShopAnswer> answers = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            ShopAnswer answer = assistant.answer(new CustomerQuestion(questions.get(i % questions.size()), "1001", null));
            assertThat(answer.arm()).contains(split.assigner().assign(answer.sessionId()));
            answers.add(answer);
            if (i % 3 == 0) {
                assistant.recordEvent(answer.sessionId(), "order", 99.0);
            }
        }

        // what the log holds, read with plain SQL
        Map<String, long[]> byArm = new LinkedHashMap<>();
        Map<String, List<Long>> latencies = new LinkedHashMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT arm, handoff, compliance_blocked, latency_ms FROM ab_events"
                     + " WHERE experiment = 'log-test' AND event = 'chat'")) {
            while (r.next()) {
                long[] n = byArm.computeIfAbsent(r.getString(1), k -> new long[3]);
                n[0]++;
                n[1] += r.getBoolean(2) ? 1 : 0;
                n[2] += r.getBoolean(3) ? 1 : 0;
                latencies.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(r.getLong(4));
            }
        }
        long boastfulTurns = answers.stream().filter(a -> a.arm().orElseThrow().equals("boastful")).count();
        assertThat(boastfulTurns).isPositive().isLessThan(24);
        // every boastful answer held a banned claim; the complaints went to a person before any model answered
        long boastfulComplaints = answers.stream().filter(a -> a.arm().orElseThrow().equals("boastful") && a.reason().orElse("").equals("complaint"))
                .count();
        assertThat(byArm.get("boastful")[2]).isEqualTo(boastfulTurns - boastfulComplaints).isPositive();
        assertThat(byArm.get("control")[2]).isZero();
        for (String arm : List.of("control", "boastful")) {
            long handoffs = answers.stream().filter(a -> a.arm().orElseThrow().equals(arm) && a.handoff()).count();
            assertThat(byArm.get(arm)[1]).as(arm).isEqualTo(handoffs);
            assertThat(byArm.get(arm)[0]).as(arm).isEqualTo(answers.stream().filter(a -> a.arm().orElseThrow().equals(arm)).count());
            assertThat(latencies.get(arm)).as(arm).containsExactlyInAnyOrderElementsOf(
                    answers.stream().filter(a -> a.arm().orElseThrow().equals(arm)).map(ShopAnswer::latencyMs).toList());
        }

        Map<String, ExperimentReport.ArmTally> tallies = new LinkedHashMap<>();
        experiments.tallies("log-test").forEach(t -> tallies.put(t.arm(), t));
        for (String arm : List.of("control", "boastful")) {
            ExperimentReport.ArmTally t = tallies.get(arm);
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                if (answers.get(i).arm().orElseThrow().equals(arm)) {
                    indexes.add(i);
                }
            }
            assertThat(t.sessions()).isEqualTo(indexes.size());
            assertThat(t.conversions()).isEqualTo(indexes.stream().filter(i -> i % 3 == 0).count());
            assertThat(t.turns()).isEqualTo(byArm.get(arm)[0]);
            assertThat(t.handoffs()).isEqualTo(byArm.get(arm)[1]);
            assertThat(t.complianceBlocks()).isEqualTo(byArm.get(arm)[2]);
            assertThat(java.util.Arrays.stream(t.latenciesMs()).boxed().toList()).containsExactlyInAnyOrderElementsOf(latencies.get(arm));
        }
    }
}
