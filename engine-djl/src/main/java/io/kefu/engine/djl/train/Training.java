package io.kefu.engine.djl.train;

import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingListener;
import java.util.List;

/** Entry point of the training package for the engine. */
public final class Training {
    private Training() {
    }

    /**
     * Trains the LoRA weights (or, with {@code lora == null}, every weight of the model) in place.
     *
     * @param fingerprint identifies the run; a checkpoint with another fingerprint is not resumed
     */
    public static void run(DecoderModel model, LoraWeights lora, TrainingConfig config, String fingerprint,
                           List<TokenSequence> train, List<TokenSequence> validation, TrainingListener listener) {
        new TrainingLoop(model, lora, config, fingerprint).run(train, validation, listener);
    }
}
