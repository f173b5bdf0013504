package io.kefu.engine.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.engine.djl.torch.GradMode;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingEvent;
import io.kefu.train.TrainingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs AdamW over tokenized examples: LoRA matrices only (the base stays frozen) or every weight.
 *
 * <p>Loss: the {@link Objective}'s summed loss of the optimiser step's micro-batches divided by
 * their summed weight (for SFT the cross-entropy of every trained token divided by the number of
 * those tokens; for preference pairs the mean pair loss), so that gradient accumulation gives the
 * same gradient as one large batch (transformers' behaviour since 4.46). Gradients are clipped to
 * {@link TrainingConfig#maxGradNorm()} by global norm, as torch's {@code clip_grad_norm_} does.
 *
 * <p>Randomness has no hidden state: the data order of an epoch comes from (seed, epoch) and the
 * dropout of a micro-batch from (seed, micro-batch number), so a run resumed from a checkpoint
 * replays exactly what the uninterrupted run would have done.
 *
 * <p>Threads: libtorch's grad mode belongs to the thread, so a run sets it itself (off, and on only
 * while a gradient collector records) and restores the caller's mode when it ends; any thread may
 * run it.
 */
final class TrainingLoop<T> {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

    private final DecoderModel model;
    private final LoraWeights lora;
    private final TrainingConfig config;
    private final String fingerprint;
    private final Map<String, NDArray> trainable;
    private final Objective<T> objective;
    private double initialLossScale = LossScaler.INITIAL_SCALE;

    /**
     * @param lora the adapter to train, or null to train every weight of the model
     * @param fingerprint identifies the run, to refuse resuming another run's checkpoint
     */
    TrainingLoop(DecoderModel model, LoraWeights lora, TrainingConfig config, String fingerprint, Objective<T> objective) {
        this.objective = objective;
        this.model = model;
        this.lora = lora;
        this.config = config;
        this.fingerprint = fingerprint;
        this.trainable = new LinkedHashMap<>();
        if (lora != null) {
            List<NDArray> params = lora.parameters();
            for (NDArray p : params) {
                trainable.put(p.getName(), p);
            }
        } else {
            trainable.putAll(model.weights().all());
        }
    }

    /** @return a loop of supervised fine-tuning */
    static TrainingLoop<TokenSequence> sft(DecoderModel model, LoraWeights lora, TrainingConfig config, String fingerprint) {
        return new TrainingLoop<>(model, lora, config, fingerprint, Objective.SFT);
    }

    /** Sets the loss scale a fresh run with fp16 products starts at (default {@value LossScaler#INITIAL_SCALE}). */
    TrainingLoop<T> initialLossScale(double scale) {
        this.initialLossScale = scale;
        return this;
    }

    /** What a run produced. */
    record Result(long steps, double finalLoss, boolean stoppedEarly) {
    }

    /** @return the trained tensors by name (PEFT names for LoRA, transformers names otherwise) */
    Map<String, NDArray> trainable() {
        return trainable;
    }

    Result run(List<T> train, List<T> validation, TrainingListener listener) {
        if (train.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_DATA, "the training set has no usable examples");
        }
        long started = System.nanoTime();
        int[] lengths = train.stream().mapToInt(objective::length).toArray();
        BatchPlanner planner = new BatchPlanner(lengths, config.batchSize(), config.seed());
        int perEpoch = planner.batchesPerEpoch();
        int accum = config.gradientAccumulation();
        long stepsPerEpoch = (perEpoch + accum - 1) / accum;
        long totalSteps = stepsPerEpoch * config.epochs();
        LrSchedule schedule = new LrSchedule(config.learningRate(), config.schedule(),
                LrSchedule.warmupSteps(config.warmupRatio(), totalSteps), totalSteps);
        Optional<CheckpointStore> store = config.checkpointDir().map(CheckpointStore::new);
        Optional<MetricsLog> metrics = config.checkpointDir().map(MetricsLog::new);
        NDManager manager = model.weights().manager();
        List<NDArray> params = new ArrayList<>(trainable.values());
        for (NDArray p : params) {
            p.setRequiresGradient(true);
        }
        try (GradMode noGrad = GradMode.off(); AdamW optimizer = new AdamW(params, config.weightDecay(), manager)) {
            TrainerState state = TrainerState.fresh(fingerprint, config.seed(),
                    config.fp16() ? new LossScaler(initialLossScale, 0) : LossScaler.initial(false));
            Optional<CheckpointStore.Loaded> resume = store.flatMap(CheckpointStore::latest);
            if (resume.isPresent()) {
                state = restore(resume.get(), optimizer);
                LOG.info("resuming from {} (step {})", resume.get().directory(), state.step());
            }
            long resumedFrom = state.step();
            metrics.ifPresent(m -> m.truncateAfter(resumedFrom));
            long trainableCount = params.stream().mapToLong(NDArray::size).sum();
            listener.onEvent(new TrainingEvent.Started(totalSteps, train.size(), trainableCount,
                    model.weights().parameterCount() + (lora == null ? 0 : lora.parameterCount()), resumedFrom));
            boolean stoppedEarly = false;
            long stepsThisRun = 0;
            int nonFiniteInARow = 0;
            long skippedThisRun = 0;
            for (int epoch = state.epoch(); epoch <= config.epochs() && !stoppedEarly; epoch++) {
                List<int[]> plan = planner.plan(epoch);
                int batch = epoch == state.epoch() ? state.batchInEpoch() : 0;
                if (epoch != state.epoch()) {
                    state = new TrainerState(fingerprint, state.step(), epoch, 0, state.microBatchesDone(), 0, 0,
                            state.bestValidation(), state.epochsWithoutImprovement(), state.lastLoss(), config.seed(),
                            state.skippedSteps(), state.lossScaler());
                }
                while (batch < perEpoch) {
                    long stepStart = System.nanoTime();
                    List<List<T>> micro = new ArrayList<>();
                    for (int i = batch; i < Math.min(perEpoch, batch + accum); i++) {
                        List<T> seqs = new ArrayList<>();
                        for (int index : plan.get(i)) {
                            seqs.add(train.get(index));
                        }
                        micro.add(seqs);
                    }
                    LossScaler scaler = state.lossScaler();
                    StepOutcome out = step(micro, state.microBatchesDone(), params, optimizer, schedule.at(state.step() + 1),
                            scaler.scale());
                    batch += micro.size();
                    long step = state.step() + 1;
                    stepsThisRun++;
                    double loss = out.trainedTokens == 0 ? 0 : out.lossSum / out.trainedTokens;
                    if (out.skipped && config.fp16() && Double.isFinite(out.lossSum) && scaler.canBackOff()) {
                        // the gradients overflowed fp16 at this loss scale: skip the step and halve the scale
                        state = new TrainerState(fingerprint, step, epoch, batch, state.microBatchesDone() + micro.size(),
                                state.epochLossSum(), state.epochTokens(), state.bestValidation(),
                                state.epochsWithoutImprovement(), state.lastLoss(), config.seed(), state.skippedSteps() + 1,
                                scaler.afterOverflow());
                        LOG.info("step {}: the gradients overflowed fp16 at loss scale {}; the step is skipped and the scale is now {}",
                                step, scaler.scale(), state.lossScaler().scale());
                        continue;
                    }
                    if (out.skipped) {
                        nonFiniteInARow++;
                        skippedThisRun++;
                        state = new TrainerState(fingerprint, step, epoch, batch, state.microBatchesDone() + micro.size(),
                                state.epochLossSum(), state.epochTokens(), state.bestValidation(),
                                state.epochsWithoutImprovement(), state.lastLoss(), config.seed(), state.skippedSteps() + 1,
                                scaler.afterOverflow());
                        LOG.warn("step {}: loss {} / gradient norm {} is not finite; the step is skipped ({} in a row)",
                                step, loss, out.gradNorm, nonFiniteInARow);
                        listener.onEvent(new TrainingEvent.StepSkipped(step, loss, out.gradNorm, nonFiniteInARow, skippedThisRun));
                        if (nonFiniteInARow >= config.maxNonFiniteSteps()) {
                            throw new KefuException(ErrorCode.ENGINE_FAILURE, "training stopped at step " + step + ": "
                                    + nonFiniteInARow + " steps in a row had a non-finite loss or gradient norm (last: loss "
                                    + loss + ", gradient norm " + out.gradNorm + "); no weight was changed by them"
                                    + config.checkpointDir().map(d -> " and the last good checkpoint in " + d + " is kept").orElse("")
                                    + "; try a lower learning rate, gradient clipping, or check the data");
                        }
                        continue;
                    }
                    nonFiniteInARow = 0;
                    state = new TrainerState(fingerprint, step, epoch, batch, state.microBatchesDone() + micro.size(),
                            state.epochLossSum() + out.lossSum, state.epochTokens() + out.trainedTokens,
                            state.bestValidation(), state.epochsWithoutImprovement(), loss, config.seed(), state.skippedSteps(),
                            scaler.afterGoodStep(config.fp16()));
                    double seconds = (System.nanoTime() - stepStart) / 1e9;
                    double tokensPerSecond = out.tokens / Math.max(seconds, 1e-9);
                    double lr = schedule.at(step);
                    if (step % config.logEverySteps() == 0 || step == totalSteps) {
                        double perStep = (System.nanoTime() - started) / 1e9 / stepsThisRun;
                        Duration eta = Duration.ofMillis((long) (perStep * (totalSteps - step) * 1000));
                        listener.onEvent(new TrainingEvent.Step(step, totalSteps, epoch, loss, lr, out.gradNorm,
                                tokensPerSecond, eta));
                        long s = step;
                        int e = epoch;
                        metrics.ifPresent(m -> m.step(s, e, loss, lr, out.gradNorm, tokensPerSecond));
                    }
                    if (store.isPresent() && config.checkpointEverySteps() > 0 && step % config.checkpointEverySteps() == 0
                            && batch < perEpoch) {
                        checkpoint(store.get(), state, optimizer, listener);
                    }
                }
                double trainLoss = state.epochTokens() == 0 ? 0 : state.epochLossSum() / state.epochTokens();
                double validationLoss = validation == null || validation.isEmpty() ? Double.NaN : validationLoss(validation);
                double best = state.bestValidation();
                int without = state.epochsWithoutImprovement();
                if (!Double.isNaN(validationLoss)) {
                    if (Double.isNaN(best) || validationLoss < best) {
                        best = validationLoss;
                        without = 0;
                    } else {
                        without++;
                    }
                }
                stoppedEarly = config.earlyStoppingPatience() > 0 && without >= config.earlyStoppingPatience()
                        && epoch < config.epochs();
                listener.onEvent(new TrainingEvent.EpochEnd(epoch, trainLoss, validationLoss));
                long s = state.step();
                int e = epoch;
                metrics.ifPresent(m -> m.epoch(s, e, trainLoss, validationLoss));
                state = new TrainerState(fingerprint, state.step(), stoppedEarly ? config.epochs() + 1 : epoch + 1, 0,
                        state.microBatchesDone(), 0, 0, best, without, state.lastLoss(), config.seed(), state.skippedSteps(),
                        state.lossScaler());
                if (store.isPresent()) {
                    checkpoint(store.get(), state, optimizer, listener);
                }
            }
            metrics.ifPresent(m -> LossChart.write(m, config.checkpointDir().get()));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            listener.onEvent(new TrainingEvent.Finished(state.step(), state.lastLoss(), stoppedEarly, elapsed));
            return new Result(state.step(), state.lastLoss(), stoppedEarly);
        } finally {
            for (NDArray p : params) {
                p.setRequiresGradient(false);
            }
        }
    }

    /** One optimiser step; {@code skipped} when the loss or the gradient norm was not finite and no weight changed. */
    private record StepOutcome(double lossSum, int trainedTokens, int tokens, double gradNorm, boolean skipped) {
    }

    /** @param lossScale what the loss is multiplied by before the backward pass (fp16 products), and the gradients divided by */
    private StepOutcome step(List<List<T>> micro, long microDone, List<NDArray> params, AdamW optimizer, double lr, double lossScale) {
        int trained = 0;
        int tokens = 0;
        for (List<T> examples : micro) {
            for (T e : examples) {
                trained += objective.weight(e);
                tokens += objective.length(e);
            }
        }
        double lossSum = 0;
        NDManager parent = model.weights().manager();
        try (NDScope scope = new NDScope(); NDManager stepManager = parent.newSubManager()) {
            // a power of two times 1 / trained, rounded once: with no scaling exactly 1f / trained
            float normaliser = (float) lossScale / Math.max(1, trained);
            // the collector marks the recording; the objective runs the backward pass itself
            try (GradMode recording = GradMode.on(); GradientCollector collector = Torch.engine().newGradientCollector()) {
                for (int i = 0; i < micro.size(); i++) {
                    Torch.engine().setRandomSeed(dropoutSeed(config.seed(), microDone + i));
                    lossSum += objective.backward(model, lora, stepManager, micro.get(i), normaliser, config.gradientCheckpointing());
                }
            }
            double norm = globalNorm(gradients(params)) / lossScale;
            boolean finite = Double.isFinite(lossSum) && Double.isFinite(norm);
            if (finite) {
                clipAndUpdate(params, norm, optimizer, lr, 1 / lossScale);
            } else {
                zeroGradients(params);
            }
            return new StepOutcome(lossSum, trained, tokens, norm, !finite);
        }
    }

    /** @param unscale what the gradients are multiplied by before clipping (1 / the loss scale) */
    private void clipAndUpdate(List<NDArray> params, double norm, AdamW optimizer, double lr, double unscale) {
        try (GradMode noGrad = GradMode.off(); NDScope scope = new NDScope()) {
            double scale = unscale;
            if (config.maxGradNorm() > 0) {
                double coef = config.maxGradNorm() / (norm + 1e-6);
                if (coef < 1) {
                    scale = unscale * coef;
                }
            }
            optimizer.update(gradients(params), lr, scale);
        }
        zeroGradients(params);
    }

    private static List<NDArray> gradients(List<NDArray> params) {
        List<NDArray> grads = new ArrayList<>(params.size());
        for (NDArray p : params) {
            grads.add(p.getGradient());
        }
        return grads;
    }

    private static void zeroGradients(List<NDArray> params) {
        for (NDArray p : params) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }

    /** @return the L2 norm of all the gradients together, summed chunk by chunk (see {@link FlatChunks}) */
    static double globalNorm(List<NDArray> grads) {
        double[] squares = {0};
        for (NDArray g : grads) {
            FlatChunks.forEach(FlatChunks.DEFAULT_SIZE, c -> squares[0] += c[0].square().sum().getFloat(), g);
        }
        return Math.sqrt(squares[0]);
    }

    /** @return the mean loss (per token for SFT, per pair for preferences) of a data set, without gradients */
    double validationLoss(List<T> data) {
        List<T> sorted = new ArrayList<>(data);
        sorted.sort(Comparator.comparingInt(objective::length));
        double sum = 0;
        long tokens = 0;
        try (GradMode noGrad = GradMode.off()) {
            for (int from = 0; from < sorted.size(); from += config.batchSize()) {
                List<T> part = sorted.subList(from, Math.min(sorted.size(), from + config.batchSize()));
                int weight = part.stream().mapToInt(objective::weight).sum();
                if (weight == 0) {
                    continue;
                }
                try (NDScope scope = new NDScope(); NDManager m = model.weights().manager().newSubManager()) {
                    sum += objective.sum(model, lora, m, part);
                    tokens += weight;
                }
            }
        }
        return tokens == 0 ? Double.NaN : sum / tokens;
    }

    static int dropoutSeed(long seed, long microBatch) {
        long z = seed * 0x9E3779B97F4A7C15L + microBatch * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 31)) * 0x94D049BB133111EBL;
        return (int) (z ^ (z >>> 29)) & 0x7fffffff;
    }

    private void checkpoint(CheckpointStore store, TrainerState state, AdamW optimizer, TrainingListener listener) {
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        trainable.forEach((name, array) -> {
            float[] v = array.toFloatArray();
            for (float x : v) {
                if (!Float.isFinite(x)) {
                    throw new KefuException(ErrorCode.ENGINE_FAILURE, "training stopped at step " + state.step()
                            + ": tensor '" + name + "' holds a non-finite value, so no checkpoint is written and the last good "
                            + "one in " + config.checkpointDir().orElseThrow() + " is kept; try a lower learning rate or gradient clipping");
                }
            }
            values.put(name, v);
            shapes.put(name, array.getShape().getShape());
        });
        Path dir = store.save(state, values, shapes, optimizer.state());
        listener.onEvent(new TrainingEvent.Checkpoint(state.step(), dir));
    }

    private TrainerState restore(CheckpointStore.Loaded loaded, AdamW optimizer) {
        TrainerState state = loaded.state();
        if (!fingerprint.equals(state.fingerprint())) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, loaded.directory() + " holds a checkpoint of another run "
                    + "(different model, data or settings); use an empty checkpoint directory or the same run's settings");
        }
        for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
            float[] v = loaded.trainable().get(e.getKey());
            if (v == null || v.length != e.getValue().size()) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, loaded.directory().resolve(CheckpointStore.TRAINABLE)
                        + ": tensor '" + e.getKey() + "' is missing or misshapen");
            }
            e.getValue().set(v);
        }
        optimizer.restore(loaded.optimizer(), state.step() - state.skippedSteps());
        return state;
    }
}
