package io.kefu.server.store;

import io.kefu.shop.policy.Handoff;
import io.kefu.shop.policy.HandoffSink;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Sessions and their turns, the hand-off queue, and the A/B log. Every write is one short
 * transaction, so several server instances can share one PostgreSQL.
 */
public final class ConversationStore implements HandoffSink {
    private final Database db;
    private final Clock clock;

    /** @param db a migrated store; rows are stamped with the system clock */
    public ConversationStore(Database db) {
        this(db, Clock.systemUTC());
    }

    /**
     * @param db a migrated store
     * @param clock stamps every row ({@code created_at}), which {@link #deleteOlderThan(Duration)} reads
     */
    public ConversationStore(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * One answered turn.
     *
     * @param question the customer's message
     * @param answer what was sent back
     * @param handoff whether it was handed off
     * @param fallback whether a policy had to replace the model's answer
     */
    public record Turn(String question, String answer, boolean handoff, boolean fallback) {
    }

    /**
     * An entry of the hand-off queue.
     *
     * @param id the row id
     * @param sessionId the conversation
     * @param question the customer's message
     * @param reason why it was handed off
     * @param status {@code open} until a person takes it
     */
    public record QueuedHandoff(long id, String sessionId, String question, String reason, String status) {
    }

    /**
     * Creates the session when it does not exist yet, with its A/B arm (may be null). Safe when several turns of one
     * session (or several instances) create it at once: an insert that finds the row already there does nothing
     * ({@code ON CONFLICT DO NOTHING} on PostgreSQL, {@code MERGE} on H2).
     */
    public void ensureSession(String sessionId, String arm) {
        String sql = db.isPostgres()
                ? "INSERT INTO sessions (id, created_at, arm) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING"
                : "MERGE INTO sessions s USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS TIMESTAMP WITH TIME ZONE),"
                        + " CAST(? AS VARCHAR(64)))) v (id, created_at, arm) ON s.id = v.id"
                        + " WHEN NOT MATCHED THEN INSERT (id, created_at, arm) VALUES (v.id, v.created_at, v.arm)";
        db.inTransaction("opening session " + sessionId, c -> ShopStore.update(c, sql, sessionId, now(), arm));
    }

    /** @return true when the session exists (it was issued by a server of this store and not yet deleted for its age) */
    public boolean sessionExists(String sessionId) {
        return db.read("looking up session " + sessionId, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM sessions WHERE id = ?")) {
                s.setString(1, sessionId);
                try (ResultSet r = s.executeQuery()) {
                    return r.next();
                }
            }
        });
    }

    /**
     * Deletes what customers wrote that is older than {@code retention}: turns and hand-offs created before
     * now minus {@code retention}, then the sessions created before it that have no turn left (with their A/B
     * assignment). The A/B events (no customer text) stay for the report.
     *
     * @return the rows deleted (turns + hand-offs + sessions)
     */
    public int deleteOlderThan(Duration retention) {
        Timestamp cutoff = Timestamp.from(clock.instant().minus(retention));
        return db.inTransaction("deleting conversations older than " + retention.toDays() + " days", c -> {
            int deleted = ShopStore.update(c, "DELETE FROM turns WHERE created_at < ?", cutoff);
            deleted += ShopStore.update(c, "DELETE FROM handoffs WHERE created_at < ?", cutoff);
            ShopStore.update(c, "DELETE FROM ab_assignments WHERE session_id IN (SELECT s.id FROM sessions s WHERE s.created_at < ?"
                    + " AND NOT EXISTS (SELECT 1 FROM turns t WHERE t.session_id = s.id))", cutoff);
            deleted += ShopStore.update(c, "DELETE FROM sessions WHERE created_at < ? AND NOT EXISTS"
                    + " (SELECT 1 FROM turns t WHERE t.session_id = sessions.id)", cutoff);
            return deleted;
        });
    }

    /** @return the session's turns, oldest first (at most {@code limit}, the most recent ones) */
    public List<Turn> history(String sessionId, int limit) {
        return db.read("reading the history of session " + sessionId, c -> {
            List<Turn> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT question, answer, handoff, fallback FROM turns"
                    + " WHERE session_id = ? ORDER BY position DESC")) {
                s.setString(1, sessionId);
                s.setMaxRows(limit);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(0, new Turn(r.getString(1), r.getString(2), r.getBoolean(3), r.getBoolean(4)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Appends a turn to the session (which must exist). Concurrent turns of one session are written one after the
     * other: the session's row is locked ({@code SELECT ... FOR UPDATE}) before the next position is read.
     */
    public void addTurn(String sessionId, String productId, Turn turn, String reason, long latencyMs, String arm) {
        db.inTransaction("saving a turn of session " + sessionId, c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT id FROM sessions WHERE id = ? FOR UPDATE")) {
                lock.setString(1, sessionId);
                try (ResultSet r = lock.executeQuery()) {
                    if (!r.next()) {
                        throw new java.sql.SQLException("session " + sessionId + " does not exist");
                    }
                }
            }
            int position;
            try (PreparedStatement s = c.prepareStatement("SELECT COALESCE(MAX(position), -1) + 1 FROM turns WHERE session_id = ?")) {
                s.setString(1, sessionId);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    position = r.getInt(1);
                }
            }
            ShopStore.update(c, "INSERT INTO turns (session_id, position, created_at, product_id, question, answer, handoff, reason,"
                    + " fallback, latency_ms, arm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", sessionId, position, now(), productId,
                    turn.question(), turn.answer(), turn.handoff(), reason, turn.fallback(), latencyMs, arm);
            return null;
        });
    }

    @Override
    public void handOff(Handoff handoff) {
        db.inTransaction("queueing a hand-off", c -> ShopStore.update(c, "INSERT INTO handoffs (created_at, session_id, question,"
                + " answer, reason, detail, status) VALUES (?, ?, ?, ?, ?, ?, 'open')", now(), handoff.sessionId(), handoff.question(),
                handoff.answer(), handoff.reason().wireName(), handoff.detail()));
    }

    /** @return the open hand-offs, oldest first */
    public List<QueuedHandoff> openHandoffs() {
        return db.read("reading the hand-off queue", c -> {
            List<QueuedHandoff> out = new ArrayList<>();
            try (var s = c.createStatement(); ResultSet r = s.executeQuery("SELECT id, session_id, question, reason, status FROM handoffs"
                    + " WHERE status = 'open' ORDER BY created_at, id")) {
                while (r.next()) {
                    out.add(new QueuedHandoff(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5)));
                }
            }
            return out;
        });
    }

    /** @return the number of open hand-offs */
    public int openHandoffCount() {
        return db.read("counting the hand-off queue", c -> {
            try (var s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM handoffs WHERE status = 'open'")) {
                r.next();
                return r.getInt(1);
            }
        });
    }

    /** @return the arm the session was assigned in this experiment, assigning {@code arm} on first sight (safe when concurrent) */
    public String assignArm(String sessionId, String experiment, String arm) {
        String sql = db.isPostgres()
                ? "INSERT INTO ab_assignments (session_id, experiment, arm, assigned_at) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (session_id, experiment) DO NOTHING"
                : "MERGE INTO ab_assignments a USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(100)), CAST(? AS VARCHAR(64)),"
                        + " CAST(? AS TIMESTAMP WITH TIME ZONE))) v (session_id, experiment, arm, assigned_at)"
                        + " ON a.session_id = v.session_id AND a.experiment = v.experiment"
                        + " WHEN NOT MATCHED THEN INSERT (session_id, experiment, arm, assigned_at)"
                        + " VALUES (v.session_id, v.experiment, v.arm, v.assigned_at)";
        return db.inTransaction("assigning session " + sessionId + " to an arm", c -> {
            ShopStore.update(c, sql, sessionId, experiment, arm, now());
            return arm(c, sessionId, experiment).orElse(arm);
        });
    }

    private static Optional<String> arm(java.sql.Connection c, String sessionId, String experiment) throws java.sql.SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT arm FROM ab_assignments WHERE session_id = ? AND experiment = ?")) {
            s.setString(1, sessionId);
            s.setString(2, experiment);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    /** Logs an A/B event (a chat turn or a conversion) for the session's arm. */
    public void logEvent(String sessionId, String experiment, String arm, String event, java.math.BigDecimal amount) {
        db.inTransaction("logging an A/B event", c -> ShopStore.update(c, "INSERT INTO ab_events (created_at, session_id, experiment,"
                + " arm, event, amount) VALUES (?, ?, ?, ?, ?, ?)", now(), sessionId, experiment, arm, event, amount));
    }

    /**
     * Logs an answered turn as a {@code chat} event of the session's arm, with its guardrails: whether it was handed off,
     * whether the compliance guard stopped a banned claim, and how long the answer took.
     */
    public void logTurn(String sessionId, String experiment, String arm, boolean handoff, boolean complianceBlocked, long latencyMs) {
        db.inTransaction("logging an A/B turn", c -> ShopStore.update(c, "INSERT INTO ab_events (created_at, session_id, experiment,"
                + " arm, event, handoff, compliance_blocked, latency_ms) VALUES (?, ?, ?, ?, 'chat', ?, ?, ?)", now(), sessionId, experiment,
                arm, handoff, complianceBlocked, latencyMs));
    }

    /** @return the A/B events as CSV rows {@code session,arm,event} (the input of {@code kefu ab report}), header first */
    public List<String> eventsCsv(String experiment) {
        return db.read("reading A/B events", c -> {
            List<String> out = new ArrayList<>();
            out.add("session,arm,event");
            try (PreparedStatement s = c.prepareStatement("SELECT session_id, arm, event FROM ab_events WHERE experiment = ? ORDER BY id")) {
                s.setString(1, experiment);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(r.getString(1) + "," + r.getString(2) + "," + r.getString(3));
                    }
                }
            }
            return out;
        });
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }
}
