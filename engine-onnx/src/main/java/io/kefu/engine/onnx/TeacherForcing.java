package io.kefu.engine.onnx;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.generate.JoinableDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores given continuations token by token through an exported decoder (teacher forcing): after the prompt and each
 * given token, the model's most likely next token and the log-probability of the given one; then the given token is
 * fed back, whatever the model preferred. Comparing two exports of one model this way (the same inputs at every
 * position) measures how far quantization moves its predictions, which free generation would blur once the first
 * token differs.
 */
public final class TeacherForcing {
    private TeacherForcing() {
    }

    /** One continuation's scores, per given token: the model's top-1 token at that position and the given token's log-probability. */
    public record Scores(int[] top1, double[] logprobs) {
    }

    /**
     * @param prompts the prompts, unpadded and non-empty
     * @param continuations the tokens to score after each prompt, non-empty
     * @param batchSize rows decoded together
     * @return one {@link Scores} per prompt, in order
     */
    public static List<Scores> score(OnnxDecoderModel model, List<int[]> prompts, List<int[]> continuations, int batchSize) {
        if (prompts.size() != continuations.size() || batchSize < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, prompts.size() + " prompts for " + continuations.size()
                    + " continuations, batch size " + batchSize);
        }
        List<Scores> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += batchSize) {
            int to = Math.min(prompts.size(), from + batchSize);
            out.addAll(scoreBatch(model, prompts.subList(from, to), continuations.subList(from, to)));
        }
        return out;
    }

    private static List<Scores> scoreBatch(OnnxDecoderModel model, List<int[]> prompts, List<int[]> continuations) {
        int rows = prompts.size();
        int longest = 0;
        List<Scores> scores = new ArrayList<>(rows);
        for (int[] c : continuations) {
            if (c.length == 0) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "an empty continuation has nothing to score");
            }
            longest = Math.max(longest, c.length);
            scores.add(new Scores(new int[c.length], new double[c.length]));
        }
        try (JoinableDecoder decoder = model.newDecoder()) {
            float[][] logits = decoder.prefill(prompts.toArray(int[][]::new));
            for (int t = 0; t < longest; t++) {
                int[] next = new int[rows];
                for (int r = 0; r < rows; r++) {
                    int[] given = continuations.get(r);
                    if (t < given.length) {
                        scores.get(r).top1()[t] = argmax(logits[r]);
                        scores.get(r).logprobs()[t] = logSoftmaxAt(logits[r], given[t]);
                    }
                    next[r] = given[Math.min(t, given.length - 1)];
                }
                if (t + 1 < longest) {
                    logits = decoder.step(next);
                }
            }
        }
        return scores;
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    static double logSoftmaxAt(float[] logits, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return logits[token] - max - Math.log(sum);
    }
}
