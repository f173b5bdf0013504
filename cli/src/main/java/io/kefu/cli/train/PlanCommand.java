package io.kefu.cli.train;

import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.memory.ByteSize;
import io.kefu.runtime.memory.TrainingMemory;
import io.kefu.runtime.memory.TrainingMemory.Setup;
import io.kefu.runtime.memory.TrainingMemory.Storage;
import io.kefu.train.LoraConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu plan}: the predicted peak memory of a training run, from the model's config.json alone. */
@Command(name = "plan",
        mixinStandardHelpOptions = true,
        description = {"Predict the peak memory of fine-tuning a model with the djl engine, from its config.json alone.",
                "The peak is broken down into base weights, trainable weights + optimizer, activations, logits and workspace.",
                "With --memory, also what fits: the largest batch and sequence, or which of 16-bit storage, nf4",
                "and gradient checkpointing is needed."},
        footer = {"", "Example:",
                "  kefu plan --model models/llama3-8b --base-dtype bf16 --gradient-checkpointing --seq 256 --batch 1 --memory 24GiB"})
public final class PlanCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|CONFIG.json", description = "Model folder or its config.json.")
    Path model;

    @Option(names = "--lora-r", paramLabel = "N", defaultValue = "8", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--lora-target", paramLabel = "MODULES", split = ",", defaultValue = "q_proj,v_proj",
            description = "LoRA target modules, or all-linear (default: ${DEFAULT-VALUE}).")
    List<String> targets;

    @Option(names = "--lora-dropout", defaultValue = "0.0", description = "LoRA dropout (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--full", description = "Full fine-tuning instead of LoRA (fp32 base only).")
    boolean full;

    @Option(names = "--base-dtype", defaultValue = "auto", paramLabel = "auto|fp32|bf16|fp16",
            description = "How the frozen base is stored; auto = the config's torch_dtype (default: ${DEFAULT-VALUE}).")
    String baseDtype;

    @Option(names = "--quantize", defaultValue = "none", paramLabel = "none|nf4",
            description = "nf4: linear weights in 4-bit NormalFloat, double-quantized (default: ${DEFAULT-VALUE}).")
    String quantize;

    @Option(names = "--seq", defaultValue = "512", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--batch", defaultValue = "4", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--grad-accum", defaultValue = "1", description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int gradAccum;

    @Option(names = "--gradient-checkpointing", description = "Recompute each layer's activations in the backward pass.")
    boolean checkpointing;

    @Option(names = "--memory", paramLabel = "SIZE", description = "Memory budget, e.g. 24GiB: also print what fits.")
    String memory;

    @Option(names = "--max-heap", paramLabel = "SIZE",
            description = "The training JVM's maximum heap (-Xmx); loading leaves garbage in it (default: this JVM's).")
    String maxHeap;

    @Override
    public Integer call() {
        HfModelConfig config = HfModelConfig.load(model);
        LoraConfig lora = full ? null : LoraConfig.builder().rank(rank).targets(targets).dropout(dropout).build();
        Storage storage = TrainingMemory.storage(MemoryReport.baseDtype("--base-dtype", baseDtype),
                MemoryReport.quantization("--quantize", quantize), full, config);
        Setup setup = new Setup(lora, storage, checkpointing, batch, seq, gradAccum);
        PrintWriter out = spec.commandLine().getOut();
        long heap = maxHeap == null ? Runtime.getRuntime().maxMemory() : ByteSize.parse(maxHeap, "--max-heap");
        MemoryReport report = MemoryReport.of(config, setup, heap);
        report.printBreakdown(out);
        if (memory != null) {
            long budget = ByteSize.parse(memory, "--memory");
            out.println();
            report.printFit(out, budget, "--batch", "--seq");
        }
        return 0;
    }
}
