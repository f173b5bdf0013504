package io.kefu.cli.data;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** Prints the small count tables of the data commands. */
final class Tables {
    private Tables() {
    }

    /** Prints {@code name  count  share} rows, e.g. examples per intent. */
    static <K> void counts(PrintWriter out, String heading, Map<K, Long> counts, long total) {
        int width = heading.length();
        for (K key : counts.keySet()) {
            width = Math.max(width, String.valueOf(key).length());
        }
        out.printf(Locale.ROOT, "  %-" + width + "s  %8s  %6s%n", heading, "examples", "share");
        for (Map.Entry<K, Long> row : counts.entrySet()) {
            double share = total == 0 ? 0 : 100.0 * row.getValue() / total;
            out.printf(Locale.ROOT, "  %-" + width + "s  %8d  %5.1f%%%n", row.getKey(), row.getValue(), share);
        }
    }
}
