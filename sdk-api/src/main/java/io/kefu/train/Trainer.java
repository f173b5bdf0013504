package io.kefu.train;

import io.kefu.data.Dataset;
import io.kefu.model.BaseModel;

/**
 * Fine-tunes a {@link BaseModel}, created by an engine with a {@link TrainingConfig}.
 */
public interface Trainer {
    /** @return the config this trainer runs with */
    TrainingConfig config();

    /**
     * Trains on {@code train}, reporting to the listener, and returns the adapter (for full
     * fine-tuning, the base model's weights are updated in place and the returned adapter is
     * empty). With a checkpoint directory holding a checkpoint of the same run, training resumes
     * from it and ends with the same result as an uninterrupted run. With
     * {@link TrainingConfig#initAdapter()}, LoRA starts from that adapter's saved weights; an adapter
     * whose rank, alpha, targets or base model differ from the run's is refused with
     * {@link io.kefu.ErrorCode#INVALID_CONFIG} naming the difference.
     *
     * @param base the model to tune
     * @param train training examples
     * @param validation examples for the per-epoch validation loss, or null for none
     * @param listener progress events
     */
    Adapter fit(BaseModel base, Dataset train, Dataset validation, TrainingListener listener);

    /** Trains without a validation set. */
    default Adapter fit(BaseModel base, Dataset train, TrainingListener listener) {
        return fit(base, train, null, listener);
    }
}
