package io.kefu.eval.metrics;

import java.util.List;
import java.util.Map;

/**
 * ROUGE-1/2/L F1 on characters: every non-whitespace code point is a token (the natural unit for
 * Chinese, which has no spaces). Formulas of Lin (2004), as in Google's {@code rouge-score}:
 * n-gram counts clipped as multisets, ROUGE-L from the LCS, {@code F = 2PR/(P+R)}; 0 when the
 * prediction or the reference is empty or nothing overlaps. Scores are 0..100.
 */
public final class CharRouge {
    private CharRouge() {
    }

    /** @return character-level ROUGE of a prediction against its reference */
    public static RougeScores score(String prediction, String reference) {
        List<String> h = characters(prediction);
        List<String> r = characters(reference);
        return new RougeScores(ngram(h, r, 1), ngram(h, r, 2), f1(Lcs.length(r, h), h.size(), r.size()));
    }

    private static double ngram(List<String> h, List<String> r, int n) {
        Map<List<String>, Integer> hc = SacreBleu.NGrams.count(h, n);
        Map<List<String>, Integer> rc = SacreBleu.NGrams.count(r, n);
        int overlap = 0;
        for (Map.Entry<List<String>, Integer> e : hc.entrySet()) {
            overlap += Math.min(e.getValue(), rc.getOrDefault(e.getKey(), 0));
        }
        return f1(overlap, Math.max(0, h.size() - n + 1), Math.max(0, r.size() - n + 1));
    }

    private static double f1(int overlap, int hypCount, int refCount) {
        if (hypCount == 0 || refCount == 0 || overlap == 0) {
            return 0.0;
        }
        double p = (double) overlap / hypCount;
        double r = (double) overlap / refCount;
        return 100 * (2 * p * r / (p + r));
    }

    private static List<String> characters(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().filter(cp -> !PythonText.isSpace(cp)).forEach(sb::appendCodePoint);
        return PythonText.codePoints(sb.toString());
    }
}
