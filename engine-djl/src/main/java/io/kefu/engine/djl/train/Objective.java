package io.kefu.engine.djl.train;

import ai.djl.ndarray.NDManager;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import java.util.List;

/**
 * What a run minimises over its examples. The loss of an optimiser step is the summed loss of its
 * examples divided by their summed {@link #weight}, so that gradient accumulation gives the gradient
 * of one large batch.
 *
 * @param <T> the example type
 */
interface Objective<T> {
    /** @return the tokens the example runs through the model: for length-grouped batching and throughput */
    int length(T example);

    /** @return what the example's loss is summed over: its trained tokens, or 1 per pair */
    int weight(T example);

    /**
     * Runs the micro-batch forward with dropout and back-propagates {@code scale} times its summed
     * loss. Call with a gradient collector open on this thread.
     *
     * @param checkpointing whether layer activations are recomputed in backward
     * @return the summed loss
     */
    double backward(DecoderModel model, LoraWeights lora, NDManager manager, List<T> micro, float scale, boolean checkpointing);

    /** @return the summed loss of a batch, without gradients or dropout */
    double sum(DecoderModel model, LoraWeights lora, NDManager manager, List<T> batch);

    /** Supervised fine-tuning: the cross-entropy of every trained token ({@link CausalLmLoss}). */
    Objective<TokenSequence> SFT = new Objective<>() {
        @Override
        public int length(TokenSequence example) {
            return example.length();
        }

        @Override
        public int weight(TokenSequence example) {
            return example.trainedTokens();
        }

        @Override
        public double backward(DecoderModel model, LoraWeights lora, NDManager manager, List<TokenSequence> micro, float scale,
                               boolean checkpointing) {
            CausalLmLoss.Batch batch = CausalLmLoss.batch(manager, micro);
            return batch.trainedTokens() == 0 ? 0 : CausalLmLoss.backward(model, lora, batch, scale, checkpointing);
        }

        @Override
        public double sum(DecoderModel model, LoraWeights lora, NDManager manager, List<TokenSequence> batch) {
            CausalLmLoss.Batch b = CausalLmLoss.batch(manager, batch);
            return b.trainedTokens() == 0 ? 0 : CausalLmLoss.sum(model, lora, b);
        }
    };
}
