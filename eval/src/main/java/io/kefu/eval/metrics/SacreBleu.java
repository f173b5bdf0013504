package io.kefu.eval.metrics;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus BLEU-4 as sacreBLEU computes it with {@code tokenize='zh'}, {@code smooth_method='exp'}
 * (its default) and one reference per segment: n-gram matches are clipped per segment and summed
 * over the corpus; an order with no match gets sacreBLEU's exponential ("NIST") smoothing
 * {@code 100 / (2^k * total)}; an order with no hypothesis n-gram at all contributes log(0)
 * (sacreBLEU's {@code my_log}); brevity penalty {@code exp(1 - r/c)} when {@code c < r}.
 * Without effective order (the corpus default) a corpus whose hypotheses have no 4-grams scores 0.
 *
 * <p>Where it may differ: sacreBLEU refuses an empty reference; here it counts as zero tokens.
 */
public final class SacreBleu {
    private static final int ORDER = 4;

    private SacreBleu() {
    }

    /**
     * @param hypotheses system outputs
     * @param references one reference per hypothesis, same order
     * @return corpus BLEU, sacreBLEU {@code corpus_score} with {@code use_effective_order=False}
     */
    public static BleuScore corpus(List<String> hypotheses, List<String> references) {
        return score(hypotheses, references, false);
    }

    /** @return sentence BLEU as sacreBLEU's {@code sentence_score} (effective order on) */
    public static BleuScore sentence(String hypothesis, String reference) {
        return score(List.of(hypothesis), List.of(reference), true);
    }

    private static BleuScore score(List<String> hypotheses, List<String> references, boolean effectiveOrder) {
        if (hypotheses.size() != references.size()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "BLEU needs one reference per hypothesis: "
                    + hypotheses.size() + " hypotheses, " + references.size() + " references");
        }
        List<SegmentCounts> segments = new ArrayList<>();
        for (int s = 0; s < hypotheses.size(); s++) {
            segments.add(segmentCounts(hypotheses.get(s), references.get(s)));
        }
        int[] once = new int[segments.size()];
        Arrays.fill(once, 1);
        return sum(segments, once, effectiveOrder);
    }

    /**
     * The clipped n-gram matches, n-gram totals and lengths of one segment: what corpus BLEU sums over
     * segments. Kept per segment, a corpus can be resampled (a bootstrap) without tokenizing it again.
     *
     * @param correct clipped matches per order 1..4
     * @param total hypothesis n-grams per order 1..4
     * @param hypothesisLength hypothesis tokens
     * @param referenceLength reference tokens
     */
    public record SegmentCounts(List<Integer> correct, List<Integer> total, int hypothesisLength, int referenceLength) {
        /** Copies the lists. */
        public SegmentCounts {
            correct = List.copyOf(correct);
            total = List.copyOf(total);
        }
    }

    /** @return the counts of one hypothesis against its reference */
    public static SegmentCounts segmentCounts(String hypothesis, String reference) {
        List<String> hyp = SacreBleuZhTokenizer.tokenize(hypothesis);
        List<String> ref = SacreBleuZhTokenizer.tokenize(reference);
        List<Integer> correct = new ArrayList<>();
        List<Integer> total = new ArrayList<>();
        for (int n = 1; n <= ORDER; n++) {
            Map<List<String>, Integer> refCounts = NGrams.count(ref, n);
            int c = 0;
            int t = 0;
            for (Map.Entry<List<String>, Integer> e : NGrams.count(hyp, n).entrySet()) {
                c += Math.min(e.getValue(), refCounts.getOrDefault(e.getKey(), 0));
                t += e.getValue();
            }
            correct.add(c);
            total.add(t);
        }
        return new SegmentCounts(correct, total, hyp.size(), ref.size());
    }

    /**
     * Corpus BLEU (as {@link #corpus}) of a corpus where segment {@code i} occurs {@code weights[i]} times.
     *
     * @param segments the counts of each segment
     * @param weights how often each segment counts (a bootstrap resample's draw counts), same order
     */
    public static BleuScore corpus(List<SegmentCounts> segments, int[] weights) {
        if (segments.size() != weights.length) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, segments.size() + " segments but " + weights.length + " weights");
        }
        return sum(segments, weights, false);
    }

    private static BleuScore sum(List<SegmentCounts> segments, int[] weights, boolean effectiveOrder) {
        int[] correct = new int[ORDER];
        int[] total = new int[ORDER];
        long sysLen = 0;
        long refLen = 0;
        for (int s = 0; s < segments.size(); s++) {
            int w = weights[s];
            if (w == 0) {
                continue;
            }
            SegmentCounts counts = segments.get(s);
            sysLen += (long) w * counts.hypothesisLength();
            refLen += (long) w * counts.referenceLength();
            for (int n = 0; n < ORDER; n++) {
                correct[n] += w * counts.correct().get(n);
                total[n] += w * counts.total().get(n);
            }
        }
        return compute(correct, total, sysLen, refLen, effectiveOrder);
    }

    static BleuScore compute(int[] correct, int[] total, long sysLen, long refLen, boolean effectiveOrder) {
        double[] precisions = new double[ORDER];
        double smooth = 1.0;
        int order = ORDER;
        for (int n = 1; n <= ORDER; n++) {
            if (total[n - 1] == 0) {
                break;
            }
            if (effectiveOrder) {
                order = n;
            }
            if (correct[n - 1] == 0) {
                smooth *= 2;
                precisions[n - 1] = 100.0 / (smooth * total[n - 1]);
            } else {
                precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
            }
        }
        double bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - (double) refLen / sysLen) : 0.0) : 1.0;
        double logSum = 0;
        for (int n = 0; n < order; n++) {
            logSum += precisions[n] == 0.0 ? -9999999999.0 : Math.log(precisions[n]);
        }
        double score = bp * Math.exp(logSum / order);
        List<Double> p = new ArrayList<>();
        List<Integer> c = new ArrayList<>();
        List<Integer> t = new ArrayList<>();
        for (int n = 0; n < ORDER; n++) {
            p.add(precisions[n]);
            c.add(correct[n]);
            t.add(total[n]);
        }
        return new BleuScore(score, p, bp, c, t, sysLen, refLen);
    }

    /** n-gram counting shared by the BLEU and ROUGE implementations of this package. */
    static final class NGrams {
        private NGrams() {
        }

        static Map<List<String>, Integer> count(List<String> tokens, int n) {
            Map<List<String>, Integer> counts = new HashMap<>();
            for (int i = 0; i + n <= tokens.size(); i++) {
                counts.merge(tokens.subList(i, i + n), 1, Integer::sum);
            }
            return counts;
        }
    }
}
