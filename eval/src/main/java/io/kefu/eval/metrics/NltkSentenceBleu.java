package io.kefu.eval.metrics;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * NLTK's {@code sentence_bleu([reference], hypothesis, smoothing_function=SmoothingFunction().method3)}
 * with the default weights (0.25, 0.25, 0.25, 0.25), on a 0..1 scale: modified precisions with a
 * denominator of at least 1, 0 when no unigram matches, NIST geometric smoothing
 * {@code 1 / (2^k * denominator)} for orders without a match, NLTK's brevity penalty, and the
 * log-precisions summed exactly ({@code math.fsum}).
 */
public final class NltkSentenceBleu {
    private NltkSentenceBleu() {
    }

    /** @return BLEU-4 in 0..1 of one hypothesis against one reference, both already tokenized */
    public static double score(List<String> reference, List<String> hypothesis) {
        int[] numerators = new int[4];
        int[] denominators = new int[4];
        for (int n = 1; n <= 4; n++) {
            Map<List<String>, Integer> hyp = SacreBleu.NGrams.count(hypothesis, n);
            Map<List<String>, Integer> ref = SacreBleu.NGrams.count(reference, n);
            int matched = 0;
            int count = 0;
            for (Map.Entry<List<String>, Integer> e : hyp.entrySet()) {
                matched += Math.min(e.getValue(), ref.getOrDefault(e.getKey(), 0));
                count += e.getValue();
            }
            numerators[n - 1] = matched;
            denominators[n - 1] = Math.max(1, count);
        }
        if (numerators[0] == 0) {
            return 0.0;
        }
        int hypLen = hypothesis.size();
        int refLen = reference.size();
        double bp = hypLen > refLen ? 1.0 : hypLen == 0 ? 0.0 : Math.exp(1 - (double) refLen / hypLen);
        BigDecimal sum = BigDecimal.ZERO;
        int k = 1;
        for (int n = 0; n < 4; n++) {
            double p;
            if (numerators[n] == 0) {
                p = 1.0 / ((double) (1L << k) * denominators[n]);
                k++;
            } else {
                p = (double) numerators[n] / denominators[n];
            }
            sum = sum.add(new BigDecimal(0.25 * Math.log(p)));
        }
        return bp * Math.exp(sum.doubleValue());
    }
}
