package io.kefu.train;

import java.nio.file.Path;
import java.time.Duration;

/** What a {@link TrainingListener} hears while a {@link Trainer} runs. */
public sealed interface TrainingEvent {
    /**
     * Training begins.
     *
     * @param totalSteps optimiser steps planned
     * @param trainExamples examples in the training set after length filtering
     * @param trainableParameters parameters the optimiser updates
     * @param totalParameters all parameters, trainable or not
     * @param resumedFromStep the step a checkpoint resumed from, 0 for a fresh run
     */
    record Started(long totalSteps, int trainExamples, long trainableParameters, long totalParameters,
                   long resumedFromStep) implements TrainingEvent {
    }

    /**
     * An optimiser step finished.
     *
     * @param step 1-based optimiser step
     * @param totalSteps optimiser steps planned
     * @param epoch 1-based epoch
     * @param loss mean token loss over the step's micro-batches
     * @param learningRate learning rate used for the step
     * @param gradNorm global gradient norm before clipping
     * @param tokensPerSecond trained (non-padding) tokens per second over the step
     * @param eta estimated time left
     */
    record Step(long step, long totalSteps, int epoch, double loss, double learningRate, double gradNorm,
                double tokensPerSecond, Duration eta) implements TrainingEvent {
    }

    /**
     * An optimiser step was skipped because its loss or gradient norm was NaN or infinite; no weight
     * and no optimiser state changed. Too many in a row stop the run
     * ({@link TrainingConfig#maxNonFiniteSteps()}).
     *
     * @param step 1-based optimiser step
     * @param loss the step's loss (may be NaN or infinite)
     * @param gradNorm the step's global gradient norm (may be NaN or infinite)
     * @param inARow skipped steps in a row, this one included
     * @param skippedInRun skipped steps since this run started
     */
    record StepSkipped(long step, double loss, double gradNorm, int inARow, long skippedInRun) implements TrainingEvent {
    }

    /**
     * An epoch finished.
     *
     * @param epoch 1-based epoch
     * @param trainLoss mean loss over the epoch
     * @param validationLoss loss on the validation set, or NaN when there is none
     */
    record EpochEnd(int epoch, double trainLoss, double validationLoss) implements TrainingEvent {
    }

    /**
     * A checkpoint was written (atomically).
     *
     * @param step the optimiser step it holds
     * @param directory where it is
     */
    record Checkpoint(long step, Path directory) implements TrainingEvent {
    }

    /**
     * Preference training ({@link TrainingMethod#DPO}) ended: how much more likely the model makes each
     * chosen answer than its rejected one, over the training pairs, as the run started and as it ends.
     * Sent after {@link Finished}.
     *
     * @param pairs the training pairs measured
     * @param marginBefore mean of {@code log p(chosen) - log p(rejected)} (summed over each answer's tokens, in nats)
     *     under the model the run started from
     * @param marginAfter the same under the trained model
     */
    record PreferenceMargin(int pairs, double marginBefore, double marginAfter) implements TrainingEvent {
    }

    /**
     * Training ended.
     *
     * @param steps optimiser steps run in total
     * @param finalLoss loss of the last step
     * @param stoppedEarly whether early stopping ended it
     * @param elapsed wall time of this run (not counting earlier runs before a resume)
     */
    record Finished(long steps, double finalLoss, boolean stoppedEarly, Duration elapsed) implements TrainingEvent {
    }
}
