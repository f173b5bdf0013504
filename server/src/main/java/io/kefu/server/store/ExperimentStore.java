package io.kefu.server.store;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.ab.ExperimentReport;
import io.kefu.eval.ab.ExperimentSplit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The A/B experiments of a store: the split each was started with ({@code ab_experiments}) and, read back from the A/B
 * log ({@code ab_events}), what each arm did. A server records its split at start, so the report reads everything it
 * needs from the store alone.
 */
public final class ExperimentStore {
    /** The events that convert a session. */
    public static final List<String> CONVERSIONS = List.of("conversion", "order", "purchase");

    private final Database db;
    private final Clock clock;

    /**
     * @param db a migrated store
     * @param clock stamps the recorded splits
     */
    public ExperimentStore(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records the split of an experiment, or checks it against the one recorded before (a restart, or another instance).
     *
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} when the experiment was recorded with another split: changing
     *     arms or weights mid-experiment would move sessions between arms, so a new split needs a new experiment name
     */
    public void record(ExperimentSplit split) {
        String insert = db.isPostgres()
                ? "INSERT INTO ab_experiments (experiment, position, arm, answered_by, weight, recorded_at) VALUES (?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (experiment, arm) DO NOTHING"
                : "MERGE INTO ab_experiments e USING (VALUES (CAST(? AS VARCHAR(100)), CAST(? AS INT), CAST(? AS VARCHAR(64)),"
                        + " CAST(? AS VARCHAR(200)), CAST(? AS INT), CAST(? AS TIMESTAMP WITH TIME ZONE)))"
                        + " v (experiment, position, arm, answered_by, weight, recorded_at) ON e.experiment = v.experiment AND e.arm = v.arm"
                        + " WHEN NOT MATCHED THEN INSERT (experiment, position, arm, answered_by, weight, recorded_at)"
                        + " VALUES (v.experiment, v.position, v.arm, v.answered_by, v.weight, v.recorded_at)";
        db.inTransaction("recording the split of experiment " + split.experiment(), c -> {
            Optional<ExperimentSplit> before = split(c, split.experiment());
            if (before.isEmpty()) {
                Timestamp now = Timestamp.from(clock.instant());
                for (int i = 0; i < split.arms().size(); i++) {
                    ExperimentSplit.Arm arm = split.arms().get(i);
                    ShopStore.update(c, insert, split.experiment(), i, arm.name(), arm.system(), arm.weight(), now);
                }
            }
            ExperimentSplit recorded = split(c, split.experiment()).orElseThrow();
            if (!recorded.equals(split)) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "experiment '" + split.experiment() + "' is recorded in the store with the split "
                        + recorded.describe() + ", not " + split.describe() + "; changing it would move sessions between arms:"
                        + " start a new experiment (--experiment NAME) for a new split");
            }
            return null;
        });
    }

    /** @return the split the experiment was started with, or empty when the store has no such experiment */
    public Optional<ExperimentSplit> split(String experiment) {
        return db.read("reading the split of experiment " + experiment, c -> split(c, experiment));
    }

    /** @return the names of the recorded experiments, oldest first */
    public List<String> experiments() {
        return db.read("listing the A/B experiments", c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT experiment, MIN(recorded_at) FROM ab_experiments GROUP BY experiment"
                    + " ORDER BY MIN(recorded_at), experiment"); ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
            return out;
        });
    }

    /**
     * Reads what the A/B log holds per arm: distinct sessions (with any event), converted sessions, and the answered
     * turns with their guardrails (turns logged before guardrails were recorded are left out of those).
     *
     * @return one tally per arm found in the log, in no particular order
     */
    public List<ExperimentReport.ArmTally> tallies(String experiment) {
        return db.read("reading the A/B log of experiment " + experiment, c -> {
            Map<String, long[]> counts = new LinkedHashMap<>();
            String conversions = "'" + String.join("', '", CONVERSIONS) + "'";
            try (PreparedStatement s = c.prepareStatement("SELECT arm, COUNT(DISTINCT session_id),"
                    + " COUNT(DISTINCT CASE WHEN event IN (" + conversions + ") THEN session_id END) FROM ab_events WHERE experiment = ?"
                    + " GROUP BY arm")) {
                s.setString(1, experiment);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        counts.put(r.getString(1), new long[] {r.getLong(2), r.getLong(3), 0, 0, 0});
                    }
                }
            }
            Map<String, List<Long>> latencies = new LinkedHashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT arm, handoff, compliance_blocked, latency_ms FROM ab_events"
                    + " WHERE experiment = ? AND event = 'chat' AND latency_ms IS NOT NULL")) {
                s.setString(1, experiment);
                s.setFetchSize(1000);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        long[] armCounts = counts.get(r.getString(1));
                        armCounts[2]++;
                        armCounts[3] += r.getBoolean(2) ? 1 : 0;
                        armCounts[4] += r.getBoolean(3) ? 1 : 0;
                        latencies.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(r.getLong(4));
                    }
                }
            }
            List<ExperimentReport.ArmTally> out = new ArrayList<>();
            counts.forEach((arm, n) -> out.add(new ExperimentReport.ArmTally(arm, n[0], n[1], n[2], n[3], n[4],
                    latencies.getOrDefault(arm, List.of()).stream().mapToLong(Long::longValue).toArray())));
            return out;
        });
    }

    private static Optional<ExperimentSplit> split(Connection c, String experiment) throws SQLException {
        List<ExperimentSplit.Arm> arms = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT arm, answered_by, weight FROM ab_experiments WHERE experiment = ?"
                + " ORDER BY position")) {
            s.setString(1, experiment);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    arms.add(new ExperimentSplit.Arm(r.getString(1), r.getString(2), r.getInt(3)));
                }
            }
        }
        return arms.isEmpty() ? Optional.empty() : Optional.of(new ExperimentSplit(experiment, arms));
    }
}
