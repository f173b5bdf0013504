package io.kefu.server.store;

import io.kefu.server.store.ConversationStore.Turn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The hand-off queue as customer-service staff work it: hand-offs by status, each with its conversation so far; claiming
 * and closing one; and the open ones that are new. A hand-off goes {@code open -> claimed -> closed} (or straight from
 * {@code open} to {@code closed}); each change is one conditional {@code UPDATE}, so two people (or two server
 * instances) cannot both claim one.
 */
public final class HandoffStore {
    /** The most turns of a conversation that are listed with its hand-off (the most recent ones). */
    public static final int CONVERSATION_TURNS = 50;

    /** Where a hand-off is in the queue. */
    public enum Status {
        /** Waiting for a person. */
        OPEN,
        /** A person took it. */
        CLAIMED,
        /** Dealt with. */
        CLOSED;

        /** @return the name stored and sent: {@code open}, {@code claimed}, {@code closed} */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @return the status named {@code name} ({@link #wireName()}), if there is one */
        public static Optional<Status> of(String name) {
            for (Status s : values()) {
                if (s.wireName().equals(name)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One hand-off.
     *
     * @param id the row id
     * @param createdAt when it was handed off
     * @param sessionId the conversation
     * @param question the customer's message that was handed off
     * @param answer what the customer was told
     * @param reason why ({@code complaint}, {@code human_request} ...)
     * @param status where it is in the queue
     * @param conversation the session's turns so far, oldest first (the most recent {@value #CONVERSATION_TURNS}); empty
     *     where not asked for
     */
    public record Handoff(long id, Instant createdAt, String sessionId, String question, String answer, String reason, Status status,
                          List<Turn> conversation) {
    }

    /** What became of a claim or close. */
    public enum Outcome {
        /** The status changed. */
        CHANGED,
        /** No hand-off has this id. */
        UNKNOWN_ID,
        /** The hand-off's status does not allow the change (claimed already, closed already). */
        CONFLICT
    }

    /**
     * @param outcome what happened
     * @param status the hand-off's status now (empty for an unknown id)
     */
    public record StatusChange(Outcome outcome, Optional<Status> status) {
    }

    private final Database db;

    /** @param db a migrated store */
    public HandoffStore(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * @param status which hand-offs
     * @param limit the most listed
     * @return the hand-offs with that status with their conversations: open and claimed ones oldest first (the order
     *     they are worked in), closed ones newest first
     */
    public List<Handoff> list(Status status, int limit) {
        String order = status == Status.CLOSED ? "created_at DESC, id DESC" : "created_at, id";
        return db.read("reading the " + status.wireName() + " hand-offs", c -> {
            List<Handoff> bare = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id, created_at, session_id, question, answer, reason, status"
                    + " FROM handoffs WHERE status = ? ORDER BY " + order)) {
                s.setString(1, status.wireName());
                s.setMaxRows(limit);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        bare.add(handoff(r, List.of()));
                    }
                }
            }
            Map<String, List<Turn>> conversations = conversations(c, bare.stream().map(Handoff::sessionId).distinct().toList());
            return bare.stream().map(h -> new Handoff(h.id(), h.createdAt(), h.sessionId(), h.question(), h.answer(), h.reason(),
                    h.status(), conversations.getOrDefault(h.sessionId(), List.of()))).toList();
        });
    }

    /** @return the turns of each session, oldest first, the most recent {@value #CONVERSATION_TURNS} of each */
    private static Map<String, List<Turn>> conversations(Connection c, List<String> sessionIds) throws SQLException {
        Map<String, List<Turn>> out = new LinkedHashMap<>();
        if (sessionIds.isEmpty()) {
            return out;
        }
        String marks = String.join(", ", Collections.nCopies(sessionIds.size(), "?"));
        try (PreparedStatement s = c.prepareStatement("SELECT session_id, question, answer, handoff, fallback FROM turns"
                + " WHERE session_id IN (" + marks + ") ORDER BY session_id, position")) {
            for (int i = 0; i < sessionIds.size(); i++) {
                s.setString(i + 1, sessionIds.get(i));
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.computeIfAbsent(r.getString(1), k -> new ArrayList<>())
                            .add(new Turn(r.getString(2), r.getString(3), r.getBoolean(4), r.getBoolean(5)));
                }
            }
        }
        out.replaceAll((session, turns) -> List.copyOf(turns.subList(Math.max(0, turns.size() - CONVERSATION_TURNS), turns.size())));
        return out;
    }

    /**
     * The open hand-offs created at or after {@code since} (without their conversations), oldest first, at most
     * {@code limit}: what a live feed polls for.
     */
    public List<Handoff> openSince(Instant since, int limit) {
        return db.read("reading new hand-offs", c -> {
            List<Handoff> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id, created_at, session_id, question, answer, reason, status"
                    + " FROM handoffs WHERE status = 'open' AND created_at >= ? ORDER BY created_at, id")) {
                s.setTimestamp(1, Timestamp.from(since));
                s.setMaxRows(limit);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(handoff(r, List.of()));
                    }
                }
            }
            return out;
        });
    }

    /** Claims an open hand-off; one that is claimed or closed already is a {@link Outcome#CONFLICT}. */
    public StatusChange claim(long id) {
        return change(id, Status.CLAIMED, "status = 'open'");
    }

    /** Closes an open or claimed hand-off; one that is closed already is a {@link Outcome#CONFLICT}. */
    public StatusChange close(long id) {
        return change(id, Status.CLOSED, "status IN ('open', 'claimed')");
    }

    private StatusChange change(long id, Status to, String allowedFrom) {
        return db.inTransaction("setting hand-off " + id + " to " + to.wireName(), c -> {
            if (ShopStore.update(c, "UPDATE handoffs SET status = ? WHERE id = ? AND " + allowedFrom, to.wireName(), id) == 1) {
                return new StatusChange(Outcome.CHANGED, Optional.of(to));
            }
            try (PreparedStatement s = c.prepareStatement("SELECT status FROM handoffs WHERE id = ?")) {
                s.setLong(1, id);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? new StatusChange(Outcome.CONFLICT, Status.of(r.getString(1)))
                            : new StatusChange(Outcome.UNKNOWN_ID, Optional.empty());
                }
            }
        });
    }

    private static Handoff handoff(ResultSet r, List<Turn> conversation) throws SQLException {
        long id = r.getLong(1);
        String status = r.getString(7);
        Optional<Status> known = Status.of(status);
        if (known.isEmpty()) {
            throw new SQLException("hand-off " + id + " has an unknown status '" + status + "'");
        }
        return new Handoff(id, r.getTimestamp(2).toInstant(), r.getString(3), r.getString(4), r.getString(5), r.getString(6), known.get(),
                conversation);
    }
}
