package io.kefu.eval.metrics;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * distinct-n (Li et al., 2016): distinct character n-grams divided by all character n-grams over
 * a system's answers (whitespace ignored). Low values mean the system repeats itself.
 */
public final class DistinctN {
    private DistinctN() {
    }

    /** @return distinct-n in 0..1, or 0 when the answers have no n-gram */
    public static double of(List<String> answers, int n) {
        Set<List<String>> distinct = new HashSet<>();
        long total = 0;
        for (String answer : answers) {
            StringBuilder sb = new StringBuilder();
            answer.codePoints().filter(cp -> !PythonText.isSpace(cp)).forEach(sb::appendCodePoint);
            List<String> chars = PythonText.codePoints(sb.toString());
            for (int i = 0; i + n <= chars.size(); i++) {
                distinct.add(chars.subList(i, i + n));
                total++;
            }
        }
        return total == 0 ? 0 : (double) distinct.size() / total;
    }
}
