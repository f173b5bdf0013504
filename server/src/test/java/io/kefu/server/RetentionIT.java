package io.kefu.server;

import io.kefu.server.store.ConversationStore;
import io.kefu.server.store.Database;
import io.kefu.shop.policy.Handoff;
import io.kefu.shop.policy.HandoffReason;
import io.kefu.shop.rules.RulesChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** The server deletes customers' questions and hand-offs past the retention period when it starts (clock injected). */
class RetentionIT {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path temp;

    static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    @Test
    void questionsAndHandoffsOlderThanTheRetentionAreDeletedAtStart() {
        String url = Database.h2Url(temp);
        try (Database db = Database.open(url)) {
            ConversationStore old = new ConversationStore(db, at(T0));
            old.ensureSession("old", null);
            old.addTurn("old", null, new ConversationStore.Turn("我住在北京市朝阳区", "好的", false, false), null, 5, null);
            old.handOff(new Handoff("old", "我要投诉", "转人工", HandoffReason.COMPLAINT, "complaint"));
            ConversationStore recent = new ConversationStore(db, at(T0.plus(Duration.ofDays(20))));
            recent.ensureSession("recent", null);
            recent.addTurn("recent", null, new ConversationStore.Turn("M码有货吗?", "有", false, false), null, 5, null);
            recent.handOff(new Handoff("recent", "找人工", "转人工", HandoffReason.HUMAN_REQUEST, "asked"));
        }

        // 100 days after T0, 80 after the recent rows: with 90 days of retention only the old ones go
        ServerConfig config = ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl(url).port(0)
                .retention(Duration.ofDays(90)).clock(at(T0.plus(Duration.ofDays(100)))).build();
        try (KefuServer server = KefuServer.start(config)) {
            ConversationStore store = server.conversations();
            assertThat(store.history("old", 10)).isEmpty();
            assertThat(store.sessionExists("old")).isFalse();
            assertThat(store.history("recent", 10)).hasSize(1);
            assertThat(store.openHandoffs()).extracting(ConversationStore.QueuedHandoff::sessionId).containsExactly("recent");
        }

        // 200 days after T0, with the default retention (90 days): everything is past it
        try (KefuServer server = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl(url).port(0)
                .clock(at(T0.plus(Duration.ofDays(200)))).build())) {
            assertThat(server.conversations().history("recent", 10)).isEmpty();
            assertThat(server.conversations().openHandoffs()).isEmpty();
        }
    }
}
