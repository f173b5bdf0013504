package io.kefu.runtime.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.GenerationParameters;
import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Picks the next token of one sequence from the model's logits, as transformers' {@code generate}
 * does: repetition penalty first ({@code RepetitionPenaltyLogitsProcessor}: over every token of the
 * prompt and of the answer so far, a positive logit is divided by the penalty, a negative one
 * multiplied), then temperature, top-k (ties with the k-th logit kept) and top-p (the smallest set
 * of most likely tokens whose mass reaches p, at least one token), then a draw from the softmax.
 * A temperature of 0 is greedy: the highest logit after the penalty, lowest id on ties.
 *
 * <p>One sampler per sequence: it remembers the tokens seen (for the penalty) and owns a
 * {@link SplittableRandom} seeded from {@link GenerationParameters#seed()}, so the same seed, prompt
 * and logits give the same tokens, alone or in a batch. Not thread-safe. All arithmetic is in double.
 */
public final class Sampler {
    private final GenerationParameters params;
    private final boolean wantLogprobs;
    private final SplittableRandom random;
    private final BitSet seen = new BitSet();
    private final int spellableIds;
    private double[] work = new double[0];

    /**
     * @param params how to sample
     * @param promptIds the prompt, for the repetition penalty
     */
    public Sampler(GenerationParameters params, int[] promptIds) {
        this(params, promptIds, Integer.MAX_VALUE);
    }

    /**
     * @param spellableIds how many ids the tokenizer has: a model's logits often cover a vocabulary padded past it (to
     *     a multiple of 64 or 128), and those ids are never picked, since no text spells them
     */
    public Sampler(GenerationParameters params, int[] promptIds, int spellableIds) {
        this.spellableIds = spellableIds;
        this.params = params;
        this.wantLogprobs = params.logprobs();
        this.random = new SplittableRandom(params.seed());
        for (int id : promptIds) {
            if (id >= 0) {
                seen.set(id);
            }
        }
    }

    /**
     * The chosen token and its log-probability.
     *
     * @param tokenId the vocabulary id
     * @param logprob natural log of its probability after repetition penalty and temperature (before
     *     top-k/top-p filtering; temperature 1 when greedy); {@code NaN} unless the parameters ask for logprobs
     */
    public record Sample(int tokenId, double logprob) {
    }

    /**
     * Picks the next token and remembers it for the repetition penalty. {@code logits} is not modified.
     *
     * @throws KefuException with {@link ErrorCode#ENGINE_FAILURE} when the logits hold NaN
     */
    public Sample next(float[] logits) {
        if (params.isGreedy() && params.repetitionPenalty() == 1.0 && !wantLogprobs) {
            int token = plainArgmax(logits);
            seen.set(token);
            return new Sample(token, Double.NaN);
        }
        double[] scores = processedScores(logits);
        double logZ = wantLogprobs ? logSumExp(scores, null) : Double.NaN;
        int token = params.isGreedy() ? argmax(scores) : draw(weights(scores));
        seen.set(token);
        return new Sample(token, wantLogprobs ? scores[token] - logZ : Double.NaN);
    }

    /**
     * @return the probabilities the next draw uses (after penalty, temperature, top-k and top-p;
     *     zero for removed tokens), without drawing or remembering anything; greedy gives 1 to the argmax
     */
    double[] distribution(float[] logits) {
        double[] scores = processedScores(logits);
        double[] p;
        if (params.isGreedy()) {
            p = new double[scores.length];
            p[argmax(scores)] = 1;
            return p;
        }
        p = weights(scores);
        double total = 0;
        for (double w : p) {
            total += w;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= total;
        }
        return p;
    }

    /** Applies the repetition penalty and the temperature (1 when greedy) into a reused buffer. */
    private double[] processedScores(float[] logits) {
        int n = logits.length;
        if (work.length != n) {
            work = new double[n];
        }
        double[] scores = work;
        double penalty = params.repetitionPenalty();
        double temperature = params.isGreedy() ? 1.0 : params.temperature();
        for (int i = 0; i < n; i++) {
            double s = logits[i];
            if (Double.isNaN(s)) {
                throw nanLogits(i);
            }
            if (penalty != 1.0 && seen.get(i)) {
                s = s < 0 ? s * penalty : s / penalty;
            }
            scores[i] = i < spellableIds ? s / temperature : Double.NEGATIVE_INFINITY;
        }
        return scores;
    }

    /** @return unnormalised weights exp(score - max) of the tokens top-k and top-p keep, 0 for the others */
    private double[] weights(double[] scores) {
        int n = scores.length;
        boolean[] keep = new boolean[n];
        Arrays.fill(keep, true);
        int topK = params.topK();
        if (topK > 0 && topK < n) {
            double kth = kthLargest(scores, topK);
            for (int i = 0; i < n; i++) {
                keep[i] = scores[i] >= kth;
            }
        }
        if (params.topP() < 1.0) {
            applyTopP(scores, keep, params.topP());
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (keep[i] && scores[i] > max) {
                max = scores[i];
            }
        }
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            if (keep[i]) {
                p[i] = Math.exp(scores[i] - max);
            }
        }
        return p;
    }

    private int draw(double[] p) {
        double total = 0;
        for (double w : p) {
            total += w;
        }
        double u = random.nextDouble() * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                cumulative += p[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last;
    }

    /**
     * transformers' TopPLogitsWarper: drop tokens whose ascending cumulative mass is at most 1 - p,
     * i.e. keep a token when the mass of the tokens ranked above it is below p.
     */
    private static void applyTopP(double[] scores, boolean[] keep, double topP) {
        int n = scores.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (keep[i] && scores[i] > max) {
                max = scores[i];
            }
        }
        double[] w = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (keep[i]) {
                w[i] = Math.exp(scores[i] - max);
                total += w[i];
            }
        }
        // Only the most likely tokens can be in the nucleus: rank just those whose weight reaches a
        // threshold, lowered until they hold mass p (every token below it ranks after all of them).
        long[] order = null;
        int candidates = 0;
        for (double threshold = 1e-4; order == null; threshold *= 1e-4) {
            boolean last = threshold < 1e-300;
            double mass = 0;
            candidates = 0;
            for (int i = 0; i < n; i++) {
                if (keep[i] && (last || w[i] >= threshold)) {
                    mass += w[i];
                    candidates++;
                }
            }
            if (mass / total >= topP || last) {
                order = new long[candidates];
                int j = 0;
                for (int i = 0; i < n; i++) {
                    if (keep[i] && (last || w[i] >= threshold)) {
                        order[j++] = ((long) descendingKey((float) scores[i]) << 32) | i;
                    }
                }
            }
        }
        // by descending score, ties by id; the reference ranks float32 scores too
        Arrays.sort(order);
        boolean[] inNucleus = new boolean[n];
        double before = 0;
        for (int i = 0; i < candidates; i++) {
            int id = (int) order[i];
            if (i == 0 || before < topP) {
                inNucleus[id] = true;
            }
            before += w[id] / total;
        }
        for (int i = 0; i < n; i++) {
            keep[i] = keep[i] && inNucleus[i];
        }
    }

    /** @return an unsigned-comparable int that sorts floats from largest to smallest (as a signed long high word) */
    private static int descendingKey(float f) {
        int bits = Float.floatToIntBits(f);
        int ascending = bits >= 0 ? bits ^ 0x80000000 : ~bits; // unsigned order == float order
        return ~ascending ^ 0x80000000; // flip to descending, then bias so signed comparison works
    }

    /** @return the k-th largest score, with a min-heap of the k largest seen */
    private static double kthLargest(double[] scores, int k) {
        double[] heap = new double[k];
        int size = 0;
        for (double s : scores) {
            if (size < k) {
                heap[size] = s;
                siftUp(heap, size++);
            } else if (s > heap[0]) {
                heap[0] = s;
                siftDown(heap, k);
            }
        }
        return heap[0];
    }

    private static void siftUp(double[] heap, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (heap[parent] <= heap[i]) {
                return;
            }
            double t = heap[parent];
            heap[parent] = heap[i];
            heap[i] = t;
            i = parent;
        }
    }

    private static void siftDown(double[] heap, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int min = i;
            if (l < size && heap[l] < heap[min]) {
                min = l;
            }
            if (r < size && heap[r] < heap[min]) {
                min = r;
            }
            if (min == i) {
                return;
            }
            double t = heap[min];
            heap[min] = heap[i];
            heap[i] = t;
            i = min;
        }
    }

    /**
     * The greedy pick when nothing changes the scores: the same token as {@link #argmax} of
     * {@link #processedScores}, without widening a vocabulary of logits to doubles for every row at
     * every step of a running batch.
     */
    private int plainArgmax(float[] logits) {
        int limit = Math.min(logits.length, spellableIds);
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < limit; i++) {
            float v = logits[i];
            // one comparison per logit (twice as fast at a 128k vocabulary): false for a larger value and for NaN
            if (!(v <= bestValue)) {
                if (Float.isNaN(v)) {
                    throw nanLogits(i);
                }
                best = i;
                bestValue = v;
            }
        }
        for (int i = limit; i < logits.length; i++) {
            if (Float.isNaN(logits[i])) {
                throw nanLogits(i);
            }
        }
        return best;
    }

    private static KefuException nanLogits(int tokenId) {
        return new KefuException(ErrorCode.ENGINE_FAILURE, "the model produced NaN logits (at token id " + tokenId + ")");
    }

    private static int argmax(double[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }

    /** @return log(sum(exp(scores))) in double; {@code mask} null means all */
    static double logSumExp(double[] scores, boolean[] mask) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < scores.length; i++) {
            if ((mask == null || mask[i]) && scores[i] > max) {
                max = scores[i];
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            if (mask == null || mask[i]) {
                sum += Math.exp(scores[i] - max);
            }
        }
        return max + Math.log(sum);
    }
}
