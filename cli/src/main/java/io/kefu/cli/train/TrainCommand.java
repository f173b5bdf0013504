package io.kefu.cli.train;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.cli.common.DeviceOption;
import io.kefu.cli.common.EngineOption;
import io.kefu.cli.common.Terminal;
import io.kefu.runtime.config.TrainingConfigFile;
import io.kefu.runtime.data.ReplayMix;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.hub.Hub;
import io.kefu.runtime.memory.AvailableMemory;
import io.kefu.runtime.memory.ByteSize;
import io.kefu.runtime.memory.TrainingMemory;
import io.kefu.model.Device;
import io.kefu.model.Engine;
import io.kefu.model.ModelRef;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.provenance.AdapterProvenance;
import io.kefu.data.Dataset;
import io.kefu.data.Split;
import io.kefu.train.LoraConfig;
import io.kefu.train.PreferenceLoss;
import io.kefu.train.Schedule;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingMethod;
import io.kefu.train.WeightQuantization;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu train}: LoRA or full fine-tuning of a base model on a dataset. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        description = {"Fine-tune a base model with LoRA (default) or fully, on answers (sft) or on chosen/rejected pairs (dpo).",
                "The run folder --out receives checkpoints (checkpoint-<step>/), metrics.jsonl, loss.png, and at the",
                "end adapter/ (PEFT layout)",
                "or, with --full, model/ (a Hugging Face checkpoint), with kefu_provenance.json: the base model,",
                "the adapter the run started from, each data file's SHA-256 and the settings (see kefu adapters show).",
                "Run the same command again after an interruption and training resumes from the newest checkpoint,",
                "ending exactly as it would have.",
                "Monthly re-training: --init-adapter continues from last month's adapter (its LoRA settings are the",
                "defaults; other rank, alpha or targets are refused) and --replay mixes in a sample of earlier data.",
                "Before loading, the djl engine's run is planned (as kefu plan does, at the longest training example)",
                "against the memory available here;",
                "a run predicted not to fit is refused with the breakdown and what would fit (--skip-memory-check runs it anyway)."},
        footer = {"", "Example:", "  kefu train --model models/qwen2.5-0.5b --data examples/shop/train.jsonl --out out/shop \\",
                "      --lora-r 8 --lora-alpha 16 --lora-target q_proj,v_proj --epochs 3 --lr 2e-4",
                "  kefu train --config shop-lora.yaml --lr 1e-4     (the file's settings, with a different learning rate)",
                "  kefu train --model models/qwen2.5-0.5b --data data/june.jsonl --out out/june \\",
                "      --init-adapter out/may/adapter --replay data/may.jsonl --replay-ratio 0.2",
                "  kefu train --model models/qwen2.5-0.5b --data pref.jsonl --out out/dpo --method dpo --pref-beta 0.1 \\",
                "      --init-adapter out/june/adapter --lr 5e-6     (DPO from the SFT adapter, which is also the reference)",
                "  kefu train --model models/llama3-8b --data train.jsonl --out out/qlora --quantize nf4 \\",
                "      --gradient-checkpointing --batch-size 1 --max-length 512 --memory 24GiB"})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = {"Training config file (YAML or JSON, LLaMA-Factory keys such as",
            "learning_rate, lora_rank, output_dir). Flags given on the command line override its values."})
    Path configFile;

    @Option(names = "--model", paramLabel = "DIR|ID", description = "Base checkpoint folder or Hugging Face hub id (default: the config's model_name_or_path).")
    String model;

    @Option(names = "--data", paramLabel = "FILE", description = "Training data (JSON/JSONL: Alpaca, messages, ShareGPT) (default: the config's dataset).")
    Path data;

    @Option(names = "--validation", paramLabel = "FILE", description = "Validation data (default: none, or --val-split of --data).")
    Path validation;

    @Option(names = "--val-split", defaultValue = "0", description = "Share of --data held out for validation when --validation is not given (default: ${DEFAULT-VALUE}).")
    double valSplit;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder: checkpoints, metrics, the result (default: the config's output_dir).")
    Path out;

    @Mixin
    EngineOption engine;

    @Mixin
    DeviceOption device;

    @Option(names = "--full", description = "Train every weight instead of LoRA adapters.")
    boolean full;

    @Option(names = "--lora-r", defaultValue = "8", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--lora-alpha", defaultValue = "16", description = "LoRA alpha (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--lora-dropout", defaultValue = "0.0", description = "LoRA dropout (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--lora-target", split = ",", defaultValue = "q_proj,v_proj",
            description = "Target modules, or all-linear (default: ${DEFAULT-VALUE}).")
    List<String> targets;

    @Option(names = "--rslora", description = "Scale by alpha/sqrt(r) (rank-stabilised LoRA).")
    boolean rsLora;

    @Option(names = "--epochs", defaultValue = "3", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "2e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch-size", defaultValue = "4", description = "Examples per micro-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--grad-accum", defaultValue = "4", description = "Micro-batches per optimiser step (default: ${DEFAULT-VALUE}).")
    int gradAccum;

    @Option(names = "--schedule", defaultValue = "COSINE", description = "COSINE, LINEAR or CONSTANT (default: ${DEFAULT-VALUE}).")
    Schedule schedule;

    @Option(names = "--warmup-ratio", defaultValue = "0.0", description = "Share of steps warming up (default: ${DEFAULT-VALUE}).")
    double warmupRatio;

    @Option(names = "--weight-decay", defaultValue = "0.0", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Gradient clipping, 0 for off (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--max-length", defaultValue = "1024", description = "Longest example in tokens; longer ones are cut (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--train-on-prompt", description = "Also train on prompt tokens.")
    boolean trainOnPrompt;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Optimiser steps between checkpoints; 0 = epoch ends only (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--early-stopping", defaultValue = "0", description = "Stop after N epochs without validation improvement; 0 = off (default: ${DEFAULT-VALUE}).")
    int earlyStopping;

    @Option(names = "--method", defaultValue = "sft", description = {"sft (learn the answers) or dpo (preference training on",
            "examples with a chosen and a rejected answer) (default: ${DEFAULT-VALUE})."})
    String method;

    @Option(names = "--pref-loss", defaultValue = "sigmoid", description = {"Preference loss of --method dpo: sigmoid (DPO against the",
            "model as the run starts), orpo or simpo (no reference) (default: ${DEFAULT-VALUE})."})
    String prefLoss;

    @Option(names = "--pref-beta", defaultValue = "0.1", description = "Beta of the preference loss (default: ${DEFAULT-VALUE}).")
    double prefBeta;

    @Option(names = "--label-smoothing", defaultValue = "0.0", description = "Share of preference labels assumed flipped, sigmoid loss only (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--pref-ftx", defaultValue = "0.0", description = "Weight of the chosen answer's SFT loss added to the preference loss (default: ${DEFAULT-VALUE}).")
    double prefFtx;

    @Option(names = "--simpo-gamma", defaultValue = "0.5", description = "Target reward margin of the simpo loss (default: ${DEFAULT-VALUE}).")
    double simpoGamma;

    @Option(names = "--init-adapter", paramLabel = "DIR", description = {"Start LoRA from this PEFT adapter (last month's) instead of",
            "a fresh initialisation; its rank, alpha and targets become the defaults (default: the config's",
            "adapter_name_or_path, or none)."})
    Path initAdapter;

    @Option(names = "--replay", paramLabel = "FILE", description = {"Earlier training data; a seeded sample of it is mixed into the new",
            "data so old skills are kept. Records also in the new data are skipped (default: the config's replay_dataset)."})
    Path replay;

    @Option(names = "--replay-ratio", paramLabel = "R", description = {"Share of the mixed training set taken from --replay, above 0 and",
            "below 1: 0.2 adds 25 earlier records to 100 new ones (default: the config's replay_ratio)."})
    Double replayRatio;

    @Option(names = "--base-dtype", paramLabel = "auto|fp32|fp16|bf16", description = {"How the frozen base is stored while",
            "an adapter trains; auto = the checkpoint's torch_dtype (default: the config's base_dtype, or auto)."})
    String baseDtype;

    @Option(names = "--quantize", paramLabel = "none|nf4", description = {"nf4: the base's linear weights in 4-bit NormalFloat,",
            "double-quantized (QLoRA) (default: the config's quantize or quantization_bit, or none)."})
    String quantize;

    @Option(names = "--gradient-checkpointing", negatable = true, description = {"Recompute each layer's activations in the",
            "backward pass: less memory, about one more forward pass of time (default: the config's gradient_checkpointing, or off)."})
    Boolean gradientCheckpointing;

    @Option(names = "--fp16", negatable = true, description = {"Matrix products in fp16 with dynamic loss scaling, norms,",
            "softmax and the loss in fp32 (transformers' fp16=True); for GPUs: on a CPU fp16 products are slow",
            "(default: the config's fp16, or off)."})
    Boolean fp16;

    @Option(names = "--memory", paramLabel = "SIZE", description = {"Memory the run may take, e.g. 24GiB, checked before loading",
            "(default: MemAvailable of /proc/meminfo, lowered to a cgroup limit)."})
    String memory;

    @Option(names = "--skip-memory-check", description = "Train even when the run is predicted not to fit the memory.")
    boolean skipMemoryCheck;

    @Override
    public Integer call() {
        TrainingConfigFile file = configFile == null ? null : TrainingConfigFile.load(configFile);
        String modelName = model != null ? model : file == null ? null : file.model().orElse(null);
        Path dataFile = data != null ? data : file == null ? null : file.dataset().orElse(null);
        Path runDir = out != null ? out : file == null ? null : file.outputDir().orElse(null);
        requireGiven(modelName, "--model", "model_name_or_path");
        requireGiven(dataFile, "--data", "dataset");
        requireGiven(runDir, "--out", "output_dir");
        Path replayFile = replay != null ? replay : file == null ? null : file.replayDataset().orElse(null);
        Double ratio = replayRatio != null ? replayRatio : file == null ? null : file.replayRatio().orElse(null);
        if ((replayFile == null) != (ratio == null)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, replayFile == null
                    ? "--replay-ratio needs --replay FILE (the earlier data to sample from)"
                    : "--replay needs --replay-ratio R (the share of the mixed training set taken from " + replayFile + ")");
        }
        if (ratio != null && !(ratio > 0 && ratio < 1)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--replay-ratio=" + ratio + " must be above 0 and below 1"
                    + " (the share of the mixed training set taken from " + replayFile + ")");
        }
        TrainingConfig config = trainingConfig(file, runDir);
        PrintWriter console = spec.commandLine().getOut();
        Engine trainingEngine = device.open(engine.id());
        Dataset train = Dataset.load(dataFile);
        List<AdapterProvenance.DataFile> dataFiles = new ArrayList<>();
        dataFiles.add(AdapterProvenance.DataFile.of("train", dataFile, train.size()));
        Dataset val = null;
        if (validation != null) {
            val = Dataset.load(validation);
            dataFiles.add(AdapterProvenance.DataFile.of("validation", validation, val.size()));
        } else if (valSplit > 0) {
            if (valSplit >= 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--val-split=" + valSplit + " must be below 1");
            }
            Split split = train.split(1 - valSplit, config.seed());
            train = split.train();
            val = split.test();
        }
        Optional<AdapterProvenance.Replay> replayRecord = Optional.empty();
        if (replayFile != null) {
            Dataset earlier = Dataset.load(replayFile);
            dataFiles.add(AdapterProvenance.DataFile.of("replay", replayFile, earlier.size()));
            ReplayMix.Result mix = ReplayMix.mix(train, val, earlier, ratio, config.seed());
            console.println(AdapterTraining.describe(mix, train.size(), ratio, replayFile));
            replayRecord = Optional.of(new AdapterProvenance.Replay(ratio, config.seed(), train.size(), mix.replayed(),
                    mix.duplicates()));
            train = mix.train();
        }
        if (!skipMemoryCheck) {
            checkMemory(modelName, config, train, console);
        }
        Optional<AdapterProvenance.Parent> parent = AdapterTraining.parentOf(config);
        AdapterProvenance provenance = new AdapterProvenance(modelName, parent, dataFiles, replayRecord,
                TrainingConfigFile.keysOf(config));
        Path result = runDir.resolve(config.isFullFineTune() ? "model" : "adapter");
        AdapterTraining.run(trainingEngine, modelName, config, train, val, provenance, result, console, Terminal.isInteractive(spec));
        return 0;
    }

    /** The config file's settings (or the defaults) with each flag given on the command line applied over them. */
    private TrainingConfig trainingConfig(TrainingConfigFile file, Path runDir) {
        TrainingConfig.Builder builder = file == null ? TrainingConfig.builder() : file.trainingConfig().toBuilder();
        if (given("--epochs")) builder.epochs(epochs);
        if (given("--lr")) builder.learningRate(lr);
        if (given("--batch-size")) builder.batchSize(batchSize);
        if (given("--grad-accum")) builder.gradientAccumulation(gradAccum);
        if (given("--schedule")) builder.schedule(schedule);
        if (given("--warmup-ratio")) builder.warmupRatio(warmupRatio);
        if (given("--weight-decay")) builder.weightDecay(weightDecay);
        if (given("--max-grad-norm")) builder.maxGradNorm(maxGradNorm);
        if (given("--max-length")) builder.maxLength(maxLength);
        if (given("--seed")) builder.seed(seed);
        if (given("--train-on-prompt")) builder.trainOnPrompt(trainOnPrompt);
        if (given("--checkpoint-every")) builder.checkpointEverySteps(checkpointEvery);
        if (given("--early-stopping")) builder.earlyStoppingPatience(earlyStopping);
        if (given("--method")) builder.method(choice("--method", method, TrainingMethod.class));
        if (given("--pref-loss")) builder.prefLoss(choice("--pref-loss", prefLoss, PreferenceLoss.class));
        if (given("--pref-beta")) builder.prefBeta(prefBeta);
        if (given("--label-smoothing")) builder.labelSmoothing(labelSmoothing);
        if (given("--pref-ftx")) builder.prefFtx(prefFtx);
        if (given("--simpo-gamma")) builder.simpoGamma(simpoGamma);
        if (baseDtype != null) builder.baseDtype(MemoryReport.baseDtype("--base-dtype", baseDtype));
        if (quantize != null) builder.quantization(MemoryReport.quantization("--quantize", quantize));
        if (gradientCheckpointing != null) builder.gradientCheckpointing(gradientCheckpointing);
        if (fp16 != null) builder.fp16(fp16);
        builder.checkpointDir(runDir);
        Path parentDir = initAdapter != null ? initAdapter : file == null ? null : file.trainingConfig().initAdapter().orElse(null);
        List<String> loraFlags = List.of("--lora-r", "--lora-alpha", "--lora-dropout", "--lora-target", "--rslora");
        boolean loraFlagGiven = loraFlags.stream().anyMatch(this::given);
        boolean fileIsFull = file != null && file.trainingConfig().isFullFineTune();
        if (full && parentDir != null) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--full trains every weight, so it cannot start from the adapter "
                    + parentDir + " (--init-adapter / adapter_name_or_path)");
        } else if (full) {
            refuseFrozenBaseSettings(builder);
            builder.fullFineTune();
        } else if (fileIsFull && loraFlagGiven) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "LoRA flags (" + String.join(", ", loraFlags.stream().filter(this::given).toList())
                    + ") contradict " + file.file() + ", which sets finetuning_type: full");
        } else if (fileIsFull && initAdapter != null) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--init-adapter starts LoRA from an adapter but " + file.file()
                    + " sets finetuning_type: full");
        } else if (!fileIsFull) {
            builder.lora(parentDir == null ? loraFromFlags(file) : loraContinuing(file, PeftAdapter.load(parentDir).config()));
            builder.initAdapter(parentDir);
        }
        return builder.build();
    }

    /** --full with a 16-bit or nf4 base: those keep a frozen base small, and full fine-tuning freezes nothing. */
    private void refuseFrozenBaseSettings(TrainingConfig.Builder builder) {
        TrainingConfig asSet = builder.build();
        if (asSet.quantization() != WeightQuantization.NONE) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--full trains every weight, so the base cannot be quantized"
                    + " (--quantize / quantize / quantization_bit)");
        }
        if (asSet.baseDtype() == io.kefu.train.BaseDtype.FP16 || asSet.baseDtype() == io.kefu.train.BaseDtype.BF16) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--full trains every weight in fp32, so --base-dtype "
                    + asSet.baseDtype().name().toLowerCase(java.util.Locale.ROOT) + " (base_dtype) does not apply; use auto or fp32");
        }
    }

    /**
     * Plans the run as {@code kefu plan} does, at the longest training example, and refuses it, with
     * the breakdown and what would fit, when the predicted peak is above the budget: --memory, else
     * the memory available here. Only the djl engine's allocation is modelled; on a GPU only a
     * --memory budget is checked.
     */
    private void checkMemory(String modelName, TrainingConfig config, Dataset train, PrintWriter console) {
        if (!engine.id().equals("djl")) {
            return;
        }
        boolean gpu = device.device().map(d -> d.kind() != Device.Kind.CPU).orElse(false);
        OptionalLong budget = memory != null ? OptionalLong.of(ByteSize.parse(memory, "--memory"))
                : gpu ? OptionalLong.empty() : AvailableMemory.ofThisMachine();
        if (budget.isEmpty()) {
            console.println("memory check skipped: " + (gpu ? "with --device " + device.device().get()
                    + " the run may be on a GPU, whose memory is the budget; give it with --memory"
                    : "the available memory cannot be read here; give --memory"));
            return;
        }
        Path modelDir = Hub.resolve(ModelRef.of(modelName));
        HfModelConfig modelConfig = HfModelConfig.load(modelDir);
        int sequence = LongestExample.tokens(modelDir, config, train);
        TrainingMemory.Setup setup = TrainingMemory.setup(config, modelConfig).withShape(config.batchSize(), sequence);
        MemoryReport report = MemoryReport.of(modelConfig, setup, Runtime.getRuntime().maxMemory());
        if (report.fits(budget.getAsLong())) {
            return;
        }
        report.printBreakdown(console);
        console.println("(sequence " + sequence + ": the longest training example in tokens, at most --max-length "
                + config.maxLength() + ")");
        console.println();
        report.printFit(console, budget.getAsLong(), "--batch-size", "--max-length");
        console.flush();
        throw new KefuException(ErrorCode.RESOURCE_EXHAUSTED, "the run is predicted to need "
                + ByteSize.format(report.estimate().total()) + (memory != null ? " but --memory is " : " but this machine has ")
                + ByteSize.format(budget.getAsLong()) + (memory != null ? "" : " available") + "; nothing was written."
                + " Change the settings as above, or pass --skip-memory-check to train anyway");
    }

    private static <E extends Enum<E>> E choice(String option, String value, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new KefuException(ErrorCode.INVALID_ARGUMENT, option + " " + value + ": expected one of "
                + String.join(", ", java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toList()));
    }

    /** A fresh adapter: the config file's LoRA settings (or the defaults) with the LoRA flags applied over them. */
    private LoraConfig loraFromFlags(TrainingConfigFile file) {
        LoraConfig start = file == null ? LoraConfig.builder().build() : file.trainingConfig().lora().orElseThrow();
        return LoraConfig.builder()
                .rank(given("--lora-r") ? rank : start.rank())
                .alpha(given("--lora-alpha") ? alpha : start.alpha())
                .dropout(given("--lora-dropout") ? dropout : start.dropout())
                .targets(given("--lora-target") ? targets : start.targets())
                .rsLora(given("--rslora") ? rsLora : start.rsLora())
                .build();
    }

    /**
     * Continuing an adapter: its own settings, except where a flag is typed or the config file sets a
     * key; the trainer refuses any that then differ from the adapter's, naming the difference.
     */
    private LoraConfig loraContinuing(TrainingConfigFile file, LoraConfig parent) {
        LoraConfig fileLora = file == null ? null : file.trainingConfig().lora().orElseThrow();
        return LoraConfig.builder()
                .rank(typed("--lora-r") ? rank : fileSets(file, "lora_rank") ? fileLora.rank() : parent.rank())
                .alpha(typed("--lora-alpha") ? alpha : fileSets(file, "lora_alpha") ? fileLora.alpha() : parent.alpha())
                .dropout(typed("--lora-dropout") ? dropout : fileSets(file, "lora_dropout") ? fileLora.dropout() : parent.dropout())
                .targets(typed("--lora-target") ? targets : fileSets(file, "lora_target") ? fileLora.targets() : parent.targets())
                .rsLora(typed("--rslora") ? rsLora : fileSets(file, "use_rslora") ? fileLora.rsLora() : parent.rsLora())
                .build();
    }

    private boolean typed(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private static boolean fileSets(TrainingConfigFile file, String key) {
        return file != null && file.has(key);
    }

    /** Without a config file every flag applies (its default when not typed); with one, only the flags typed. */
    private boolean given(String option) {
        return configFile == null || spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private void requireGiven(Object value, String option, String key) {
        if (value == null) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "missing " + option + (configFile == null
                    ? " (or a --config file with " + key + ")" : "; " + configFile + " has no " + key + " either"));
        }
    }
}
