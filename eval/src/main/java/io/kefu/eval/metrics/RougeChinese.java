package io.kefu.eval.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code rouge_chinese} package's {@code Rouge().get_scores(hyp, ref)} F scores (0..1) on
 * space-separated tokens, as LLaMA-Factory calls it: the text is cut into sentences after
 * 。！？? (unless a closing quote follows), six dots or two ellipses; tokens are the space-split
 * words of all sentences; ROUGE-1/2 compare <em>sets</em> of n-grams (the package's default
 * {@code exclusive=True}, so repeats count once); ROUGE-L is the LCS of all words of the
 * prediction and the reference; every F is {@code 2PR/(P+R+1e-8)}.
 */
public final class RougeChinese {
    private static final Pattern[] CUTS = {
        Pattern.compile("([。！？?])([^”’])"),
        Pattern.compile("(\\.{6})([^”’])"),
        Pattern.compile("(…{2})([^”’])"),
        Pattern.compile("([。！？?][”’])([^，。！？?])"),
    };

    private RougeChinese() {
    }

    /**
     * @param hypothesis space-joined prediction tokens, with at least one non-space token
     * @param reference space-joined reference tokens, with at least one non-space token
     * @return rouge-1, rouge-2 and rouge-l F in 0..1
     */
    public static double[] fScores(String hypothesis, String reference) {
        List<String> h = words(hypothesis);
        List<String> r = words(reference);
        double r1 = rougeN(h, r, 1);
        double r2 = rougeN(h, r, 2);
        int lcs = Lcs.length(r, h);
        double recall = (double) lcs / r.size();
        double precision = (double) lcs / h.size();
        double rl = 2.0 * ((precision * recall) / (precision + recall + 1e-8));
        return new double[] {r1, r2, rl};
    }

    private static double rougeN(List<String> h, List<String> r, int n) {
        Set<List<String>> he = ngramSet(h, n);
        Set<List<String>> re = ngramSet(r, n);
        int overlap = 0;
        for (List<String> g : he) {
            if (re.contains(g)) {
                overlap++;
            }
        }
        double precision = he.isEmpty() ? 0.0 : (double) overlap / he.size();
        double recall = re.isEmpty() ? 0.0 : (double) overlap / re.size();
        return 2.0 * ((precision * recall) / (precision + recall + 1e-8));
    }

    private static Set<List<String>> ngramSet(List<String> words, int n) {
        Set<List<String>> set = new HashSet<>();
        for (int i = 0; i + n <= words.size(); i++) {
            set.add(words.subList(i, i + n));
        }
        return set;
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        for (String sentence : cutSentences(text)) {
            if (sentence.isEmpty()) {
                continue;
            }
            String normalised = String.join(" ", PythonText.split(sentence));
            for (String w : normalised.split(" ", -1)) {
                words.add(w);
            }
        }
        return words;
    }

    static String[] cutSentences(String para) {
        String s = para;
        for (Pattern cut : CUTS) {
            s = cut.matcher(s).replaceAll("$1\n$2");
        }
        return PythonText.rstrip(s).split("\n", -1);
    }
}
