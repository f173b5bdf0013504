package io.kefu.cli.quickstart;

import io.kefu.chat.GenerationParameters;
import io.kefu.eval.standard.EvaluationConfig;
import io.kefu.train.LoraConfig;
import io.kefu.train.Schedule;
import io.kefu.train.TrainingConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Every setting of {@code kefu quickstart} in one place: the LoRA run on the demo base model, how the
 * evaluation decodes, which held-out questions are asked over HTTP, and which metrics the terminal
 * table shows. The defaults suit the demo base model ({@code examples/models/demo-base}, a Qwen 3 of
 * about 3.1M parameters): training ends in about five minutes on two CPU cores.
 *
 * @param loraRank LoRA rank r
 * @param loraAlpha LoRA alpha (scale alpha / r)
 * @param loraTargets the modules adapted, or {@code all-linear}
 * @param learningRate peak learning rate
 * @param epochs passes over the training set
 * @param batchSize examples per micro-batch
 * @param gradientAccumulation micro-batches per optimiser step
 * @param maxLength longest training example in tokens (longer ones are cut)
 * @param seed seed of training and decoding
 * @param schedule learning-rate decay after warmup
 * @param warmupRatio share of steps warming up
 * @param evalMaxNewTokens longest answer in the evaluation, in tokens (greedy decoding)
 * @param evalBatchSize requests decoded together in the evaluation
 */
record QuickstartPlan(int loraRank, double loraAlpha, List<String> loraTargets, double learningRate, int epochs,
                      int batchSize, int gradientAccumulation, int maxLength, long seed, Schedule schedule,
                      double warmupRatio, int evalMaxNewTokens, int evalBatchSize) {
    static final int LORA_RANK = 16;
    static final double LORA_ALPHA = 32;
    static final List<String> LORA_TARGETS = List.of(LoraConfig.ALL_LINEAR);
    static final double LEARNING_RATE = 3e-3;
    static final int EPOCHS = 2;
    static final int BATCH_SIZE = 8;
    static final int GRADIENT_ACCUMULATION = 1;
    static final int MAX_LENGTH = 640;
    static final long SEED = 42;
    static final Schedule SCHEDULE = Schedule.COSINE;
    static final double WARMUP_RATIO = 0.05;
    static final int EVAL_MAX_NEW_TOKENS = 96;
    static final int EVAL_BATCH_SIZE = 8;

    /** The defaults above. */
    static final QuickstartPlan DEFAULT = new QuickstartPlan(LORA_RANK, LORA_ALPHA, LORA_TARGETS, LEARNING_RATE, EPOCHS,
            BATCH_SIZE, GRADIENT_ACCUMULATION, MAX_LENGTH, SEED, SCHEDULE, WARMUP_RATIO, EVAL_MAX_NEW_TOKENS, EVAL_BATCH_SIZE);

    /** The intents of the three questions asked over HTTP, in order of preference: facts, the size chart, a hand-off. */
    static final List<String> SERVED_INTENTS = List.of("stock_size", "size_advice", "complaint");

    /** How many held-out questions are asked over HTTP. */
    static final int SERVED_QUESTIONS = 3;

    /** The rows of the comparison table in the terminal (the report files hold every metric). */
    static final List<String> TABLE_METRICS = List.of("bleu4_llamafactory", "bleu4_sacrebleu", "rougeL_llamafactory",
            "rougeL_char", "fact_accuracy", "clean_rate", "handoff_accuracy", "strategy_followed", "wrong_stock_rate",
            "wrong_price_rate", "invented_promotion_rate", "banned_claim_rate", "too_long_rate");

    /** @return this plan with another number of epochs */
    QuickstartPlan withEpochs(int value) {
        return new QuickstartPlan(loraRank, loraAlpha, loraTargets, learningRate, value, batchSize, gradientAccumulation,
                maxLength, seed, schedule, warmupRatio, evalMaxNewTokens, evalBatchSize);
    }

    /** @return this plan with another peak learning rate */
    QuickstartPlan withLearningRate(double value) {
        return new QuickstartPlan(loraRank, loraAlpha, loraTargets, value, epochs, batchSize, gradientAccumulation,
                maxLength, seed, schedule, warmupRatio, evalMaxNewTokens, evalBatchSize);
    }

    /**
     * @param runDir the run folder (checkpoints, metrics.jsonl, loss.png)
     * @throws io.kefu.KefuException {@code INVALID_ARGUMENT} naming a setting out of range
     */
    TrainingConfig trainingConfig(Path runDir) {
        return TrainingConfig.builder()
                .lora(LoraConfig.builder().rank(loraRank).alpha(loraAlpha).targets(loraTargets).build())
                .learningRate(learningRate).epochs(epochs).batchSize(batchSize).gradientAccumulation(gradientAccumulation)
                .maxLength(maxLength).seed(seed).schedule(schedule).warmupRatio(warmupRatio)
                .checkpointDir(runDir).build();
    }

    /** @return greedy decoding of at most {@link #evalMaxNewTokens} tokens, seeded */
    EvaluationConfig evaluationConfig() {
        return EvaluationConfig.builder().batchSize(evalBatchSize).seed(seed)
                .parameters(GenerationParameters.builder().maxNewTokens(evalMaxNewTokens).build()).build();
    }

    @Override
    public String toString() {
        return "LoRA r=" + loraRank + " alpha=" + fmt(loraAlpha) + " targets=" + String.join(",", loraTargets)
                + ", lr " + learningRate + " " + schedule.name().toLowerCase(java.util.Locale.ROOT) + " warmup " + warmupRatio
                + ", " + epochs + (epochs == 1 ? " epoch" : " epochs") + ", batch " + batchSize + " x " + gradientAccumulation
                + ", max length " + maxLength + ", seed " + seed;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
