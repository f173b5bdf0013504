package io.kefu.eval.standard;

import io.kefu.shop.checks.CheckResult;
import io.kefu.shop.checks.Finding;
import io.kefu.eval.metrics.DistinctN;
import io.kefu.eval.metrics.TextMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns scored predictions into named metrics (the same names overall, per intent and per strategy):
 * the text metrics of {@link TextMetrics}; {@code fact_accuracy} (share of answers with a facts
 * block that are not empty and have no stock/size/price/promotion finding); {@code wrong_stock_rate},
 * {@code wrong_price_rate}, {@code invented_promotion_rate}, {@code banned_claim_rate};
 * {@code handoff_accuracy} (hand-off given exactly when expected), {@code handoff_recall} (when expected);
 * {@code strategy_followed} (over answers whose strategy has cues); {@code clean_rate} (no finding);
 * {@code mean_length}, {@code too_long_rate}; {@code distinct_1}, {@code distinct_2};
 * {@code latency_ms_mean}, {@code latency_ms_p95}, {@code tokens_per_second}; {@code n}.
 * A rate whose denominator is empty is left out.
 */
public final class MetricTable {
    /** The metrics where higher is better, in display order (text metrics first). */
    public static final List<String> QUALITY = List.of("bleu4_sacrebleu", "bleu4_llamafactory", "rouge1_llamafactory",
            "rouge2_llamafactory", "rougeL_llamafactory", "rouge1_char", "rouge2_char", "rougeL_char");
    /** Business metrics, in display order. */
    public static final List<String> BUSINESS = List.of("fact_accuracy", "clean_rate", "handoff_accuracy", "handoff_recall",
            "strategy_followed", "wrong_stock_rate", "wrong_price_rate", "invented_promotion_rate", "banned_claim_rate",
            "too_long_rate");

    /**
     * The rates of the business checks, in {@link #BUSINESS} order: the share of a population of answers
     * that has a property.
     *
     * @param name the metric's name
     * @param population which answers the rate is over (the rate is left out when none is)
     * @param hit which of those count
     */
    public record Rate(String name, Predicate<CheckResult> population, Predicate<CheckResult> hit) {
    }

    private static final Predicate<CheckResult> ALL = c -> true;

    /** Every rate {@link #of} reports. */
    public static final List<Rate> RATES = List.of(
            new Rate("fact_accuracy", CheckResult::factsFound, c -> !(c.has(Finding.Kind.EMPTY) || c.has(Finding.Kind.WRONG_STOCK)
                    || c.has(Finding.Kind.UNKNOWN_SIZE) || c.has(Finding.Kind.WRONG_PRICE) || c.has(Finding.Kind.INVENTED_PROMOTION))),
            new Rate("clean_rate", ALL, CheckResult::clean),
            new Rate("handoff_accuracy", ALL, c -> c.handoffExpected() == c.handoffGiven()),
            new Rate("handoff_recall", CheckResult::handoffExpected, CheckResult::handoffGiven),
            new Rate("strategy_followed", c -> c.strategyFollowed() != null, CheckResult::strategyFollowed),
            new Rate("wrong_stock_rate", CheckResult::factsFound, c -> c.has(Finding.Kind.WRONG_STOCK) || c.has(Finding.Kind.UNKNOWN_SIZE)),
            new Rate("wrong_price_rate", CheckResult::factsFound, c -> c.has(Finding.Kind.WRONG_PRICE)),
            new Rate("invented_promotion_rate", CheckResult::factsFound, c -> c.has(Finding.Kind.INVENTED_PROMOTION)),
            new Rate("banned_claim_rate", ALL, c -> c.has(Finding.Kind.BANNED_CLAIM)),
            new Rate("too_long_rate", ALL, c -> c.has(Finding.Kind.TOO_LONG)));

    private MetricTable() {
    }

    /** @return every metric of the predictions */
    public static Map<String, Double> of(List<ScoredPrediction> scored) {
        Map<String, Double> m = new LinkedHashMap<>();
        List<String> texts = new ArrayList<>();
        List<String> refs = new ArrayList<>();
        List<TextMetrics.PairScores> pairs = new ArrayList<>();
        for (ScoredPrediction s : scored) {
            texts.add(s.prediction().text());
            refs.add(s.prediction().reference());
            pairs.add(s.text());
        }
        m.putAll(TextMetrics.aggregate(texts, refs, pairs));
        List<CheckResult> checks = scored.stream().map(ScoredPrediction::checks).toList();
        for (Rate rate : RATES) {
            List<CheckResult> population = checks.stream().filter(rate.population()).toList();
            if (!population.isEmpty()) {
                m.put(rate.name(), population.stream().filter(rate.hit()).count() / (double) population.size());
            }
        }
        if (!checks.isEmpty()) {
            m.put("mean_length", checks.stream().mapToInt(CheckResult::length).average().orElse(0));
        }
        m.put("distinct_1", DistinctN.of(texts, 1));
        m.put("distinct_2", DistinctN.of(texts, 2));
        double[] latencies = scored.stream().mapToDouble(s -> s.prediction().latencyMillis()).sorted().toArray();
        if (latencies.length > 0) {
            m.put("latency_ms_mean", java.util.Arrays.stream(latencies).average().orElse(0));
            m.put("latency_ms_p95", latencies[(int) Math.min(latencies.length - 1, Math.ceil(0.95 * latencies.length) - 1)]);
        }
        double[] tps = scored.stream().mapToDouble(s -> s.prediction().tokensPerSecond()).filter(v -> v > 0).toArray();
        if (tps.length > 0) {
            m.put("tokens_per_second", java.util.Arrays.stream(tps).average().orElse(0));
        }
        m.put("n", (double) scored.size());
        return m;
    }
}
