package io.kefu.eval.rating;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Krippendorff's alpha by the coincidence-matrix method (Krippendorff, "Computing Krippendorff's
 * Alpha-Reliability", 2011): {@code alpha = 1 - (n - 1) * sum o_ck d_ck / sum n_c n_k d_ck}, over
 * units rated by at least two raters; missing ratings are allowed.
 */
public final class Krippendorff {
    /** How far apart two values are. */
    public enum Metric {
        /** Squared difference: the scale is numeric and evenly spaced. */
        INTERVAL,
        /** Squared sum of the marginals between the two ranks: only the order matters. */
        ORDINAL
    }

    private Krippendorff() {
    }

    /**
     * @param ratings raters x units; {@code Double.NaN} where a rater did not rate a unit
     * @return alpha, or NaN when fewer than two values are pairable or every value is the same
     */
    public static double alpha(double[][] ratings, Metric metric) {
        List<List<Double>> units = new ArrayList<>();
        int unitCount = ratings.length == 0 ? 0 : ratings[0].length;
        for (int u = 0; u < unitCount; u++) {
            List<Double> values = new ArrayList<>();
            for (double[] rater : ratings) {
                if (!Double.isNaN(rater[u])) {
                    values.add(rater[u]);
                }
            }
            if (values.size() >= 2) {
                units.add(values);
            }
        }
        TreeSet<Double> distinct = new TreeSet<>();
        units.forEach(distinct::addAll);
        List<Double> values = new ArrayList<>(distinct);
        int v = values.size();
        double[][] o = new double[v][v];
        for (List<Double> unit : units) {
            int m = unit.size();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    if (i != j) {
                        o[values.indexOf(unit.get(i))][values.indexOf(unit.get(j))] += 1.0 / (m - 1);
                    }
                }
            }
        }
        double[] nc = new double[v];
        double n = 0;
        for (int c = 0; c < v; c++) {
            for (int k = 0; k < v; k++) {
                nc[c] += o[c][k];
            }
            n += nc[c];
        }
        double observed = 0;
        double expected = 0;
        for (int c = 0; c < v; c++) {
            for (int k = 0; k < v; k++) {
                double d = delta(c, k, values, nc, metric);
                observed += o[c][k] * d;
                expected += nc[c] * nc[k] * d;
            }
        }
        if (n < 2 || expected == 0) {
            return Double.NaN;
        }
        return 1 - (n - 1) * observed / expected;
    }

    private static double delta(int c, int k, List<Double> values, double[] nc, Metric metric) {
        if (metric == Metric.INTERVAL) {
            double diff = values.get(c) - values.get(k);
            return diff * diff;
        }
        int lo = Math.min(c, k);
        int hi = Math.max(c, k);
        double s = 0;
        for (int g = lo; g <= hi; g++) {
            s += nc[g];
        }
        s -= (nc[c] + nc[k]) / 2;
        return s * s;
    }
}
