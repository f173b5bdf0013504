package io.kefu.eval.gate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.metrics.SacreBleu;
import io.kefu.eval.metrics.TextMetrics;
import io.kefu.eval.standard.MetricTable;
import io.kefu.eval.standard.ScoredPrediction;
import io.kefu.shop.checks.CheckResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A metric the regression gate can judge: how it is recomputed on a bootstrap draw of the examples,
 * which way is better, and its scale. Each gives the value {@link MetricTable} reports when every
 * example is drawn once:
 * <ul>
 *   <li>{@code bleu4_sacrebleu}: corpus BLEU from the summed n-gram counts of the drawn segments;</li>
 *   <li>the per-answer text metrics ({@code bleu4_llamafactory}, {@code rouge*_llamafactory},
 *       {@code rouge*_char}): the mean over the drawn answers;</li>
 *   <li>the rates of the business checks ({@link MetricTable#RATES}): drawn hits over drawn population.</li>
 * </ul>
 *
 * @param name the metric's name in the report
 * @param higherIsBetter whether a larger value is better (false for the rates of faults)
 * @param pointsPerUnit how many points one unit of the metric is: 1 for the text metrics (already
 *     0-100), 100 for rates (0-1); margins are given in points
 */
public record GateMetric(String name, boolean higherIsBetter, double pointsPerUnit) {
    /** The metrics judged unless others are chosen: business checks first, then BLEU and ROUGE. */
    public static final List<String> DEFAULTS = List.of("fact_accuracy", "clean_rate", "handoff_accuracy",
            "invented_promotion_rate", "bleu4_sacrebleu", "rougeL_char");

    /** The rates of faults, where lower is better. */
    private static final Set<String> FAULT_RATES = Set.of("wrong_stock_rate", "wrong_price_rate", "invented_promotion_rate",
            "banned_claim_rate", "too_long_rate");
    private static final Map<String, GateMetric> ALL = all();

    private static Map<String, GateMetric> all() {
        Map<String, GateMetric> m = new LinkedHashMap<>();
        for (String name : TextMetrics.NAMES) {
            m.put(name, new GateMetric(name, true, 1));
        }
        for (MetricTable.Rate rate : MetricTable.RATES) {
            m.put(rate.name(), new GateMetric(rate.name(), !FAULT_RATES.contains(rate.name()), 100));
        }
        return m;
    }

    /** @return every metric the gate can judge, by name */
    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /** @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the metrics there are */
    public static GateMetric named(String name) {
        GateMetric metric = ALL.get(name);
        if (metric == null) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "no gate metric '" + name + "'; choose from " + String.join(", ", ALL.keySet()));
        }
        return metric;
    }

    /** @return the metric of one system's scored answers on a draw of them (NaN for a rate whose population the draw left empty) */
    public PairedBootstrap.Statistic statistic(List<ScoredPrediction> predictions) {
        if (name.equals("bleu4_sacrebleu")) {
            List<SacreBleu.SegmentCounts> segments = new ArrayList<>();
            predictions.forEach(p -> segments.add(SacreBleu.segmentCounts(p.prediction().text(), p.prediction().reference())));
            return counts -> predictions.isEmpty() ? 0.0 : SacreBleu.corpus(segments, counts).score();
        }
        for (MetricTable.Rate rate : MetricTable.RATES) {
            if (rate.name().equals(name)) {
                boolean[] inPopulation = new boolean[predictions.size()];
                boolean[] hit = new boolean[predictions.size()];
                for (int i = 0; i < predictions.size(); i++) {
                    CheckResult checks = predictions.get(i).checks();
                    inPopulation[i] = rate.population().test(checks);
                    hit[i] = inPopulation[i] && rate.hit().test(checks);
                }
                return counts -> {
                    long population = 0;
                    long hits = 0;
                    for (int i = 0; i < counts.length; i++) {
                        population += inPopulation[i] ? counts[i] : 0;
                        hits += hit[i] ? counts[i] : 0;
                    }
                    return population == 0 ? Double.NaN : hits / (double) population;
                };
            }
        }
        double[] values = predictions.stream().mapToDouble(p -> p.text().asMap().get(name)).toArray();
        return counts -> {
            double sum = 0;
            long drawn = 0;
            for (int i = 0; i < counts.length; i++) {
                sum += counts[i] * values[i];
                drawn += counts[i];
            }
            return drawn == 0 ? 0.0 : sum / drawn;
        };
    }
}
