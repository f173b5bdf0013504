package io.kefu.engine.djl.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.torch.GradMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Preference training over chosen/rejected pairs ({@link PreferenceMath}): a micro-batch runs its
 * chosen and rejected sequences through the model together, as TRL does, and the loss's gradient
 * with respect to each answer token's log-probability, {@code dL/dlogp(answer)}, goes to
 * {@link CausalLmLoss} as a {@link CausalLmLoss.RowLoss}, so no {@code [rows, vocab]} log-softmax
 * tensor enters the graph.
 *
 * <p>The reference of DPO is the model as the run starts (base plus starting adapter, frozen, no
 * dropout): its log-probabilities are computed once, before the first step ({@link #withReference}),
 * so no second copy of the model is held.
 */
final class PreferenceObjective implements Objective<PreferencePair> {
    private final PreferenceMath math;

    PreferenceObjective(PreferenceMath math) {
        this.math = math;
    }

    @Override
    public int length(PreferencePair pair) {
        return pair.chosen().length() + pair.rejected().length();
    }

    @Override
    public int weight(PreferencePair pair) {
        return 1;
    }

    @Override
    public double backward(DecoderModel model, LoraWeights lora, NDManager manager, List<PreferencePair> micro, float scale,
                           boolean checkpointing) {
        CausalLmLoss.Batch batch = CausalLmLoss.batch(manager, sequences(micro));
        int[] rowsPerSequence = rowsPerSequence(micro);
        return CausalLmLoss.backward(model, lora, batch, (rows, perRow) -> {
            double[] logProbs = sumPerSequence(rows, rowsPerSequence);
            double[] gradient = new double[logProbs.length];
            double loss = 0;
            int n = micro.size();
            for (int i = 0; i < n; i++) {
                PreferenceMath.Outcome out = outcome(micro.get(i), logProbs[i], logProbs[n + i]);
                loss += out.loss();
                gradient[i] = out.dChosen() * scale;
                gradient[n + i] = out.dRejected() * scale;
            }
            int row = 0;
            for (int s = 0; s < rowsPerSequence.length; s++) {
                for (int k = 0; k < rowsPerSequence[s]; k++) {
                    perRow[row++] = (float) gradient[s];
                }
            }
            return loss;
        }, checkpointing);
    }

    @Override
    public double sum(DecoderModel model, LoraWeights lora, NDManager manager, List<PreferencePair> batch) {
        double[] logProbs = logProbs(model, lora, manager, sequences(batch));
        int n = batch.size();
        double loss = 0;
        for (int i = 0; i < n; i++) {
            loss += outcome(batch.get(i), logProbs[i], logProbs[n + i]).loss();
        }
        return loss;
    }

    private PreferenceMath.Outcome outcome(PreferencePair pair, double chosen, double rejected) {
        return math.pair(chosen, rejected, pair.chosen().trainedTokens(), pair.rejected().trainedTokens(),
                pair.refChosen(), pair.refRejected());
    }

    /** @return the pairs with their reference log-probabilities under the model as it is now (DPO only; others as given) */
    List<PreferencePair> withReference(DecoderModel model, LoraWeights lora, List<PreferencePair> pairs, int batchSize) {
        if (!math.needsReference()) {
            return pairs;
        }
        List<PreferencePair> out = new ArrayList<>(pairs.size());
        for (int from = 0; from < pairs.size(); from += batchSize) {
            List<PreferencePair> part = pairs.subList(from, Math.min(pairs.size(), from + batchSize));
            try (NDScope scope = new NDScope(); NDManager m = model.weights().manager().newSubManager()) {
                double[] logProbs = logProbs(model, lora, m, sequences(part));
                for (int i = 0; i < part.size(); i++) {
                    out.add(part.get(i).withReference(logProbs[i], logProbs[part.size() + i]));
                }
            }
        }
        return out;
    }

    /** @return each sequence's summed log-probability of its trained tokens, without gradients or dropout */
    static double[] logProbs(DecoderModel model, LoraWeights lora, NDManager manager, List<TokenSequence> sequences) {
        try (GradMode noGrad = GradMode.off()) {
            CausalLmLoss.Batch batch = CausalLmLoss.batch(manager, sequences);
            int[] counts = new int[sequences.size()];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = sequences.get(i).trainedTokens();
            }
            return sumPerSequence(CausalLmLoss.rowLogProbs(model, lora, batch), counts);
        }
    }

    /** The chosen sequences, then the rejected ones, as TRL's concatenated forward orders them. */
    private static List<TokenSequence> sequences(List<PreferencePair> pairs) {
        List<TokenSequence> out = new ArrayList<>(2 * pairs.size());
        pairs.forEach(p -> out.add(p.chosen()));
        pairs.forEach(p -> out.add(p.rejected()));
        return out;
    }

    private static int[] rowsPerSequence(List<PreferencePair> pairs) {
        int n = pairs.size();
        int[] out = new int[2 * n];
        for (int i = 0; i < n; i++) {
            out[i] = pairs.get(i).chosen().trainedTokens();
            out[n + i] = pairs.get(i).rejected().trainedTokens();
        }
        return out;
    }

    /** {@link CausalLmLoss#batch} lists trained rows sequence by sequence, so each sequence's rows are contiguous. */
    private static double[] sumPerSequence(float[] rows, int[] counts) {
        double[] out = new double[counts.length];
        int row = 0;
        for (int s = 0; s < counts.length; s++) {
            for (int k = 0; k < counts[s]; k++) {
                out[s] += rows[row++];
            }
        }
        return out;
    }
}
