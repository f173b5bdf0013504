package io.kefu.cli.eval;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.cli.common.ProgressReporter;
import io.kefu.eval.standard.EvaluationConfig;
import io.kefu.eval.standard.StandardEvaluator;
import io.kefu.eval.standard.SystemReport;
import io.kefu.eval.standard.ComparisonReport;
import io.kefu.data.Dataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs systems over a held-out set one after another, with progress per system, and writes the
 * comparison (predictions, report.json/md/html, PNG charts) into a folder. The shared part of
 * {@code kefu eval} and {@code kefu quickstart}.
 */
public final class ComparisonRun {
    private ComparisonRun() {
    }

    /**
     * @param systems the systems by name, in report order
     * @param test the held-out examples
     * @param config how to decode and score; the predictions file is set per system
     * @param out the report folder; {@code predictions-<system>.jsonl} there is resumed
     * @param interactive whether to draw progress bars
     * @param progress where the progress goes
     */
    public static ComparisonReport run(Map<String, ChatModel> systems, Dataset test, EvaluationConfig config, Path out,
                                boolean interactive, PrintWriter progress) {
        List<SystemReport> reports = new ArrayList<>();
        for (Map.Entry<String, ChatModel> s : systems.entrySet()) {
            StandardEvaluator evaluator = new StandardEvaluator(config.toBuilder()
                    .predictionsFile(out.resolve(ComparisonReport.predictionsFileName(s.getKey()))).build());
            try (ProgressReporter reporter = ProgressReporter.start(interactive, progress, s.getKey(), "example", test.size(), 0,
                    ProgressReporter.PLAIN_INTERVAL)) {
                reports.add(evaluator.evaluate(s.getKey(), s.getValue(), test, reporter::update));
            }
        }
        ComparisonReport report = ComparisonReport.of(reports);
        report.writeTo(out);
        return report;
    }

    /**
     * @param option the option that set the limit, for the message
     * @return the first {@code limit} examples, or all when the limit is null
     */
    public static Dataset firstExamples(Dataset all, Integer limit, String option) {
        if (limit == null) {
            return all;
        }
        if (limit < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, option + " " + limit + " must be at least 1");
        }
        return Dataset.of(all.examples().subList(0, Math.min(limit, all.size())));
    }

    /** Prints one row per metric and one column per system; a metric a system lacks shows as '-'. */
    public static void printTable(PrintWriter o, ComparisonReport report, List<String> metrics) {
        List<SystemReport> systems = report.systems();
        o.printf(Locale.ROOT, "%-22s", "METRIC");
        systems.forEach(r -> o.printf(Locale.ROOT, " %14s", r.system()));
        o.println();
        for (String metric : metrics) {
            o.printf(Locale.ROOT, "%-22s", metric);
            systems.forEach(r -> o.printf(Locale.ROOT, " %14s", format(r.metrics().get(metric))));
            o.println();
        }
        o.flush();
    }

    private static String format(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
