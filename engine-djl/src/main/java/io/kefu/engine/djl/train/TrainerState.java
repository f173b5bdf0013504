package io.kefu.engine.djl.train;

/**
 * Where a run stands after an optimiser step; saved in every checkpoint as {@code trainer_state.json}.
 *
 * @param fingerprint identifies the run (config, data, model); a checkpoint of another run is not resumed
 * @param step optimiser steps done
 * @param epoch the 1-based epoch the next micro-batch belongs to
 * @param batchInEpoch micro-batches of that epoch already trained (the data position)
 * @param microBatchesDone micro-batches trained in total (seeds the dropout of the next one)
 * @param epochLossSum summed token loss of the epoch so far
 * @param epochTokens trained tokens of the epoch so far
 * @param bestValidation lowest validation loss seen, or NaN
 * @param epochsWithoutImprovement epochs since the best validation loss
 * @param lastLoss loss of the last step
 * @param seed the run's seed (shuffling, dropout)
 * @param skippedSteps optimiser steps skipped for a non-finite loss or gradient norm, or for
 *     gradients that overflowed fp16 (AdamW's own step count is {@code step - skippedSteps})
 * @param lossScaler the loss scale of fp16 products (1 without them); null in a checkpoint written
 *     before it was saved, read as 1
 */
record TrainerState(String fingerprint, long step, int epoch, int batchInEpoch, long microBatchesDone,
                    double epochLossSum, long epochTokens, double bestValidation, int epochsWithoutImprovement,
                    double lastLoss, long seed, long skippedSteps, LossScaler lossScaler) {
    TrainerState {
        if (lossScaler == null) {
            lossScaler = LossScaler.initial(false);
        }
    }

    static TrainerState fresh(String fingerprint, long seed, LossScaler lossScaler) {
        return new TrainerState(fingerprint, 0, 1, 0, 0, 0, 0, Double.NaN, 0, Double.NaN, seed, 0, lossScaler);
    }
}
