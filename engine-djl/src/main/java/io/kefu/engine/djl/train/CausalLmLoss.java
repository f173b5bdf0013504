package io.kefu.engine.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.kefu.engine.djl.torch.GradMode;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.Masks;
import io.kefu.engine.djl.model.TargetLogProbs;
import java.util.List;

/**
 * The summed next-token cross-entropy of a right-padded micro-batch over its trained positions
 * only (and, through {@link RowLoss}, any loss of their target log-probabilities). Logits are
 * computed for those positions alone, which saves the {@code [B, T, vocab]} tensor that dominates
 * memory with 128k-150k vocabularies.
 *
 * <p>The softmax and its gradient are computed by hand rather than by autograd through
 * {@code logSoftmax} and {@code gather}: with a 128k vocabulary those would make three more
 * {@code [rows, vocab]} tensors per micro-batch, each hundreds of megabytes. A frozen output head
 * (LoRA) is gone through a slice of the vocabulary at a time with an online softmax
 * ({@link TargetLogProbs}), which hands autograd the gradient of the hidden rows directly. A head
 * being trained gets {@code d loss / d logp * (onehot(target) - softmax)} written over its logits
 * block by block (their values are not needed by the head's backward) as the logits' gradient.
 */
final class CausalLmLoss {
    /** Logit rows handled together: 16 rows of a 128k vocabulary are 8 MB, so a block's temporaries stay in cache. */
    private static final int BLOCK_ROWS = 16;

    private CausalLmLoss() {
    }

    /** A micro-batch ready for the model; {@code tokenIds} and {@code targetIds} hold {@code ids} and {@code targets} in Java. */
    record Batch(NDArray ids, NDArray positions, NDArray mask, NDArray rows, NDArray targets, long[] tokenIds, long[] targetIds,
                 int trainedTokens, int tokens) {
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
                manager.create(targets, new Shape(trained, 1)), ids, targets, trained, tokens);
    }

    /** @return the summed negative log-likelihood of the trained tokens, without gradients */
    static double sum(DecoderModel model, LoraWeights lora, Batch batch) {
        double sum = 0;
        for (float logProb : rowLogProbs(model, lora, batch)) {
            sum -= logProb;
        }
        return sum;
    }

    /**
     * Runs the forward pass with dropout, then back-propagates {@code scale} times the summed loss
     * into the gradients of the trained weights. Call with a gradient collector open on this thread.
     *
     * @param checkpointing whether layer activations are recomputed in backward ({@link CheckpointedLayers})
     * @return the summed negative log-likelihood of the trained tokens
     */
    static double backward(DecoderModel model, LoraWeights lora, Batch batch, float scale, boolean checkpointing) {
        return backward(model, lora, batch, negativeLogLikelihood(scale), checkpointing);
    }

    /** A loss of the trained rows' target log-probabilities. */
    interface RowLoss {
        /**
         * @param logProbs each trained row's {@code log softmax(logits)[target]}
         * @param gradient receives {@code d loss / d logProbs[row]} of each row
         * @return the loss
         */
        double apply(float[] logProbs, float[] gradient);
    }

    /** @return the summed negative log-likelihood, its gradient scaled by {@code scale} */
    static RowLoss negativeLogLikelihood(float scale) {
        return (logProbs, gradient) -> {
            double sum = 0;
            for (int i = 0; i < logProbs.length; i++) {
                sum -= logProbs[i];
                gradient[i] = -scale;
            }
            return sum;
        };
    }

    /**
     * Runs the forward pass with dropout, lets {@code loss} turn the trained rows' target
     * log-probabilities into its loss and their gradients, and back-propagates those into the
     * gradients of the trained weights. Call with a gradient collector open on this thread.
     *
     * <p>A frozen head is gone through a slice of the vocabulary at a time ({@link TargetLogProbs}),
     * which gives the gradient of the hidden rows without any {@code [rows, vocab]} array; a head
     * being trained (full fine-tuning) gets its gradient from autograd through the logits.
     *
     * @param checkpointing whether layer activations are recomputed in backward ({@link CheckpointedLayers})
     * @return what {@code loss} returned
     */
    static double backward(DecoderModel model, LoraWeights lora, Batch batch, RowLoss loss, boolean checkpointing) {
        boolean tableTrained = model.weights().frozen(DecoderModel.EMBEDDING).resident()
                && model.weights().get(DecoderModel.EMBEDDING).hasGradient();
        NDArray embeddings;
        if (tableTrained || checkpointing) {
            // looked up without a graph; the table's gradient is added by EmbeddingGradient
            try (GradMode noGrad = GradMode.off()) {
                embeddings = model.embed(batch.ids());
            }
            if (tableTrained && !checkpointing) {
                embeddings.setRequiresGradient(true);
            }
        } else {
            embeddings = model.embed(batch.ids());
        }
        CheckpointedLayers layers = checkpointing
                ? CheckpointedLayers.forward(model, embeddings, batch.positions(), batch.mask(), lora, tableTrained) : null;
        NDArray hidden = checkpointing ? layers.hidden()
                : model.layers(embeddings, batch.positions(), batch.mask(), null, lora, true);
        NDArray picked = trainedRows(hidden, batch);
        float[] gradient = new float[batch.trainedTokens()];
        double value;
        if (model.headTrained()) {
            NDArray logits = model.logits(picked);
            NDArray values = logits.stopGradient();
            try (GradMode noGrad = GradMode.off()) {
                value = loss.apply(rowLogProbs(values, batch.targetIds()), gradient);
                fillLogProbGradient(values, batch.targetIds(), gradient);
            }
            JniUtils.backward((PtNDArray) logits, (PtNDArray) values, false, false);
        } else {
            NDArray inputGradient;
            try (GradMode noGrad = GradMode.off();
                 TargetLogProbs logProbs = model.targetLogProbs(picked.stopGradient(), batch.targetIds(), true)) {
                value = loss.apply(logProbs.values(), gradient);
                inputGradient = logProbs.inputGradient(gradient);
            }
            JniUtils.backward((PtNDArray) picked, (PtNDArray) inputGradient, false, false);
        }
        NDArray embeddingGradient = checkpointing ? layers.backward() : tableTrained ? embeddings.getGradient() : null;
        if (tableTrained) {
            EmbeddingGradient.add(model.weights().get(DecoderModel.EMBEDDING), batch.tokenIds(),
                    embeddingGradient.reshape(batch.tokenIds().length, -1));
        }
        return value;
    }

    /** @return the log-probability of each trained row's target, computed without gradients and without dropout */
    static float[] rowLogProbs(DecoderModel model, LoraWeights lora, Batch batch) {
        try (GradMode noGrad = GradMode.off(); NDScope scope = new NDScope()) {
            NDArray hidden = model.layers(model.embed(batch.ids()), batch.positions(), batch.mask(), null, lora, false);
            try (TargetLogProbs logProbs = model.targetLogProbs(trainedRows(hidden, batch), batch.targetIds(), false)) {
                return logProbs.values();
            }
        }
    }

    /** @return {@code log softmax(logits)[target]} of each row, exact (no underflow) */
    static float[] rowLogProbs(NDArray logits, long[] targets) {
        long vocab = logits.getShape().get(1);
        float[] out = new float[targets.length];
        for (int from = 0; from < targets.length; from += BLOCK_ROWS) {
            int to = Math.min(targets.length, from + BLOCK_ROWS);
            try (NDScope scope = new NDScope()) {
                NDArray block = logits.get(new NDIndex("{}:{}", from, to));
                float[] picked = block.logSoftmax(-1).reshape(-1).get(new NDIndex("{}", picks(logits.getManager(), targets, from, to, vocab)))
                        .toFloatArray();
                System.arraycopy(picked, 0, out, from, to - from);
            }
        }
        return out;
    }

    /**
     * Overwrites each row of the logits with {@code weights[row] * (onehot(target) - softmax)}, the
     * gradient of {@code weights[row]} times that row's target log-probability.
     */
    static void fillLogProbGradient(NDArray logits, long[] targets, float[] weights) {
        long vocab = logits.getShape().get(1);
        NDManager manager = logits.getManager();
        for (int from = 0; from < targets.length; from += BLOCK_ROWS) {
            int to = Math.min(targets.length, from + BLOCK_ROWS);
            try (NDScope scope = new NDScope()) {
                NDArray block = logits.get(new NDIndex("{}:{}", from, to));
                NDIndex picks = new NDIndex("{}", picks(manager, targets, from, to, vocab));
                NDArray probs = block.softmax(-1);
                NDArray flat = probs.reshape(-1);
                flat.set(picks, flat.get(picks).sub(1));
                float[] w = new float[to - from];
                for (int i = from; i < to; i++) {
                    w[i - from] = -weights[i];
                }
                probs.muli(manager.create(w, new Shape(to - from, 1)));
                block.set(new NDIndex(":"), probs);
            }
        }
    }

    private static NDArray picks(NDManager manager, long[] targets, int from, int to, long vocab) {
        long[] at = new long[to - from];
        for (int i = from; i < to; i++) {
            at[i - from] = (i - from) * vocab + targets[i];
        }
        return manager.create(at);
    }

    private static NDArray trainedRows(NDArray hidden, Batch batch) {
        long width = hidden.getShape().get(2);
        return hidden.reshape(-1, width).get(new NDIndex("{}", batch.rows()));
    }
}
