package io.kefu.server.store;

import io.kefu.shop.policy.Handoff;
import io.kefu.shop.policy.HandoffSink;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sessions and their turns, the hand-off queue, and the A/B log. Every write is one short
 * transaction, so several server instances can share one PostgreSQL.
 */
public final class ConversationStore implements HandoffSink {
    private final Database db;

    /** @param db a migrated store */
    public ConversationStore(Database db) {
        this.db = db;
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

    /** Creates the session when it does not exist yet, with its A/B arm (may be null). */
    public void ensureSession(String sessionId, String arm) {
        db.inTransaction("opening session " + sessionId, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM sessions WHERE id = ?")) {
                s.setString(1, sessionId);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        return null;
                    }
                }
            }
            ShopStore.update(c, "INSERT INTO sessions (id, created_at, arm) VALUES (?, ?, ?)", sessionId, now(), arm);
            return null;
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

    /** Appends a turn to the session (which must exist). */
    public void addTurn(String sessionId, String productId, Turn turn, String reason, long latencyMs, String arm) {
        db.inTransaction("saving a turn of session " + sessionId, c -> {
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

    /** @return the arm the session was assigned in this experiment, assigning {@code arm} on first sight */
    public String assignArm(String sessionId, String experiment, String arm) {
        return db.inTransaction("assigning session " + sessionId + " to an arm", c -> {
            Optional<String> known = arm(c, sessionId, experiment);
            if (known.isPresent()) {
                return known.get();
            }
            ShopStore.update(c, "INSERT INTO ab_assignments (session_id, experiment, arm, assigned_at) VALUES (?, ?, ?, ?)",
                    sessionId, experiment, arm, now());
            return arm;
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

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }
}
