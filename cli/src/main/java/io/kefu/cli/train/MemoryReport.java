package io.kefu.cli.train;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.config.PrecisionNames;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.memory.ByteSize;
import io.kefu.runtime.memory.TrainingMemory;
import io.kefu.runtime.memory.TrainingMemory.Estimate;
import io.kefu.runtime.memory.TrainingMemory.Setup;
import io.kefu.train.BaseDtype;
import io.kefu.train.WeightQuantization;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The memory planner's answer as {@code kefu plan} and {@code kefu train} print it: the predicted
 * peak broken down by what holds it, and against a budget, what fits.
 *
 * @param config the model's config.json
 * @param setup what is trained and how
 * @param maxHeap the training JVM's maximum heap
 * @param estimate the planner's prediction for the setup
 */
record MemoryReport(HfModelConfig config, Setup setup, long maxHeap, Estimate estimate) {
    /** @return the prediction for training {@code config} as {@code setup} says in a JVM with this maximum heap */
    static MemoryReport of(HfModelConfig config, Setup setup, long maxHeap) {
        return new MemoryReport(config, setup, maxHeap, TrainingMemory.estimate(config, setup, maxHeap));
    }

    /** @return whether the predicted peak fits {@code budget} bytes */
    boolean fits(long budget) {
        return estimate.total() <= budget;
    }

    /** Prints the setup on one line, then the breakdown, one row per holder. */
    void printBreakdown(PrintWriter out) {
        out.printf(Locale.ROOT, "%s, %s, %s, batch %d x sequence %d%s%n", config.architecture().className(),
                setup.lora() == null ? "full fine-tuning"
                        : "LoRA r=" + setup.lora().rank() + " on " + String.join(",", setup.lora().targets()),
                setup.describe(), setup.batch(), setup.sequence(),
                setup.microBatches() > 1 ? " x " + setup.microBatches() + " micro-batches" : "");
        row(out, "base weights", estimate.baseWeights());
        row(out, "trainable + optimizer", estimate.trainable());
        row(out, "activations", estimate.activations());
        row(out, "logits", estimate.logits());
        row(out, "workspace", estimate.workspace());
        if (estimate.loading() > 0) {
            row(out, "training peak", estimate.training());
            row(out, "loading peak", estimate.loading());
        }
        row(out, "predicted peak", estimate.total());
    }

    /**
     * Prints whether the peak fits {@code budget}: when it does, the largest batch and the longest
     * sequence that would; when not, the setups with 16-bit or nf4 storage or gradient checkpointing
     * that would, or that none does at this shape.
     *
     * @param batchOption the option that sets the batch, named in the advice
     * @param sequenceOption the option that sets the sequence, named in the advice
     */
    void printFit(PrintWriter out, long budget, String batchOption, String sequenceOption) {
        if (fits(budget)) {
            out.printf(Locale.ROOT, "fits %s. Largest batch at sequence %d: %s; longest sequence at batch %d: %s%n",
                    ByteSize.format(budget), setup.sequence(), text(TrainingMemory.largestBatch(config, setup, budget, maxHeap)),
                    setup.batch(), text(TrainingMemory.largestSequence(config, setup, budget, maxHeap)));
            return;
        }
        List<Setup> ways = TrainingMemory.waysToFit(config, setup, budget, maxHeap);
        if (ways.isEmpty()) {
            out.printf(Locale.ROOT, "does not fit %s at batch %d x sequence %d, even with nf4 and gradient checkpointing;"
                    + " lower %s or %s.%n", ByteSize.format(budget), setup.batch(), setup.sequence(), batchOption, sequenceOption);
        } else {
            out.printf(Locale.ROOT, "does not fit %s as set; these would:%n", ByteSize.format(budget));
            for (Setup way : ways) {
                out.printf(Locale.ROOT, "  %-40s %s%n", way.describe(),
                        ByteSize.format(TrainingMemory.estimate(config, way, maxHeap).total()));
            }
        }
    }

    /**
     * @param option the flag, named in the error
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the flag and the choices when {@code text} is none of them
     */
    static BaseDtype baseDtype(String option, String text) {
        return PrecisionNames.baseDtype(text).orElseThrow(() -> new KefuException(ErrorCode.INVALID_ARGUMENT,
                option + " " + text + ": expected one of " + PrecisionNames.BASE_DTYPES));
    }

    /**
     * @param option the flag, named in the error
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the flag and the choices when {@code text} is none of them
     */
    static WeightQuantization quantization(String option, String text) {
        return PrecisionNames.quantization(text).orElseThrow(() -> new KefuException(ErrorCode.INVALID_ARGUMENT,
                option + " " + text + ": expected none or nf4"));
    }

    private static String text(Optional<Integer> value) {
        return value.map(String::valueOf).orElse("none");
    }

    private static void row(PrintWriter out, String what, long bytes) {
        out.printf(Locale.ROOT, "  %-22s %10s%n", what, ByteSize.format(bytes));
    }
}
