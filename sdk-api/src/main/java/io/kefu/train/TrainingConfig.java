package io.kefu.train;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How to fine-tune. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: LoRA with {@link LoraConfig} defaults (set {@link Builder#fullFineTune()} to train
 * every weight instead), {@code epochs=3}, {@code learningRate=2e-4}, {@code batchSize=4},
 * {@code gradientAccumulation=4}, {@code schedule=COSINE}, {@code warmupRatio=0.0},
 * {@code weightDecay=0.0}, {@code maxGradNorm=1.0}, {@code maxLength=1024}, {@code seed=42},
 * {@code trainOnPrompt=false}, no checkpoint directory, {@code checkpointEverySteps=0} (only at
 * epoch ends when a directory is set), {@code earlyStoppingPatience=0} (off),
 * {@code logEverySteps=1}, {@code maxNonFiniteSteps=3}, no {@code initAdapter} (LoRA starts from
 * PEFT's initialisation); {@code method=SFT} and, for {@link TrainingMethod#DPO},
 * {@code prefLoss=SIGMOID}, {@code prefBeta=0.1}, {@code labelSmoothing=0.0}, {@code prefFtx=0.0},
 * {@code simpoGamma=0.5} (LLaMA-Factory's defaults); {@code baseDtype=AUTO}, {@code quantization=NONE},
 * {@code gradientCheckpointing=false}, {@code fp16=false}.
 */
public final class TrainingConfig {
    private final LoraConfig lora;
    private final int epochs;
    private final double learningRate;
    private final int batchSize;
    private final int gradientAccumulation;
    private final Schedule schedule;
    private final double warmupRatio;
    private final double weightDecay;
    private final double maxGradNorm;
    private final int maxLength;
    private final long seed;
    private final boolean trainOnPrompt;
    private final Path checkpointDir;
    private final int checkpointEverySteps;
    private final int earlyStoppingPatience;
    private final int logEverySteps;
    private final int maxNonFiniteSteps;
    private final TrainingMethod method;
    private final PreferenceLoss prefLoss;
    private final double prefBeta;
    private final double labelSmoothing;
    private final double prefFtx;
    private final double simpoGamma;
    private final Path initAdapter;
    private final BaseDtype baseDtype;
    private final WeightQuantization quantization;
    private final boolean gradientCheckpointing;
    private final boolean fp16;

    private TrainingConfig(Builder b) {
        this.lora = b.lora;
        this.epochs = b.epochs;
        this.learningRate = b.learningRate;
        this.batchSize = b.batchSize;
        this.gradientAccumulation = b.gradientAccumulation;
        this.schedule = b.schedule;
        this.warmupRatio = b.warmupRatio;
        this.weightDecay = b.weightDecay;
        this.maxGradNorm = b.maxGradNorm;
        this.maxLength = b.maxLength;
        this.seed = b.seed;
        this.trainOnPrompt = b.trainOnPrompt;
        this.checkpointDir = b.checkpointDir;
        this.checkpointEverySteps = b.checkpointEverySteps;
        this.earlyStoppingPatience = b.earlyStoppingPatience;
        this.logEverySteps = b.logEverySteps;
        this.maxNonFiniteSteps = b.maxNonFiniteSteps;
        this.method = b.method;
        this.prefLoss = b.prefLoss;
        this.prefBeta = b.prefBeta;
        this.labelSmoothing = b.labelSmoothing;
        this.prefFtx = b.prefFtx;
        this.simpoGamma = b.simpoGamma;
        this.initAdapter = b.initAdapter;
        this.baseDtype = b.baseDtype;
        this.quantization = b.quantization;
        this.gradientCheckpointing = b.gradientCheckpointing;
        this.fp16 = b.fp16;
    }

    /** @return a builder holding the defaults listed in the class javadoc */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that starts from this config */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.lora = lora;
        return b.epochs(epochs).learningRate(learningRate).batchSize(batchSize)
                .gradientAccumulation(gradientAccumulation).schedule(schedule).warmupRatio(warmupRatio)
                .weightDecay(weightDecay).maxGradNorm(maxGradNorm).maxLength(maxLength).seed(seed)
                .trainOnPrompt(trainOnPrompt).checkpointDir(checkpointDir).checkpointEverySteps(checkpointEverySteps)
                .earlyStoppingPatience(earlyStoppingPatience).logEverySteps(logEverySteps)
                .maxNonFiniteSteps(maxNonFiniteSteps).method(method).prefLoss(prefLoss).prefBeta(prefBeta)
                .labelSmoothing(labelSmoothing).prefFtx(prefFtx).simpoGamma(simpoGamma).initAdapter(initAdapter)
                .baseDtype(baseDtype).quantization(quantization).gradientCheckpointing(gradientCheckpointing).fp16(fp16);
    }

    /** @return the LoRA settings, or empty for full fine-tuning */
    public Optional<LoraConfig> lora() { return Optional.ofNullable(lora); }

    /** @return true when every weight is trained */
    public boolean isFullFineTune() { return lora == null; }

    /** @return passes over the training data (default 3) */
    public int epochs() { return epochs; }

    /** @return peak learning rate of AdamW (default 2e-4) */
    public double learningRate() { return learningRate; }

    /** @return examples per micro-batch (default 4) */
    public int batchSize() { return batchSize; }

    /** @return micro-batches per optimiser step (default 4) */
    public int gradientAccumulation() { return gradientAccumulation; }

    /** @return decay after warmup (default COSINE) */
    public Schedule schedule() { return schedule; }

    /** @return share of optimiser steps spent warming up linearly from 0 (default 0.0) */
    public double warmupRatio() { return warmupRatio; }

    /** @return AdamW decoupled weight decay (default 0.0) */
    public double weightDecay() { return weightDecay; }

    /** @return global gradient-norm clip; 0 means off (default 1.0) */
    public double maxGradNorm() { return maxGradNorm; }

    /** @return longest tokenized example; longer ones follow the dataset's truncate-or-drop policy (default 1024) */
    public int maxLength() { return maxLength; }

    /** @return seed for initialisation, shuffling and dropout (default 42) */
    public long seed() { return seed; }

    /** @return whether prompt tokens contribute to the loss (default false: assistant turns only) */
    public boolean trainOnPrompt() { return trainOnPrompt; }

    /** @return where checkpoints go, or empty for none */
    public Optional<Path> checkpointDir() { return Optional.ofNullable(checkpointDir); }

    /** @return optimiser steps between checkpoints; 0 means epoch ends only (default 0) */
    public int checkpointEverySteps() { return checkpointEverySteps; }

    /** @return epochs without validation improvement before stopping; 0 means off (default 0) */
    public int earlyStoppingPatience() { return earlyStoppingPatience; }

    /** @return optimiser steps between step events (default 1) */
    public int logEverySteps() { return logEverySteps; }

    /**
     * @return optimiser steps in a row whose loss or gradient norm is NaN or infinite before the run
     *     stops with an error (default 3); such a step never touches a weight and is counted as skipped
     */
    public int maxNonFiniteSteps() { return maxNonFiniteSteps; }

    /** @return what the run learns from: answers (SFT) or chosen/rejected pairs (DPO) */
    public TrainingMethod method() { return method; }

    /** @return the preference loss of a {@link TrainingMethod#DPO} run */
    public PreferenceLoss prefLoss() { return prefLoss; }

    /** @return beta of the preference loss: how far the trained model may move from the reference (LLaMA-Factory's {@code pref_beta}) */
    public double prefBeta() { return prefBeta; }

    /** @return the share of preference labels assumed flipped, for {@link PreferenceLoss#SIGMOID} (TRL's {@code label_smoothing}) */
    public double labelSmoothing() { return labelSmoothing; }

    /**
     * @return the weight of the chosen answer's SFT loss added to the preference loss (LLaMA-Factory's
     *     {@code pref_ftx}); that loss is the chosen answer's negative log-likelihood averaged over its
     *     tokens, then over the pairs
     */
    public double prefFtx() { return prefFtx; }

    /** @return the target reward margin of {@link PreferenceLoss#SIMPO} (LLaMA-Factory's {@code simpo_gamma}) */
    public double simpoGamma() { return simpoGamma; }

    /**
     * @return the saved LoRA adapter (PEFT layout) whose weights the run starts from instead of PEFT's
     *     initialisation, or empty (the default); the adapter must have this config's rank, alpha,
     *     rsLoRA scaling and targets, and belong to the base model being trained
     */
    public Optional<Path> initAdapter() { return Optional.ofNullable(initAdapter); }

    /**
     * @return the dtype the frozen base is stored in while an adapter trains (default AUTO, the
     *     checkpoint's); an engine computes in fp32 where the hardware is slow in 16 bits, widening one
     *     layer at a time
     */
    public BaseDtype baseDtype() { return baseDtype; }

    /** @return how the frozen linear weights are quantized (default NONE; NF4 is QLoRA) */
    public WeightQuantization quantization() { return quantization; }

    /**
     * @return whether each decoder layer's activations are dropped after the forward pass and
     *     recomputed in backward (default false): less memory, about one more forward pass of time
     */
    public boolean gradientCheckpointing() { return gradientCheckpointing; }

    /**
     * @return whether the matrix products run in fp16 with dynamic loss scaling (default false), as
     *     transformers' {@code fp16=True}: norms, rotary embeddings, softmax, the output head, the loss
     *     and the trained weights stay fp32. Made for GPUs; on a CPU fp16 products are slow.
     */
    public boolean fp16() { return fp16; }

    @Override
    public String toString() {
        return "TrainingConfig[" + (lora == null ? "full" : lora) + ", epochs=" + epochs + ", lr=" + learningRate
                + ", batch=" + batchSize + "x" + gradientAccumulation + ", schedule=" + schedule
                + ", warmupRatio=" + warmupRatio + ", weightDecay=" + weightDecay + ", maxGradNorm=" + maxGradNorm
                + ", maxLength=" + maxLength + ", seed=" + seed + ", trainOnPrompt=" + trainOnPrompt
                + ", checkpointDir=" + checkpointDir + ", checkpointEverySteps=" + checkpointEverySteps
                + ", earlyStoppingPatience=" + earlyStoppingPatience
                + (method == TrainingMethod.SFT ? "" : ", method=" + method + ", prefLoss=" + prefLoss + ", prefBeta=" + prefBeta
                        + ", labelSmoothing=" + labelSmoothing + ", prefFtx=" + prefFtx + ", simpoGamma=" + simpoGamma)
                + (initAdapter == null ? "" : ", initAdapter=" + initAdapter)
                + ", baseDtype=" + baseDtype + ", quantization=" + quantization
                + ", gradientCheckpointing=" + gradientCheckpointing + (fp16 ? ", fp16=true" : "") + "]";
    }

    /** Builds a {@link TrainingConfig}; {@link #build()} validates every field. */
    public static final class Builder {
        private LoraConfig lora = LoraConfig.builder().build();
        private int epochs = 3;
        private double learningRate = 2e-4;
        private int batchSize = 4;
        private int gradientAccumulation = 4;
        private Schedule schedule = Schedule.COSINE;
        private double warmupRatio = 0.0;
        private double weightDecay = 0.0;
        private double maxGradNorm = 1.0;
        private int maxLength = 1024;
        private long seed = 42;
        private boolean trainOnPrompt = false;
        private Path checkpointDir;
        private int checkpointEverySteps = 0;
        private int earlyStoppingPatience = 0;
        private int logEverySteps = 1;
        private int maxNonFiniteSteps = 3;
        private TrainingMethod method = TrainingMethod.SFT;
        private PreferenceLoss prefLoss = PreferenceLoss.SIGMOID;
        private double prefBeta = 0.1;
        private double labelSmoothing = 0.0;
        private double prefFtx = 0.0;
        private double simpoGamma = 0.5;
        private Path initAdapter;
        private BaseDtype baseDtype = BaseDtype.AUTO;
        private WeightQuantization quantization = WeightQuantization.NONE;
        private boolean gradientCheckpointing = false;
        private boolean fp16 = false;

        private Builder() {
        }

        /** Trains LoRA adapters with these settings (the default, with {@link LoraConfig} defaults). */
        public Builder lora(LoraConfig value) { this.lora = Objects.requireNonNull(value, "lora"); return this; }

        /** Trains every weight instead of LoRA adapters. */
        public Builder fullFineTune() { this.lora = null; return this; }

        /** @param value at least 1 (default 3) */
        public Builder epochs(int value) { this.epochs = value; return this; }

        /** @param value positive (default 2e-4) */
        public Builder learningRate(double value) { this.learningRate = value; return this; }

        /** @param value at least 1 (default 4) */
        public Builder batchSize(int value) { this.batchSize = value; return this; }

        /** @param value at least 1 (default 4) */
        public Builder gradientAccumulation(int value) { this.gradientAccumulation = value; return this; }

        /** @param value decay after warmup (default COSINE) */
        public Builder schedule(Schedule value) { this.schedule = Objects.requireNonNull(value, "schedule"); return this; }

        /** @param value in [0, 1) (default 0.0) */
        public Builder warmupRatio(double value) { this.warmupRatio = value; return this; }

        /** @param value at least 0 (default 0.0) */
        public Builder weightDecay(double value) { this.weightDecay = value; return this; }

        /** @param value 0 for off, otherwise positive (default 1.0) */
        public Builder maxGradNorm(double value) { this.maxGradNorm = value; return this; }

        /** @param value at least 8 (default 1024) */
        public Builder maxLength(int value) { this.maxLength = value; return this; }

        /** @param value the seed (default 42) */
        public Builder seed(long value) { this.seed = value; return this; }

        /** @param value whether prompt tokens are trained too (default false) */
        public Builder trainOnPrompt(boolean value) { this.trainOnPrompt = value; return this; }

        /** @param value checkpoint directory, or null for none (default none) */
        public Builder checkpointDir(Path value) { this.checkpointDir = value; return this; }

        /** @param value steps between checkpoints, 0 for epoch ends only (default 0) */
        public Builder checkpointEverySteps(int value) { this.checkpointEverySteps = value; return this; }

        /** @param value epochs without improvement before stopping, 0 for off (default 0) */
        public Builder earlyStoppingPatience(int value) { this.earlyStoppingPatience = value; return this; }

        /** @param value steps between step events, at least 1 (default 1) */
        public Builder logEverySteps(int value) { this.logEverySteps = value; return this; }

        /** @param value non-finite steps in a row that stop the run, at least 1 (default 3) */
        public Builder maxNonFiniteSteps(int value) { this.maxNonFiniteSteps = value; return this; }

        /** @param value SFT or DPO (default SFT) */
        public Builder method(TrainingMethod value) { this.method = Objects.requireNonNull(value, "method"); return this; }

        /** @param value the preference loss (default SIGMOID) */
        public Builder prefLoss(PreferenceLoss value) { this.prefLoss = Objects.requireNonNull(value, "prefLoss"); return this; }

        /** @param value positive (default 0.1) */
        public Builder prefBeta(double value) { this.prefBeta = value; return this; }

        /** @param value in [0, 0.5), only with {@link PreferenceLoss#SIGMOID} (default 0.0) */
        public Builder labelSmoothing(double value) { this.labelSmoothing = value; return this; }

        /** @param value at least 0 (default 0.0) */
        public Builder prefFtx(double value) { this.prefFtx = value; return this; }

        /** @param value at least 0 (default 0.5) */
        public Builder simpoGamma(double value) { this.simpoGamma = value; return this; }

        /** @param value a saved LoRA adapter folder to start from, or null for PEFT's initialisation (default none) */
        public Builder initAdapter(Path value) { this.initAdapter = value; return this; }

        /** @param value the frozen base's storage dtype (default AUTO) */
        public Builder baseDtype(BaseDtype value) { this.baseDtype = Objects.requireNonNull(value, "baseDtype"); return this; }

        /** @param value quantization of the frozen linear weights (default NONE) */
        public Builder quantization(WeightQuantization value) { this.quantization = Objects.requireNonNull(value, "quantization"); return this; }

        /** @param value whether layer activations are recomputed in backward (default false) */
        public Builder gradientCheckpointing(boolean value) { this.gradientCheckpointing = value; return this; }

        /** @param value whether matrix products run in fp16 with loss scaling (default false) */
        public Builder fp16(boolean value) { this.fp16 = value; return this; }

        /**
         * @return the config
         * @throws KefuException with {@link ErrorCode#INVALID_CONFIG} naming the bad field
         */
        public TrainingConfig build() {
            check(epochs >= 1, "epochs", epochs, "must be at least 1");
            check(learningRate > 0 && Double.isFinite(learningRate), "learningRate", learningRate, "must be positive");
            check(batchSize >= 1, "batchSize", batchSize, "must be at least 1");
            check(gradientAccumulation >= 1, "gradientAccumulation", gradientAccumulation, "must be at least 1");
            check(warmupRatio >= 0 && warmupRatio < 1, "warmupRatio", warmupRatio, "must be in [0, 1)");
            check(weightDecay >= 0, "weightDecay", weightDecay, "must not be negative");
            check(maxGradNorm >= 0, "maxGradNorm", maxGradNorm, "must be 0 (off) or positive");
            check(maxLength >= 8, "maxLength", maxLength, "must be at least 8");
            check(checkpointEverySteps >= 0, "checkpointEverySteps", checkpointEverySteps, "must not be negative");
            check(earlyStoppingPatience >= 0, "earlyStoppingPatience", earlyStoppingPatience, "must not be negative");
            check(logEverySteps >= 1, "logEverySteps", logEverySteps, "must be at least 1");
            check(maxNonFiniteSteps >= 1, "maxNonFiniteSteps", maxNonFiniteSteps, "must be at least 1");
            check(prefBeta > 0 && Double.isFinite(prefBeta), "prefBeta", prefBeta, "must be positive");
            check(labelSmoothing >= 0 && labelSmoothing < 0.5, "labelSmoothing", labelSmoothing, "must be in [0, 0.5)");
            check(labelSmoothing == 0 || prefLoss == PreferenceLoss.SIGMOID, "labelSmoothing", labelSmoothing,
                    "applies to the sigmoid (DPO) loss only, not " + prefLoss);
            check(prefFtx >= 0 && Double.isFinite(prefFtx), "prefFtx", prefFtx, "must not be negative");
            check(simpoGamma >= 0 && Double.isFinite(simpoGamma), "simpoGamma", simpoGamma, "must not be negative");
            check(initAdapter == null || lora != null, "initAdapter", initAdapter,
                    "starts LoRA from an adapter, which full fine-tuning has none of");
            check(lora != null || (baseDtype != BaseDtype.FP16 && baseDtype != BaseDtype.BF16), "baseDtype", baseDtype,
                    "keeps a frozen base small; full fine-tuning trains every weight in fp32");
            check(lora != null || quantization == WeightQuantization.NONE, "quantization", quantization,
                    "quantizes a frozen base; full fine-tuning trains every weight");
            return new TrainingConfig(this);
        }

        private static void check(boolean ok, String field, Object value, String rule) {
            if (!ok) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "training config " + field + "=" + value + " " + rule);
            }
        }
    }
}
