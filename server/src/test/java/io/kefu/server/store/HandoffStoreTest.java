package io.kefu.server.store;

import io.kefu.server.store.HandoffStore.Outcome;
import io.kefu.server.store.HandoffStore.Status;
import io.kefu.shop.policy.Handoff;
import io.kefu.shop.policy.HandoffReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class HandoffStoreTest {
    @TempDir
    Path temp;

    /** A clock that moves one second on each reading, so rows get distinct, known times. */
    static final class Ticking extends Clock {
        private Instant now = Instant.parse("2026-11-20T10:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public synchronized Instant instant() {
            now = now.plusSeconds(1);
            return now;
        }
    }

    @Test
    void handOffsGoFromOpenToClaimedToClosedOnce() {
        Database db = Database.open(Database.h2Url(temp));
        ConversationStore conversations = new ConversationStore(db);
        HandoffStore handoffs = new HandoffStore(db);
        conversations.ensureSession("s1", null);
        conversations.handOff(new Handoff("s1", "我要投诉", "转人工", HandoffReason.COMPLAINT, "complaint"));
        conversations.handOff(new Handoff("s1", "人工客服", "转人工", HandoffReason.HUMAN_REQUEST, "asked"));
        List<HandoffStore.Handoff> open = handoffs.list(Status.OPEN, 10);
        assertThat(open).extracting(HandoffStore.Handoff::question).containsExactly("我要投诉", "人工客服");
        long first = open.get(0).id();
        long second = open.get(1).id();

        assertThat(handoffs.claim(first)).isEqualTo(new HandoffStore.StatusChange(Outcome.CHANGED, Optional.of(Status.CLAIMED)));
        assertThat(handoffs.claim(first)).isEqualTo(new HandoffStore.StatusChange(Outcome.CONFLICT, Optional.of(Status.CLAIMED)));
        assertThat(handoffs.close(first)).isEqualTo(new HandoffStore.StatusChange(Outcome.CHANGED, Optional.of(Status.CLOSED)));
        assertThat(handoffs.close(first)).isEqualTo(new HandoffStore.StatusChange(Outcome.CONFLICT, Optional.of(Status.CLOSED)));
        assertThat(handoffs.claim(first)).isEqualTo(new HandoffStore.StatusChange(Outcome.CONFLICT, Optional.of(Status.CLOSED)));
        // an open one can be closed without being claimed
        assertThat(handoffs.close(second).outcome()).isEqualTo(Outcome.CHANGED);
        assertThat(handoffs.claim(second + 100).outcome()).isEqualTo(Outcome.UNKNOWN_ID);
        assertThat(handoffs.close(second + 100)).isEqualTo(new HandoffStore.StatusChange(Outcome.UNKNOWN_ID, Optional.empty()));

        assertThat(handoffs.list(Status.OPEN, 10)).isEmpty();
        assertThat(handoffs.list(Status.CLOSED, 10)).extracting(HandoffStore.Handoff::id).containsExactly(second, first);
        assertThat(handoffs.list(Status.CLOSED, 1)).extracting(HandoffStore.Handoff::id).containsExactly(second);
    }

    @Test
    void eachHandOffCarriesTheLatestTurnsOfItsConversation() {
        Database db = Database.open(Database.h2Url(temp));
        Clock clock = new Ticking();
        ConversationStore conversations = new ConversationStore(db, clock);
        HandoffStore handoffs = new HandoffStore(db);
        conversations.ensureSession("long", null);
        int turns = HandoffStore.CONVERSATION_TURNS + 5;
        for (int i = 0; i < turns; i++) {
            conversations.addTurn("long", null, new ConversationStore.Turn("q" + i, "a" + i, false, false), null, 1, null);
        }
        conversations.handOff(new Handoff("long", "q" + (turns - 1), "a", HandoffReason.COMPLAINT, ""));
        Instant afterFirst = clock.instant();
        conversations.ensureSession("short", null);
        conversations.addTurn("short", null, new ConversationStore.Turn("只有一句", "好的", true, false), "human_request", 1, null);
        conversations.handOff(new Handoff("short", "只有一句", "好的", HandoffReason.HUMAN_REQUEST, ""));

        List<HandoffStore.Handoff> open = handoffs.list(Status.OPEN, 10);
        assertThat(open).extracting(HandoffStore.Handoff::sessionId).containsExactly("long", "short");
        List<ConversationStore.Turn> longOne = open.get(0).conversation();
        assertThat(longOne).hasSize(HandoffStore.CONVERSATION_TURNS);
        assertThat(longOne.get(0).question()).isEqualTo("q5");
        assertThat(longOne.get(longOne.size() - 1).question()).isEqualTo("q" + (turns - 1));
        assertThat(open.get(1).conversation()).singleElement().satisfies(t -> assertThat(t.handoff()).isTrue());

        // what a feed polls: open ones since a time, without conversations
        assertThat(handoffs.openSince(afterFirst, 10)).singleElement().satisfies(h -> {
            assertThat(h.sessionId()).isEqualTo("short");
            assertThat(h.conversation()).isEmpty();
        });
        handoffs.claim(open.get(1).id());
        assertThat(handoffs.openSince(afterFirst, 10)).isEmpty();
    }
}
