package io.kefu.eval.metrics;

import java.util.List;

/** Length of the longest common subsequence of two token lists, in O(n*m) time and O(m) memory. */
final class Lcs {
    private Lcs() {
    }

    static int length(List<String> x, List<String> y) {
        int[] prev = new int[y.size() + 1];
        int[] cur = new int[y.size() + 1];
        for (int i = 1; i <= x.size(); i++) {
            for (int j = 1; j <= y.size(); j++) {
                cur[j] = x.get(i - 1).equals(y.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[y.size()];
    }
}
