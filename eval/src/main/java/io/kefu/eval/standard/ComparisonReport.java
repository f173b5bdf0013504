package io.kefu.eval.standard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.standard.MetricTable;
import io.kefu.eval.standard.ScoredPrediction;
import io.kefu.eval.standard.SystemReport;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Several systems scored on the same test set, side by side. {@link #writeTo} writes
 * {@code report.json} (every metric overall, per intent, per strategy, and the findings of every
 * answer), {@code report.md} and {@code report.html} (tables), PNG charts (see {@link Charts}) and
 * {@code predictions-<system>.jsonl} for systems whose predictions are not there yet.
 */
public final class ComparisonReport {
    /** Metrics shown per intent in the tables and charts. */
    public static final List<String> PER_INTENT = List.of("rougeL_char", "bleu4_llamafactory", "fact_accuracy", "clean_rate");
    /** Metrics shown per strategy in the tables. */
    public static final List<String> PER_STRATEGY = List.of("strategy_followed", "clean_rate", "rougeL_char");

    private final List<SystemReport> systems;

    private ComparisonReport(List<SystemReport> systems) {
        this.systems = List.copyOf(systems);
    }

    /** @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when there are no systems or two share a name */
    public static ComparisonReport of(List<SystemReport> systems) {
        if (systems.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "a comparison needs at least one system");
        }
        Set<String> names = new LinkedHashSet<>();
        for (SystemReport s : systems) {
            if (!names.add(s.system())) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "two systems are named '" + s.system() + "'");
            }
        }
        return new ComparisonReport(systems);
    }

    /** @return the file name a system's predictions are written to */
    public static String predictionsFileName(String system) {
        return "predictions-" + system.replaceAll("[^A-Za-z0-9._-]", "_") + ".jsonl";
    }

    /** @return the systems, in order */
    public List<SystemReport> systems() {
        return systems;
    }

    /** Writes every file into the directory (created when missing). */
    public void writeTo(Path directory) {
        for (SystemReport s : systems) {
            Path predictions = directory.resolve(predictionsFileName(s.system()));
            if (!Files.exists(predictions)) {
                AtomicFiles.writeString(predictions, Predictions.toJsonl(s.predictions()));
            }
        }
        AtomicFiles.writeString(directory.resolve("report.json"), toJson());
        AtomicFiles.writeString(directory.resolve("report.md"), toMarkdown());
        List<String> charts = Charts.write(this, directory);
        AtomicFiles.writeString(directory.resolve("report.html"), toHtml(charts));
    }

    /** @return metric names present in any system, in display order */
    public List<String> metricNames() {
        Set<String> names = new LinkedHashSet<>(MetricTable.QUALITY);
        names.addAll(MetricTable.BUSINESS);
        systems.forEach(s -> names.addAll(s.metrics().keySet()));
        names.removeIf(n -> systems.stream().noneMatch(s -> s.metrics().containsKey(n)));
        return new ArrayList<>(names);
    }

    /** @return intents present in any system, sorted */
    public List<String> intents() {
        Set<String> intents = new java.util.TreeSet<>();
        systems.forEach(s -> intents.addAll(s.byIntent().keySet()));
        return new ArrayList<>(intents);
    }

    /** @return strategies present in any system, sorted */
    public List<String> strategies() {
        Set<String> strategies = new java.util.TreeSet<>();
        systems.forEach(s -> strategies.addAll(s.byStrategy().keySet()));
        return new ArrayList<>(strategies);
    }

    String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        List<Object> list = new ArrayList<>();
        for (SystemReport s : systems) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("system", s.system());
            node.put("metrics", s.metrics());
            node.put("by_intent", s.byIntent());
            node.put("by_strategy", s.byStrategy());
            List<Object> findings = new ArrayList<>();
            for (ScoredPrediction p : s.predictions()) {
                if (!p.checks().findings().isEmpty()) {
                    Map<String, Object> f = new LinkedHashMap<>();
                    f.put("index", p.prediction().index());
                    f.put("source", p.prediction().source());
                    f.put("answer", p.prediction().text());
                    f.put("findings", p.checks().findings().stream().map(x -> x.kind() + ": " + x.detail()).toList());
                    findings.add(f);
                }
            }
            node.put("findings", findings);
            list.add(node);
        }
        root.put("systems", list);
        try {
            return Json.indented().writeValueAsString(sanitize(root)) + "\n";
        } catch (Exception e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot write report.json: " + e.getMessage(), e);
        }
    }

    /** JSON has no NaN: such values are written as null. */
    private static Object sanitize(Object o) {
        if (o instanceof Double d && (d.isNaN() || d.isInfinite())) {
            return null;
        }
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, sanitize(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            return l.stream().map(ComparisonReport::sanitize).toList();
        }
        return o;
    }

    String toMarkdown() {
        StringBuilder sb = new StringBuilder("# Evaluation report\n\n");
        sb.append(systems.get(0).predictions().size()).append(" test examples. Text metrics 0-100 (`kefu score --help` names what each mode matches); rates 0-1.\n\n");
        table(sb, "metric", metricNames(), name -> systems.stream().map(s -> fmt(s.metrics().get(name))).toList());
        for (String metric : PER_INTENT) {
            sb.append("\n## ").append(metric).append(" by intent\n\n");
            table(sb, "intent", intents(), intent -> systems.stream()
                    .map(s -> fmt(s.byIntent().getOrDefault(intent, Map.of()).get(metric))).toList());
        }
        for (String metric : PER_STRATEGY) {
            sb.append("\n## ").append(metric).append(" by strategy\n\n");
            table(sb, "strategy", strategies(), strategy -> systems.stream()
                    .map(s -> fmt(s.byStrategy().getOrDefault(strategy, Map.of()).get(metric))).toList());
        }
        return sb.toString();
    }

    private void table(StringBuilder sb, String first, List<String> rows, java.util.function.Function<String, List<String>> cells) {
        sb.append("| ").append(first);
        systems.forEach(s -> sb.append(" | ").append(s.system()));
        sb.append(" |\n|---");
        systems.forEach(s -> sb.append("|---:"));
        sb.append("|\n");
        for (String row : rows) {
            sb.append("| ").append(row);
            cells.apply(row).forEach(c -> sb.append(" | ").append(c));
            sb.append(" |\n");
        }
    }

    String toHtml(List<String> charts) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Evaluation report</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 10px}td.n{text-align:right;font-variant-numeric:tabular-nums}img{max-width:100%}</style>\n")
                .append("</head><body>\n<h1>Evaluation report</h1>\n<p>").append(systems.get(0).predictions().size())
                .append(" test examples. Text metrics 0-100; rates 0-1.</p>\n");
        htmlTable(sb, "metric", metricNames(), name -> systems.stream().map(s -> fmt(s.metrics().get(name))).toList());
        for (String metric : PER_INTENT) {
            sb.append("<h2>").append(metric).append(" by intent</h2>\n");
            htmlTable(sb, "intent", intents(), intent -> systems.stream()
                    .map(s -> fmt(s.byIntent().getOrDefault(intent, Map.of()).get(metric))).toList());
        }
        for (String metric : PER_STRATEGY) {
            sb.append("<h2>").append(metric).append(" by strategy</h2>\n");
            htmlTable(sb, "strategy", strategies(), strategy -> systems.stream()
                    .map(s -> fmt(s.byStrategy().getOrDefault(strategy, Map.of()).get(metric))).toList());
        }
        sb.append("<h2>Charts</h2>\n");
        for (String chart : charts) {
            sb.append("<p><img src=\"").append(chart).append("\" alt=\"").append(chart).append("\"></p>\n");
        }
        return sb.append("</body></html>\n").toString();
    }

    private void htmlTable(StringBuilder sb, String first, List<String> rows, java.util.function.Function<String, List<String>> cells) {
        sb.append("<table><tr><th>").append(first).append("</th>");
        systems.forEach(s -> sb.append("<th>").append(escape(s.system())).append("</th>"));
        sb.append("</tr>\n");
        for (String row : rows) {
            sb.append("<tr><td>").append(escape(row)).append("</td>");
            cells.apply(row).forEach(c -> sb.append("<td class=\"n\">").append(c).append("</td>"));
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String fmt(Double v) {
        if (v == null || v.isNaN()) {
            return "-";
        }
        return v == Math.rint(v) && Math.abs(v) >= 2 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3f", v);
    }

    /** Writes predictions as JSONL. */
    static final class Predictions {
        private Predictions() {
        }

        static String toJsonl(List<ScoredPrediction> predictions) {
            ObjectMapper json = Json.mapper();
            StringBuilder sb = new StringBuilder();
            for (ScoredPrediction p : predictions) {
                try {
                    sb.append(json.writeValueAsString(p.prediction())).append('\n');
                } catch (Exception e) {
                    throw new KefuException(ErrorCode.INTERNAL, "cannot serialise a prediction", e);
                }
            }
            return sb.toString();
        }
    }
}
