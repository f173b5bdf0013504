package io.kefu.engine.djl.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingEvent;
import io.kefu.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the training package for the engine. */
public final class Training {
    private static final Logger LOG = LoggerFactory.getLogger(Training.class);

    private Training() {
    }

    /**
     * Trains the LoRA weights (or, with {@code lora == null}, every weight of the model) in place.
     *
     * @param fingerprint identifies the run; a checkpoint with another fingerprint is not resumed
     */
    public static void run(DecoderModel model, LoraWeights lora, TrainingConfig config, String fingerprint,
                           List<TokenSequence> train, List<TokenSequence> validation, TrainingListener listener) {
        try (Computing computing = Computing.as(model, config)) {
            TrainingLoop.sft(computing.model(), lora, config, fingerprint).run(train, validation, listener);
        }
    }

    /** The model a run computes with: the given one, or a view of it with fp16 products ({@link TrainingConfig#fp16()}). */
    private record Computing(DecoderModel model, boolean owned) implements AutoCloseable {
        static Computing as(DecoderModel model, TrainingConfig config) {
            if (!config.fp16()) {
                return new Computing(model, false);
            }
            if (!model.weights().manager().getDevice().isGpu()) {
                LOG.warn("fp16 products on a CPU: libtorch's CPU build computes them far slower than fp32 ones (about 1 "
                        + "GFLOP/s against 150 measured on a 2-core machine); fp16 is meant for GPUs");
            }
            return new Computing(model.withFp16Products(), true);
        }

        @Override
        public void close() {
            if (owned) {
                model.close();
            }
        }
    }

    /**
     * Trains on chosen/rejected pairs with {@link TrainingConfig#prefLoss()}, in place. The reference
     * of DPO is the model as given here (base plus the adapter as it starts, frozen): its
     * log-probabilities are computed before the first step, so a resumed run compares with the same
     * reference only when it starts from the same adapter (the fingerprint should say so).
     */
    public static void runPreference(DecoderModel model, LoraWeights lora, TrainingConfig config, String fingerprint,
                                     List<PreferencePair> train, List<PreferencePair> validation, TrainingListener listener) {
        try (Computing computing = Computing.as(model, config)) {
            DecoderModel m = computing.model();
            PreferenceObjective objective = new PreferenceObjective(PreferenceMath.of(config));
            List<PreferencePair> trainSet = objective.withReference(m, lora, train, config.batchSize());
            List<PreferencePair> validationSet = validation == null ? null
                    : objective.withReference(m, lora, validation, config.batchSize());
            double before = trainSet.stream().allMatch(PreferencePair::hasReference)
                    ? trainSet.stream().mapToDouble(p -> p.refChosen() - p.refRejected()).average().orElse(Double.NaN)
                    : meanMargin(m, lora, train, config.batchSize());
            new TrainingLoop<>(m, lora, config, fingerprint, objective).run(trainSet, validationSet, listener);
            listener.onEvent(new TrainingEvent.PreferenceMargin(train.size(), before, meanMargin(m, lora, train, config.batchSize())));
        }
    }

    /** @return the mean of log p(chosen) - log p(rejected) over the pairs under the model as it is now */
    private static double meanMargin(DecoderModel model, LoraWeights lora, List<PreferencePair> pairs, int batchSize) {
        List<TokenSequence> sequences = new ArrayList<>(2 * pairs.size());
        pairs.forEach(p -> {
            sequences.add(p.chosen());
            sequences.add(p.rejected());
        });
        double[] logProbs = logProbs(model, lora, sequences, batchSize);
        double sum = 0;
        for (int i = 0; i < pairs.size(); i++) {
            sum += logProbs[2 * i] - logProbs[2 * i + 1];
        }
        return sum / pairs.size();
    }

    /**
     * @return each sequence's summed log-probability of its trained tokens under the model (with
     *     {@code lora}, or the base alone when null), without gradients or dropout
     */
    public static double[] logProbs(DecoderModel model, LoraWeights lora, List<TokenSequence> sequences, int batchSize) {
        double[] out = new double[sequences.size()];
        for (int from = 0; from < sequences.size(); from += batchSize) {
            List<TokenSequence> part = sequences.subList(from, Math.min(sequences.size(), from + batchSize));
            try (NDScope scope = new NDScope(); NDManager m = model.weights().manager().newSubManager()) {
                double[] values = PreferenceObjective.logProbs(model, lora, m, part);
                System.arraycopy(values, 0, out, from, values.length);
            }
        }
        return out;
    }
}
