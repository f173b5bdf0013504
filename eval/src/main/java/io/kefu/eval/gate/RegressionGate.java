package io.kefu.eval.gate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.standard.ScoredPrediction;
import io.kefu.eval.standard.SystemReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decides whether a candidate system may replace a baseline: for each chosen metric, the paired
 * bootstrap interval of candidate minus baseline over the same test examples ({@link PairedBootstrap});
 * the candidate is refused when any metric is worse beyond noise, that is when the whole interval lies
 * beyond the margin on the worse side.
 */
public final class RegressionGate {
    private RegressionGate() {
    }

    /**
     * @param baseline the system in production
     * @param candidate the system that would replace it, scored on the same examples
     * @param config the metrics, margin and bootstrap
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when the two were not scored on the same examples
     */
    public static GateReport judge(SystemReport baseline, SystemReport candidate, GateConfig config) {
        List<ScoredPrediction> base = baseline.predictions();
        List<ScoredPrediction> cand = candidate.predictions();
        if (base.isEmpty() || base.size() != cand.size()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "the gate compares systems on the same examples: '"
                    + baseline.system() + "' answered " + base.size() + ", '" + candidate.system() + "' " + cand.size());
        }
        for (int i = 0; i < base.size(); i++) {
            if (!base.get(i).prediction().key().equals(cand.get(i).prediction().key())) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "the gate compares systems on the same examples, but answer "
                        + (i + 1) + " of '" + baseline.system() + "' (" + base.get(i).prediction().source() + ") and of '"
                        + candidate.system() + "' (" + cand.get(i).prediction().source() + ") are to different examples");
            }
        }
        int[] once = new int[base.size()];
        Arrays.fill(once, 1);
        List<MetricVerdict> verdicts = new ArrayList<>();
        for (GateMetric metric : config.metrics()) {
            PairedBootstrap.Statistic b = metric.statistic(base);
            PairedBootstrap.Statistic c = metric.statistic(cand);
            PairedBootstrap.Interval interval = config.bootstrap().difference(base.size(), b, c);
            verdicts.add(MetricVerdict.judge(metric, b.of(once), c.of(once), interval, config.marginPoints()));
        }
        return new GateReport(baseline.system(), candidate.system(), base.size(), config.bootstrap().resamples(),
                config.bootstrap().seed(), config.bootstrap().confidence(), config.marginPoints(), verdicts);
    }
}
