package io.kefu.eval.standard;

import io.kefu.eval.standard.ComparisonReport;
import io.kefu.eval.EvaluationReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The scores of one system on one test set: overall, per intent and per strategy (see
 * {@link MetricTable} for the metric names), plus every scored prediction.
 */
public final class SystemReport implements EvaluationReport {
    private final String system;
    private final List<ScoredPrediction> predictions;
    private final Map<String, Double> metrics;
    private final Map<String, Map<String, Double>> byIntent;
    private final Map<String, Map<String, Double>> byStrategy;

    /**
     * @param system the system's name
     * @param predictions its scored predictions, in test-set order
     */
    public SystemReport(String system, List<ScoredPrediction> predictions) {
        this.system = system;
        this.predictions = List.copyOf(predictions);
        this.metrics = Collections.unmodifiableMap(MetricTable.of(this.predictions));
        this.byIntent = groups(p -> p.intent() == null ? "(none)" : p.intent());
        this.byStrategy = groups(p -> p.strategy() == null ? "(none)" : p.strategy());
    }

    private Map<String, Map<String, Double>> groups(Function<Prediction, String> key) {
        Map<String, List<ScoredPrediction>> grouped = new TreeMap<>();
        for (ScoredPrediction p : predictions) {
            grouped.computeIfAbsent(key.apply(p.prediction()), k -> new ArrayList<>()).add(p);
        }
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        grouped.forEach((k, v) -> out.put(k, Collections.unmodifiableMap(MetricTable.of(v))));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String system() {
        return system;
    }

    @Override
    public Map<String, Double> metrics() {
        return metrics;
    }

    @Override
    public Map<String, Map<String, Double>> byIntent() {
        return byIntent;
    }

    /** @return the metrics per strategy (strategy -> metric -> value) */
    public Map<String, Map<String, Double>> byStrategy() {
        return byStrategy;
    }

    /** @return the scored predictions, in test-set order */
    public List<ScoredPrediction> predictions() {
        return predictions;
    }

    /** Writes report.json, report.md, report.html, the PNG charts and predictions-{system}.jsonl. */
    @Override
    public void writeTo(Path directory) {
        ComparisonReport.of(List.of(this)).writeTo(directory);
    }
}
