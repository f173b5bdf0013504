package io.kefu.engine.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.Masks;
import java.util.List;

/**
 * The summed next-token cross-entropy of a right-padded micro-batch over its trained positions
 * only. Logits are computed for those positions alone, which saves the {@code [B, T, vocab]} tensor
 * that dominates memory with 128k-150k vocabularies.
 */
final class CausalLmLoss {
    private CausalLmLoss() {
    }

    /** A micro-batch ready for the model. */
    record Batch(NDArray ids, NDArray positions, NDArray mask, NDArray rows, NDArray targets, int trainedTokens, int tokens) {
    }

    /** Pads the sequences on the right to the longest and collects the trained positions. */
    static Batch batch(NDManager manager, List<TokenSequence> sequences) {
        int b = sequences.size();
        int t = 0;
        int trained = 0;
        int tokens = 0;
        for (TokenSequence s : sequences) {
            t = Math.max(t, s.length());
            trained += s.trainedTokens();
            tokens += s.length();
        }
        long[] ids = new long[b * t];
        long[] pos = new long[b * t];
        long[] rows = new long[trained];
        long[] targets = new long[trained];
        int n = 0;
        for (int r = 0; r < b; r++) {
            TokenSequence s = sequences.get(r);
            for (int i = 0; i < t; i++) {
                ids[r * t + i] = i < s.length() ? s.inputIds()[i] : 0;
                pos[r * t + i] = i;
            }
            for (int i = 0; i + 1 < s.length(); i++) {
                int label = s.labels()[i + 1];
                if (label != TokenSequence.IGNORE) {
                    rows[n] = (long) r * t + i;
                    targets[n++] = label;
                }
            }
        }
        return new Batch(manager.create(ids, new Shape(b, t)), manager.create(pos, new Shape(b, t)),
                Masks.causal(manager, t), manager.create(rows, new Shape(trained)),
                manager.create(targets, new Shape(trained, 1)), trained, tokens);
    }

    /** @return the summed negative log-likelihood of the trained tokens, a 0-d array */
    static NDArray sum(DecoderModel model, LoraWeights lora, Batch batch, boolean training) {
        NDArray hidden = model.hidden(batch.ids(), batch.positions(), batch.mask(), null, lora, training);
        long width = hidden.getShape().get(2);
        NDArray flat = hidden.reshape(-1, width);
        NDArray picked = flat.get(new NDIndex("{}", batch.rows()));
        NDArray logProbs = model.logits(picked).logSoftmax(-1);
        return logProbs.gather(batch.targets(), 1).sum().neg();
    }
}
