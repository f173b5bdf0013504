package io.kefu.runtime.config;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.train.BaseDtype;
import io.kefu.train.LoraConfig;
import io.kefu.train.PreferenceLoss;
import io.kefu.train.Schedule;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingMethod;
import io.kefu.train.WeightQuantization;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A training config file in YAML or JSON (JSON is read as the YAML it also is) with the key names
 * of LLaMA-Factory, an alternative to command-line flags:
 *
 * <pre>
 * model_name_or_path: Qwen/Qwen2.5-0.5B-Instruct
 * dataset: examples/shop/train.jsonl
 * stage: sft
 * do_train: true
 * finetuning_type: lora          # lora | full
 * lora_rank: 8
 * lora_alpha: 16
 * lora_dropout: 0.1
 * lora_target: q_proj,v_proj     # a comma list, a YAML list, or all
 * use_rslora: false
 * num_train_epochs: 3.0
 * learning_rate: 2.0e-4
 * per_device_train_batch_size: 4
 * gradient_accumulation_steps: 4
 * lr_scheduler_type: cosine      # cosine | linear | constant
 * warmup_ratio: 0.1
 * weight_decay: 0.0
 * max_grad_norm: 1.0
 * cutoff_len: 1024
 * seed: 42
 * train_on_prompt: false
 * output_dir: out/shop-lora
 * save_steps: 100
 * logging_steps: 10
 * early_stopping_patience: 0
 * max_non_finite_steps: 3        # NaN/inf steps in a row (each skipped) before the run stops
 * adapter_name_or_path: out/may/adapter   # start LoRA from this adapter (same rank, alpha, targets)
 * replay_dataset: data/may.jsonl          # earlier training data to mix in (Kefu's key)
 * replay_ratio: 0.2                       # share of the mixed training set taken from it (Kefu's key)
 * base_dtype: bf16               # auto | fp32 | fp16 | bf16: how the frozen base is stored (Kefu's key)
 * quantize: nf4                  # none | nf4 (Kefu's key); or LLaMA-Factory's quantization_bit: 4
 * gradient_checkpointing: true   # recompute layer activations in backward (transformers' key)
 * fp16: true                     # matrix products in fp16 with loss scaling, for GPUs (transformers' key)
 * </pre>
 *
 * QLoRA the LLaMA-Factory way: {@code quantization_bit: 4} is {@code quantize: nf4} (other bit widths
 * are refused); {@code quantization_method} may be {@code bnb} (or {@code bitsandbytes}) and
 * {@code quantization_type} {@code nf4}, the only kind Kefu has.
 *
 * Preference training: {@code stage: dpo} with {@code pref_loss} (sigmoid | orpo | simpo),
 * {@code pref_beta}, {@code pref_ftx}, {@code dpo_label_smoothing} and {@code simpo_gamma}.
 *
 * Keys map to {@link TrainingConfig} and {@link LoraConfig}; missing keys keep their defaults.
 * {@code output_dir} is the run folder: checkpoints go there ({@link TrainingConfig#checkpointDir()})
 * and so does the result, as {@code kefu train --out} does; {@code save_steps}
 * is {@link TrainingConfig#checkpointEverySteps()}; {@code logging_steps} is
 * {@link TrainingConfig#logEverySteps()}; {@code adapter_name_or_path} is
 * {@link TrainingConfig#initAdapter()} (one adapter folder). {@code model_name_or_path}, {@code dataset},
 * {@code output_dir}, {@code replay_dataset} and {@code replay_ratio} are kept for the command that
 * runs the training (paths as written, relative to the working folder); the two replay keys go together. An unknown or repeated key, a value of the wrong type or out of range, or
 * LoRA keys with {@code finetuning_type: full} are refused with a {@link KefuException}
 * ({@link ErrorCode#INVALID_CONFIG}) naming the key and {@code file:line}.
 */
public final class TrainingConfigFile {
    private static final Map<String, String> SCHEDULES = Map.of("cosine", "COSINE", "linear", "LINEAR", "constant", "CONSTANT");
    private static final Set<String> LORA_KEYS = Set.of("lora_rank", "lora_alpha", "lora_dropout", "lora_target", "use_rslora",
            "adapter_name_or_path");

    private final Path file;
    private final TrainingConfig config;
    private final Map<String, Integer> keyLines;
    private final String model;
    private final Path dataset;
    private final Path outputDir;
    private final Path replayDataset;
    private final Double replayRatio;

    private TrainingConfigFile(Path file, TrainingConfig config, Map<String, Integer> keyLines, String model,
                               Path dataset, Path outputDir, Path replayDataset, Double replayRatio) {
        this.file = file;
        this.config = config;
        this.keyLines = Collections.unmodifiableMap(keyLines);
        this.model = model;
        this.dataset = dataset;
        this.outputDir = outputDir;
        this.replayDataset = replayDataset;
        this.replayRatio = replayRatio;
    }

    /**
     * Reads and validates a config file.
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when the file does not exist, {@link ErrorCode#IO}
     *     when it cannot be read, {@link ErrorCode#INVALID_CONFIG} naming file:line and key otherwise
     */
    public static TrainingConfigFile load(Path file) {
        Node root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setAllowDuplicateKeys(false).build();
            root = new Compose(settings).composeReader(reader).orElseThrow(
                    () -> new KefuException(ErrorCode.INVALID_CONFIG, file + ": the training config is empty"));
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, file + ": training config file does not exist", e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read the training config: " + e.getMessage(), e);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(0);
            throw new KefuException(ErrorCode.INVALID_CONFIG, file + ":" + line + ": not valid YAML or JSON: "
                    + e.getProblem(), e);
        } catch (YamlEngineException e) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, file + ": not valid YAML or JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof MappingNode mapping)) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, file + ":" + line(root)
                    + ": a training config is a mapping of keys to values (key: value)");
        }
        return new Parser(file).parse(mapping);
    }

    /**
     * Reads settings as {@link #keysOf} writes them (e.g. the {@code config} of an adapter's provenance
     * record), checked as a file's keys are.
     *
     * @param keys the settings by config-file key
     * @param origin the file they come from, named in messages and returned by {@link #file()}
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} naming the origin and key when a value is wrong
     */
    public static TrainingConfigFile fromKeys(Map<String, Object> keys, Path origin) {
        String json;
        try {
            json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(keys);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, origin + ": the training settings cannot be read: " + e.getMessage(), e);
        }
        LoadSettings settings = LoadSettings.builder().setLabel(origin.toString()).setAllowDuplicateKeys(false).build();
        Node root = new Compose(settings).composeString(json).orElseThrow();
        return new Parser(origin).parse((MappingNode) root);
    }

    /** @return the file read */
    public Path file() { return file; }

    /** @return the training settings, defaults where the file is silent */
    public TrainingConfig trainingConfig() { return config; }

    /** @return {@code model_name_or_path}: a checkpoint folder or hub id, if given */
    public Optional<String> model() { return Optional.ofNullable(model); }

    /** @return {@code dataset}: the training data file, if given */
    public Optional<Path> dataset() { return Optional.ofNullable(dataset); }

    /** @return {@code output_dir}: the run folder for checkpoints and the result, if given */
    public Optional<Path> outputDir() { return Optional.ofNullable(outputDir); }

    /** @return {@code replay_dataset}: earlier training data to mix into the new data, if given */
    public Optional<Path> replayDataset() { return Optional.ofNullable(replayDataset); }

    /** @return {@code replay_ratio}: the share of the mixed training set taken from the replay data, if given */
    public Optional<Double> replayRatio() { return Optional.ofNullable(replayRatio); }

    /**
     * The settings of a config under this file's keys, the inverse of reading one: LoRA keys (or
     * {@code finetuning_type: full}), the training keys, {@code output_dir} when a checkpoint folder
     * is set and {@code adapter_name_or_path} when the run starts from an adapter. Every value is a
     * string, number or boolean; {@code lora_target} is a comma list.
     */
    public static Map<String, Object> keysOf(TrainingConfig config) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("finetuning_type", config.isFullFineTune() ? "full" : "lora");
        config.lora().ifPresent(lora -> {
            out.put("lora_rank", lora.rank());
            out.put("lora_alpha", lora.alpha());
            out.put("lora_dropout", lora.dropout());
            out.put("lora_target", String.join(",", lora.targets()));
            out.put("use_rslora", lora.rsLora());
        });
        config.initAdapter().ifPresent(a -> out.put("adapter_name_or_path", a.toString()));
        out.put("num_train_epochs", config.epochs());
        out.put("learning_rate", config.learningRate());
        out.put("per_device_train_batch_size", config.batchSize());
        out.put("gradient_accumulation_steps", config.gradientAccumulation());
        out.put("lr_scheduler_type", config.schedule().name().toLowerCase(Locale.ROOT));
        out.put("warmup_ratio", config.warmupRatio());
        out.put("weight_decay", config.weightDecay());
        out.put("max_grad_norm", config.maxGradNorm());
        out.put("cutoff_len", config.maxLength());
        out.put("seed", config.seed());
        out.put("train_on_prompt", config.trainOnPrompt());
        config.checkpointDir().ifPresent(d -> out.put("output_dir", d.toString()));
        out.put("save_steps", config.checkpointEverySteps());
        out.put("logging_steps", config.logEverySteps());
        out.put("early_stopping_patience", config.earlyStoppingPatience());
        out.put("max_non_finite_steps", config.maxNonFiniteSteps());
        out.put("base_dtype", PrecisionNames.name(config.baseDtype()));
        out.put("quantize", PrecisionNames.name(config.quantization()));
        out.put("gradient_checkpointing", config.gradientCheckpointing());
        if (config.fp16()) {
            out.put("fp16", true);
        }
        if (config.method() == TrainingMethod.DPO) {
            out.put("stage", "dpo");
            out.put("pref_loss", config.prefLoss().name().toLowerCase(Locale.ROOT));
            out.put("pref_beta", config.prefBeta());
            out.put("pref_ftx", config.prefFtx());
            out.put("dpo_label_smoothing", config.labelSmoothing());
            out.put("simpo_gamma", config.simpoGamma());
        }
        return out;
    }

    /** @return the keys the file sets, with their 1-based line numbers, in file order */
    public Map<String, Integer> keyLines() { return keyLines; }

    /** @return true when the file sets this key (so a command-line flag may tell whether to override it) */
    public boolean has(String key) { return keyLines.containsKey(key); }

    private static int line(Node node) {
        return node.getStartMark().map(Mark::getLine).orElse(-1) + 1;
    }

    /** Reads one mapping, key by key, into the builders; each value is checked where it is read. */
    private static final class Parser {
        private final Path file;
        private final TrainingConfig.Builder training = TrainingConfig.builder();
        private final LoraConfig.Builder lora = LoraConfig.builder();
        private final Map<String, BiConsumer<String, Node>> keys = new LinkedHashMap<>();
        private boolean full;
        private String model;
        private Path dataset;
        private Path outputDir;
        private Path replayDataset;
        private Double replayRatio;
        private BaseDtype baseDtype = BaseDtype.AUTO;
        private WeightQuantization quantization = WeightQuantization.NONE;
        private String quantizationKey;
        private final Map<String, Node> valueNodes = new HashMap<>();

        Parser(Path file) {
            this.file = file;
            keys.put("model_name_or_path", (k, v) -> model = text(k, v));
            keys.put("dataset", (k, v) -> dataset = Path.of(text(k, v)));
            keys.put("stage", (k, v) -> training.method(TrainingMethod.valueOf(choice(k, v, Map.of("sft", "SFT", "dpo", "DPO")))));
            keys.put("pref_loss", (k, v) -> training.prefLoss(PreferenceLoss.valueOf(
                    choice(k, v, Map.of("sigmoid", "SIGMOID", "orpo", "ORPO", "simpo", "SIMPO")))));
            keys.put("pref_beta", (k, v) -> training.prefBeta(number(k, v)));
            keys.put("pref_ftx", (k, v) -> training.prefFtx(number(k, v)));
            keys.put("dpo_label_smoothing", (k, v) -> training.labelSmoothing(number(k, v)));
            keys.put("simpo_gamma", (k, v) -> training.simpoGamma(number(k, v)));
            keys.put("do_train", (k, v) -> require(k, v, bool(k, v), "must be true (or left out)"));
            keys.put("finetuning_type", (k, v) -> full = choice(k, v, Map.of("lora", "lora", "full", "full")).equals("full"));
            keys.put("lora_rank", (k, v) -> lora.rank(integer(k, v)));
            keys.put("lora_alpha", (k, v) -> lora.alpha(number(k, v)));
            keys.put("lora_dropout", (k, v) -> lora.dropout(number(k, v)));
            keys.put("lora_target", (k, v) -> lora.targets(targets(k, v)));
            keys.put("use_rslora", (k, v) -> lora.rsLora(bool(k, v)));
            keys.put("num_train_epochs", (k, v) -> training.epochs(wholeNumber(k, v)));
            keys.put("learning_rate", (k, v) -> training.learningRate(number(k, v)));
            keys.put("per_device_train_batch_size", (k, v) -> training.batchSize(integer(k, v)));
            keys.put("gradient_accumulation_steps", (k, v) -> training.gradientAccumulation(integer(k, v)));
            keys.put("lr_scheduler_type", (k, v) -> training.schedule(Schedule.valueOf(choice(k, v, SCHEDULES))));
            keys.put("warmup_ratio", (k, v) -> training.warmupRatio(number(k, v)));
            keys.put("weight_decay", (k, v) -> training.weightDecay(number(k, v)));
            keys.put("max_grad_norm", (k, v) -> training.maxGradNorm(number(k, v)));
            keys.put("cutoff_len", (k, v) -> training.maxLength(integer(k, v)));
            keys.put("seed", (k, v) -> training.seed(integer(k, v)));
            keys.put("train_on_prompt", (k, v) -> training.trainOnPrompt(bool(k, v)));
            keys.put("output_dir", (k, v) -> {
                outputDir = Path.of(text(k, v));
                training.checkpointDir(outputDir);
            });
            keys.put("save_steps", (k, v) -> training.checkpointEverySteps(integer(k, v)));
            keys.put("logging_steps", (k, v) -> training.logEverySteps(integer(k, v)));
            keys.put("early_stopping_patience", (k, v) -> training.earlyStoppingPatience(integer(k, v)));
            keys.put("max_non_finite_steps", (k, v) -> training.maxNonFiniteSteps(integer(k, v)));
            keys.put("adapter_name_or_path", (k, v) -> {
                String adapter = text(k, v);
                require(k, v, !adapter.contains(","), "Kefu starts from one adapter folder, not a comma list");
                training.initAdapter(Path.of(adapter));
            });
            keys.put("replay_dataset", (k, v) -> replayDataset = Path.of(text(k, v)));
            keys.put("replay_ratio", (k, v) -> {
                replayRatio = number(k, v);
                require(k, v, replayRatio > 0 && replayRatio < 1,
                        "must be above 0 and below 1 (the share of the mixed training set taken from replay_dataset)");
            });
            keys.put("base_dtype", (k, v) -> {
                baseDtype = PrecisionNames.baseDtype(text(k, v)).orElseThrow(() -> error(v, "key '" + k + "': '" + text(k, v)
                        + "' is not one of " + PrecisionNames.BASE_DTYPES));
                training.baseDtype(baseDtype);
            });
            keys.put("quantize", (k, v) -> quantize(k, v, PrecisionNames.quantization(text(k, v)).orElseThrow(
                    () -> error(v, "key '" + k + "': '" + text(k, v) + "' is not one of " + PrecisionNames.QUANTIZATIONS))));
            keys.put("quantization_bit", (k, v) -> {
                int bits = integer(k, v);
                require(k, v, bits == 4, "Kefu quantizes the frozen base to 4 bits only (nf4, QLoRA); "
                        + bits + " bits is not supported (leave the key out for no quantization)");
                quantize(k, v, WeightQuantization.NF4);
            });
            keys.put("quantization_method", (k, v) -> require(k, v, Set.of("bnb", "bitsandbytes").contains(
                    text(k, v).toLowerCase(Locale.ROOT)), "Kefu quantizes as bitsandbytes does (bnb); '" + text(k, v)
                    + "' is not supported"));
            keys.put("quantization_type", (k, v) -> require(k, v, text(k, v).equalsIgnoreCase("nf4"),
                    "Kefu quantizes to nf4 only; '" + text(k, v) + "' is not supported"));
            keys.put("gradient_checkpointing", (k, v) -> training.gradientCheckpointing(bool(k, v)));
            keys.put("fp16", (k, v) -> training.fp16(bool(k, v)));
            keys.put("bf16", (k, v) -> require(k, v, !bool(k, v), "bf16 compute is not possible through the DJL engine "
                    + "(DJL 0.36 cannot hold a bfloat16 array on any device); use fp16: true for 16-bit products, or "
                    + "base_dtype: bf16 to keep the base small"));
        }

        /** Sets the quantization, refusing a second key that asks for another. */
        private void quantize(String key, Node value, WeightQuantization wanted) {
            if (quantizationKey != null && quantization != wanted) {
                throw error(value, "key '" + key + "' asks for " + PrecisionNames.name(wanted) + " but '" + quantizationKey
                        + "' (line " + line(valueNodes.get(quantizationKey)) + ") set " + PrecisionNames.name(quantization));
            }
            quantization = wanted;
            quantizationKey = key;
            training.quantization(wanted);
        }

        TrainingConfigFile parse(MappingNode mapping) {
            Map<String, Integer> seen = new LinkedHashMap<>();
            Map<String, Node> keyNodes = new HashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                    throw error(tuple.getKeyNode(), "keys are plain names such as lora_rank");
                }
                String key = keyNode.getValue();
                Integer earlier = seen.putIfAbsent(key, line(keyNode));
                if (earlier != null) {
                    throw error(keyNode, "key '" + key + "' appears twice (first at line " + earlier + ")");
                }
                keyNodes.put(key, keyNode);
                valueNodes.put(key, tuple.getValueNode());
                BiConsumer<String, Node> setter = keys.get(key);
                if (setter == null) {
                    throw error(keyNode, "unknown key '" + key + "'; supported keys: " + String.join(", ", keys.keySet()));
                }
                if (tuple.getValueNode() instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) {
                    throw error(tuple.getValueNode(), "key '" + key + "' has no value");
                }
                setter.accept(key, tuple.getValueNode());
                checkSoFar(key, tuple.getValueNode());
            }
            for (String[] pair : new String[][] {{"replay_dataset", "replay_ratio"}, {"replay_ratio", "replay_dataset"}}) {
                if (seen.containsKey(pair[0]) && !seen.containsKey(pair[1])) {
                    throw error(keyNodes.get(pair[0]), "key '" + pair[0] + "' needs '" + pair[1] + "' too");
                }
            }
            if (full) {
                for (String key : seen.keySet()) {
                    if (LORA_KEYS.contains(key)) {
                        throw error(keyNodes.get(key), "key '" + key + "' is a LoRA setting but finetuning_type is full");
                    }
                }
                if (baseDtype == BaseDtype.FP16 || baseDtype == BaseDtype.BF16) {
                    throw error(keyNodes.get("base_dtype"), "key 'base_dtype': " + PrecisionNames.name(baseDtype)
                            + " keeps a frozen LoRA base small, but finetuning_type is full (every weight trains in fp32)");
                }
                if (quantization != WeightQuantization.NONE) {
                    throw error(keyNodes.get(quantizationKey), "key '" + quantizationKey + "' quantizes a frozen LoRA base,"
                            + " but finetuning_type is full (every weight trains)");
                }
                training.fullFineTune();
            } else {
                training.lora(lora.build());
            }
            return new TrainingConfigFile(file, training.build(), seen, model, dataset, outputDir, replayDataset, replayRatio);
        }

        /** Builds with every key so far, so a value out of range is reported at its own line. */
        private void checkSoFar(String key, Node value) {
            try {
                training.lora(lora.build()).build();
            } catch (KefuException e) {
                throw error(value, "key '" + key + "': " + e.getMessage());
            }
        }

        private String text(String key, Node value) {
            if (!(value instanceof ScalarNode s) || s.getValue().isBlank()) {
                throw error(value, "key '" + key + "' needs a text value");
            }
            return s.getValue().strip();
        }

        private int integer(String key, Node value) {
            String t = text(key, value);
            try {
                return Integer.parseInt(t.replace("_", ""));
            } catch (NumberFormatException e) {
                throw error(value, "key '" + key + "': expected a whole number, got '" + t + "'");
            }
        }

        private double number(String key, Node value) {
            String t = text(key, value);
            try {
                double d = Double.parseDouble(t);
                if (Double.isFinite(d) && !t.endsWith("d") && !t.endsWith("f") && !t.endsWith("D") && !t.endsWith("F")) {
                    return d;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw error(value, "key '" + key + "': expected a number such as 2.0e-4, got '" + t + "'");
        }

        private int wholeNumber(String key, Node value) {
            double d = number(key, value);
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw error(value, "key '" + key + "': Kefu trains whole epochs; got " + text(key, value));
            }
            return (int) d;
        }

        private boolean bool(String key, Node value) {
            String t = text(key, value).toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("false")) {
                return t.equals("true");
            }
            throw error(value, "key '" + key + "': expected true or false, got '" + text(key, value) + "'");
        }

        private String choice(String key, Node value, Map<String, String> choices) {
            String t = text(key, value).toLowerCase(Locale.ROOT);
            String picked = choices.get(t);
            if (picked == null) {
                throw error(value, "key '" + key + "': '" + text(key, value) + "' is not one of "
                        + String.join(", ", choices.keySet().stream().sorted().toList()));
            }
            return picked;
        }

        private List<String> targets(String key, Node value) {
            List<String> names = new ArrayList<>();
            if (value instanceof SequenceNode seq) {
                for (Node item : seq.getValue()) {
                    names.add(text(key, item));
                }
            } else {
                Arrays.stream(text(key, value).split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(names::add);
            }
            if (names.isEmpty()) {
                throw error(value, "key '" + key + "' names no module");
            }
            return names.stream().map(n -> n.equals("all") ? LoraConfig.ALL_LINEAR : n).toList();
        }

        private void require(String key, Node value, boolean ok, String rule) {
            if (!ok) {
                throw error(value, "key '" + key + "': " + rule);
            }
        }

        private KefuException error(Node node, String message) {
            return new KefuException(ErrorCode.INVALID_CONFIG, file + ":" + line(node) + ": " + message);
        }
    }
}
