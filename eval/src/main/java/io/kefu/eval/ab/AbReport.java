package io.kefu.eval.ab;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.csv.CsvTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Per-arm conversion and each treatment arm against the control (the first arm seen, or the
 * first of the split).
 *
 * <p>Input: a CSV of events with a header and the columns {@code session} and {@code event}
 * ({@code exposure}, {@code view}, {@code chat} count a session; {@code conversion}, {@code order},
 * {@code purchase} convert it), and optionally {@code arm}. Rows without an arm are assigned by
 * the {@link ArmAssigner}. A session converts at most once, however many orders it places.
 *
 * @param arms per-arm counts, in order (control first)
 * @param comparisons each treatment against the control
 */
public record AbReport(List<ArmCount> arms, List<ProportionComparison> comparisons) {
    private static final Set<String> CONVERSIONS = Set.of("conversion", "order", "purchase");
    private static final Set<String> EXPOSURES = Set.of("exposure", "view", "chat", "session");

    /**
     * @param arm arm name
     * @param sessions distinct sessions
     * @param conversions distinct converted sessions
     */
    public record ArmCount(String arm, long sessions, long conversions) {
        /** @return conversions / sessions */
        public double rate() {
            return sessions == 0 ? 0 : (double) conversions / sessions;
        }
    }

    /** Copies the lists. */
    public AbReport {
        arms = List.copyOf(arms);
        comparisons = List.copyOf(comparisons);
    }

    /**
     * @param events the CSV file
     * @param assigner assigns rows that have no arm (may be null when every row has one)
     * @param confidence e.g. 0.95
     * @throws KefuException {@link ErrorCode#INVALID_DATA} naming file:line for a row with no
     *     session, an unknown event, or no arm while no assigner is given; or when fewer than two arms have sessions
     */
    public static AbReport fromCsv(Path events, ArmAssigner assigner, double confidence) {
        CsvTable table = CsvTable.read(events);
        table.requireColumns("session", "event");
        Map<String, Set<String>> sessions = new LinkedHashMap<>();
        Map<String, Set<String>> converted = new LinkedHashMap<>();
        if (assigner != null) {
            for (String arm : assigner.arms()) {
                sessions.put(arm, new LinkedHashSet<>());
                converted.put(arm, new LinkedHashSet<>());
            }
        }
        Map<String, String> armOfSession = new LinkedHashMap<>();
        for (CsvTable.Row row : table.rows()) {
            String where = events + ":" + row.line();
            String session = row.get("session").trim();
            String event = row.get("event").trim().toLowerCase(Locale.ROOT);
            String arm = row.get("arm").trim();
            if (session.isEmpty()) {
                throw new KefuException(ErrorCode.INVALID_DATA, where + ": session: empty");
            }
            if (!CONVERSIONS.contains(event) && !EXPOSURES.contains(event)) {
                throw new KefuException(ErrorCode.INVALID_DATA, where + ": event: '" + row.get("event")
                        + "' is not one of " + EXPOSURES + " or " + CONVERSIONS);
            }
            if (arm.isEmpty()) {
                if (assigner == null) {
                    throw new KefuException(ErrorCode.INVALID_DATA, where + ": arm: empty, and no split was given to assign it");
                }
                arm = assigner.assign(session);
            }
            String previous = armOfSession.putIfAbsent(session, arm);
            if (previous != null && !previous.equals(arm)) {
                throw new KefuException(ErrorCode.INVALID_DATA, where + ": arm: session '" + session + "' was in arm '"
                        + previous + "' before, now '" + arm + "'");
            }
            sessions.computeIfAbsent(arm, k -> new LinkedHashSet<>()).add(session);
            converted.computeIfAbsent(arm, k -> new LinkedHashSet<>());
            if (CONVERSIONS.contains(event)) {
                converted.get(arm).add(session);
            }
        }
        List<ArmCount> counts = new ArrayList<>();
        sessions.forEach((arm, s) -> counts.add(new ArmCount(arm, s.size(), converted.get(arm).size())));
        return of(counts, confidence, events.toString());
    }

    /** @return the report of already counted arms; the first is the control */
    public static AbReport of(List<ArmCount> counts, double confidence, String source) {
        List<ArmCount> withSessions = counts.stream().filter(c -> c.sessions() > 0).toList();
        if (withSessions.size() < 2) {
            throw new KefuException(ErrorCode.INVALID_DATA, source + ": need sessions in at least two arms, found "
                    + withSessions.stream().map(ArmCount::arm).toList());
        }
        ArmCount control = withSessions.get(0);
        List<ProportionComparison> comparisons = new ArrayList<>();
        for (ArmCount treatment : withSessions.subList(1, withSessions.size())) {
            comparisons.add(ProportionComparison.of(control.arm(), control.conversions(), control.sessions(),
                    treatment.arm(), treatment.conversions(), treatment.sessions(), confidence));
        }
        return new AbReport(withSessions, comparisons);
    }

    /** @return a plain-text table */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-12s %10s %12s %10s%n", "ARM", "SESSIONS", "CONVERSIONS", "RATE"));
        for (ArmCount a : arms) {
            sb.append(String.format(Locale.ROOT, "%-12s %10d %12d %9.3f%%%n", a.arm(), a.sessions(), a.conversions(), 100 * a.rate()));
        }
        for (ProportionComparison c : comparisons) {
            sb.append(String.format(Locale.ROOT, "%n%s vs %s: lift %+.3f pp (%+.2f%% relative), z = %.3f, p = %.4g, %.0f%% CI [%+.3f, %+.3f] pp%n",
                    c.treatment(), c.control(), 100 * c.absoluteLift(), 100 * c.relativeLift(), c.z(), c.pValue(),
                    100 * c.confidence(), 100 * c.ciLow(), 100 * c.ciHigh()));
        }
        return sb.toString();
    }
}
