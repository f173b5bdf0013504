package io.kefu.runtime.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.train.Adapter;
import io.kefu.train.LoraConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A LoRA adapter in PEFT's on-disk layout: {@code adapter_config.json} (PEFT's keys, written as
 * PEFT writes them: sorted, two-space indent) and {@code adapter_model.safetensors} with tensors
 * {@code base_model.model.model.layers.{i}.self_attn.{q,k,v,o}_proj.lora_A.weight} of shape
 * {@code [r, in]} and {@code ...lora_B.weight} of shape {@code [out, r]} (MLP projections under
 * {@code .mlp.}). Holds every tensor as fp32, by PEFT name.
 *
 * <p>Saving is deterministic: the same adapter gives the same bytes (tensors sorted by name,
 * header keys in a fixed order). Both files are written to temp files and moved into place only
 * when both are complete.
 *
 * <p>Loading accepts what PEFT writes for a LoRA on Llama/Qwen: {@code bias: "none"}, no DoRA, no
 * per-module rank or alpha patterns, no {@code modules_to_save}; anything else is refused with
 * {@link ErrorCode#UNSUPPORTED} naming the key. Shapes are checked against the config ({@code r})
 * and, with {@link #validateAgainst(HfModelConfig)}, against the base model.
 *
 * <p>Why one long class: reading and writing PEFT's layout are the two halves of one format, and
 * the checks of each config key PEFT may write sit next to the code that reads it.
 */
public final class PeftAdapter implements Adapter {
    /** The config file name. */
    public static final String CONFIG_FILE = "adapter_config.json";
    /** The weights file name. */
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";

    private static final Pattern NAME = Pattern.compile(
            "base_model\\.model\\.model\\.layers\\.(\\d+)\\.(self_attn|mlp)\\.(\\w+)\\.lora_([AB])\\.weight");
    private static final ObjectMapper JSON = Json.mapper();

    private final LoraConfig config;
    private final String baseModel;
    private final SortedMap<String, FloatTensor> tensors;

    private PeftAdapter(LoraConfig config, String baseModel, SortedMap<String, FloatTensor> tensors) {
        this.config = config;
        this.baseModel = baseModel;
        this.tensors = Collections.unmodifiableSortedMap(tensors);
    }

    /**
     * Wraps trained LoRA weights.
     *
     * @param config the LoRA settings
     * @param baseModel {@code base_model_name_or_path}: a hub id or folder of the base model
     * @param tensors fp32 tensors by PEFT name ({@link #loraAName}, {@link #loraBName}); every target
     *     module of every layer present needs both A and B
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} naming a tensor with a bad name or shape
     */
    public static PeftAdapter of(LoraConfig config, String baseModel, Map<String, FloatTensor> tensors) {
        SortedMap<String, FloatTensor> sorted = new TreeMap<>(tensors);
        check(config, sorted, "adapter");
        return new PeftAdapter(config, baseModel == null ? "" : baseModel, sorted);
    }

    /** @return PEFT's name of the A matrix ({@code [r, in]}) of a module in a layer */
    public static String loraAName(int layer, String module) {
        return prefix(layer, module) + ".lora_A.weight";
    }

    /** @return PEFT's name of the B matrix ({@code [out, r]}) of a module in a layer */
    public static String loraBName(int layer, String module) {
        return prefix(layer, module) + ".lora_B.weight";
    }

    private static String prefix(int layer, String module) {
        return "base_model.model." + DecoderLayout.modulePath(layer, module);
    }

    /**
     * Loads an adapter folder written by Kefu or PEFT; bf16/fp16 weights are widened to fp32.
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when a file is missing, {@link ErrorCode#INVALID_CHECKPOINT}
     *     naming the file, key or tensor at fault, {@link ErrorCode#UNSUPPORTED} for PEFT features Kefu does not apply
     */
    public static PeftAdapter load(Path directory) {
        Path configFile = directory.resolve(CONFIG_FILE);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(configFile));
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, configFile + ": adapter config not found (a PEFT adapter folder"
                    + " holds " + CONFIG_FILE + " and " + WEIGHTS_FILE + ")", e);
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, configFile + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, configFile + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw invalid(configFile, "not a JSON object");
        }
        LoraConfig config = parseConfig(configFile, root);
        String baseModel = root.path("base_model_name_or_path").asText("");
        Path weights = directory.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            if (Files.isRegularFile(directory.resolve("adapter_model.bin"))) {
                throw invalid(weights, "missing; the folder holds adapter_model.bin, a pickle file that can execute"
                        + " arbitrary code and is refused. Re-save the adapter with PEFT's"
                        + " save_pretrained(dir, safe_serialization=True)");
            }
            throw new KefuException(ErrorCode.NOT_FOUND, weights + ": adapter weights not found");
        }
        SortedMap<String, FloatTensor> tensors = new TreeMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            for (TensorInfo info : file.tensors()) {
                if (!info.dtype().isFloatingPoint()) {
                    throw invalid(weights, "tensor '" + info.name() + "' has dtype " + info.dtype() + "; LoRA weights are floats");
                }
                tensors.put(info.name(), new FloatTensor(info.shape(), file.readFloats(info.name())));
            }
        }
        check(config, tensors, weights.toString());
        return new PeftAdapter(config, baseModel, tensors);
    }

    private static LoraConfig parseConfig(Path file, JsonNode root) {
        String peftType = root.path("peft_type").asText("");
        if (!peftType.equals("LORA")) {
            throw new KefuException(ErrorCode.UNSUPPORTED, file + ": peft_type='" + peftType + "'; Kefu reads LORA adapters");
        }
        String taskType = root.path("task_type").asText("CAUSAL_LM");
        if (!root.path("task_type").isNull() && !taskType.equals("CAUSAL_LM")) {
            throw new KefuException(ErrorCode.UNSUPPORTED, file + ": task_type='" + taskType + "'; Kefu reads CAUSAL_LM adapters");
        }
        String bias = root.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw new KefuException(ErrorCode.UNSUPPORTED, file + ": bias='" + bias + "'; Kefu applies LoRA adapters with bias 'none'");
        }
        for (String key : List.of("use_dora", "fan_in_fan_out")) {
            if (root.path(key).asBoolean(false)) {
                throw new KefuException(ErrorCode.UNSUPPORTED, file + ": " + key + "=true is not supported");
            }
        }
        for (String key : List.of("rank_pattern", "alpha_pattern")) {
            JsonNode pattern = root.get(key);
            if (pattern != null && !pattern.isNull() && pattern.size() > 0) {
                throw new KefuException(ErrorCode.UNSUPPORTED, file + ": " + key + "=" + pattern
                        + " (per-module ranks or alphas) is not supported");
            }
        }
        JsonNode modulesToSave = root.get("modules_to_save");
        if (modulesToSave != null && !modulesToSave.isNull() && modulesToSave.size() > 0) {
            throw new KefuException(ErrorCode.UNSUPPORTED, file + ": modules_to_save=" + modulesToSave
                    + " (fully trained extra modules) is not supported");
        }
        JsonNode r = root.get("r");
        if (r == null || !r.isIntegralNumber()) {
            throw invalid(file, "r must be an integer, found " + r);
        }
        JsonNode alpha = root.get("lora_alpha");
        if (alpha == null || !alpha.isNumber()) {
            throw invalid(file, "lora_alpha must be a number, found " + alpha);
        }
        JsonNode targetsNode = root.get("target_modules");
        List<String> targets = new ArrayList<>();
        if (targetsNode != null && targetsNode.isTextual()) {
            targets.add(targetsNode.asText());
        } else if (targetsNode != null && targetsNode.isArray()) {
            targetsNode.forEach(t -> targets.add(t.asText()));
        } else {
            throw invalid(file, "target_modules must be a list of module names or \"all-linear\", found " + targetsNode);
        }
        try {
            return LoraConfig.builder()
                    .rank(r.asInt())
                    .alpha(alpha.asDouble())
                    .dropout(root.path("lora_dropout").asDouble(0.0))
                    .targets(inModuleOrder(targets))
                    .rsLora(root.path("use_rslora").asBoolean(false))
                    .build();
        } catch (KefuException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": " + e.getMessage(), e);
        }
    }

    /** Sorts known module names into transformers' order; unknown names stay at the end for the config check to name. */
    private static List<String> inModuleOrder(List<String> targets) {
        if (targets.contains(LoraConfig.ALL_LINEAR)) {
            return targets;
        }
        List<String> out = new ArrayList<>();
        for (String module : LoraConfig.LINEAR_MODULES) {
            if (targets.contains(module)) {
                out.add(module);
            }
        }
        for (String t : targets) {
            if (!out.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }

    private static void check(LoraConfig config, SortedMap<String, FloatTensor> tensors, String where) {
        if (tensors.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, where + ": holds no LoRA tensors");
        }
        int r = config.rank();
        for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
            String name = e.getKey();
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, where + ": tensor '" + name + "' is not a LoRA weight"
                        + " of a decoder layer (expected base_model.model.model.layers.{i}.self_attn|mlp.{module}.lora_A|lora_B.weight)");
            }
            int layer = Integer.parseInt(m.group(1));
            String module = m.group(3);
            if (!config.targets().contains(module)) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, where + ": tensor '" + name + "' adapts " + module
                        + ", which is not in target_modules " + config.targets());
            }
            if (!DecoderLayout.modulePath(layer, module).equals("model.layers." + layer + "." + m.group(2) + "." + module)) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, where + ": tensor '" + name + "' puts " + module
                        + " under ." + m.group(2) + ".");
            }
            long[] shape = e.getValue().shape();
            boolean isA = m.group(4).equals("A");
            if (shape.length != 2 || (isA ? shape[0] != r : shape[1] != r)) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, where + ": tensor '" + name + "' has shape "
                        + Arrays.toString(shape) + "; lora_" + (isA ? "A must be [r=" + r + ", in_features]"
                        : "B must be [out_features, r=" + r + "]"));
            }
            String partner = isA ? loraBName(layer, module) : loraAName(layer, module);
            if (!tensors.containsKey(partner)) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, where + ": tensor '" + name + "' has no partner '"
                        + partner + "'");
            }
        }
    }

    /**
     * Checks every tensor against the base model: layers exist, {@code lora_A} is {@code [r, in]} and
     * {@code lora_B} is {@code [out, r]} for the module's features in that config.
     *
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} naming the offending tensor
     */
    public void validateAgainst(HfModelConfig base) {
        DecoderLayout layout = DecoderLayout.of(base);
        for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
            Matcher m = NAME.matcher(e.getKey());
            m.matches();
            int layer = Integer.parseInt(m.group(1));
            if (layer >= base.numHiddenLayers()) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "adapter tensor '" + e.getKey() + "' adapts layer "
                        + layer + " but the base model has " + base.numHiddenLayers() + " layers");
            }
            int[] io = layout.linearFeatures(m.group(3));
            long[] expected = m.group(4).equals("A") ? new long[] {config.rank(), io[0]} : new long[] {io[1], config.rank()};
            if (!Arrays.equals(e.getValue().shape(), expected)) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "adapter tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(e.getValue().shape()) + " but the base model " + base.architecture().className()
                        + " needs " + Arrays.toString(expected));
            }
        }
    }

    @Override
    public LoraConfig config() {
        return config;
    }

    @Override
    public String baseModel() {
        return baseModel;
    }

    @Override
    public List<String> tensorNames() {
        return List.copyOf(tensors.keySet());
    }

    /** @return every tensor by PEFT name, sorted */
    public SortedMap<String, FloatTensor> tensors() {
        return tensors;
    }

    /**
     * @return a tensor by PEFT name
     * @throws KefuException with {@link ErrorCode#NOT_FOUND} naming it when absent
     */
    public FloatTensor tensor(String name) {
        FloatTensor t = tensors.get(name);
        if (t == null) {
            throw new KefuException(ErrorCode.NOT_FOUND, "adapter has no tensor '" + name + "'");
        }
        return t;
    }

    /** @return whether the adapter adapts that module in that layer */
    public boolean adapts(int layer, String module) {
        return tensors.containsKey(loraAName(layer, module));
    }

    /** @return the layers that have at least one adapted module, ascending */
    public Set<Integer> layers() {
        Set<Integer> out = new TreeSet<>();
        for (String name : tensors.keySet()) {
            Matcher m = NAME.matcher(name);
            if (m.matches()) {
                out.add(Integer.parseInt(m.group(1)));
            }
        }
        return out;
    }

    /** Saves with fp32 weights. */
    @Override
    public void save(Path directory) {
        save(directory, Dtype.F32);
    }

    /**
     * Writes {@code adapter_config.json} and {@code adapter_model.safetensors} (weights in {@code dtype}:
     * F32, BF16 or F16) into the folder, creating it; both appear together or not at all.
     */
    public void save(Path directory, Dtype dtype) {
        if (!dtype.isFloatingPoint()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "adapter weights must be saved as a float dtype, not " + dtype);
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, directory + ": cannot create: " + e.getMessage(), e);
        }
        List<TensorSpec> specs = new ArrayList<>();
        tensors.forEach((name, t) -> specs.add(new TensorSpec(name, dtype, t.shape())));
        Path configTemp = AtomicFiles.tempSibling(directory.resolve(CONFIG_FILE));
        try (SafetensorsWriter writer = SafetensorsWriter.create(directory.resolve(WEIGHTS_FILE), Map.of("format", "pt"), specs)) {
            for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
                writer.write(e.getKey(), e.getValue().data());
            }
            writer.complete();
            Files.writeString(configTemp, configJson());
            writer.publish();
            AtomicFiles.moveIntoPlace(configTemp, directory.resolve(CONFIG_FILE));
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, directory.resolve(CONFIG_FILE) + ": cannot write: " + e.getMessage(), e);
        } finally {
            AtomicFiles.deleteQuietly(configTemp);
        }
    }

    /** @return adapter_config.json text, with PEFT's keys, as PEFT writes it */
    public String configJson() {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("alpha_pattern");
        root.putNull("auto_mapping");
        root.put("base_model_name_or_path", baseModel);
        root.put("bias", "none");
        root.put("fan_in_fan_out", false);
        root.put("inference_mode", true);
        root.put("init_lora_weights", true);
        root.putNull("layer_replication");
        root.putNull("layers_pattern");
        root.putNull("layers_to_transform");
        root.putObject("loftq_config");
        double alpha = config.alpha();
        if (alpha == Math.rint(alpha) && Math.abs(alpha) < 1e15) {
            root.put("lora_alpha", (long) alpha);
        } else {
            root.put("lora_alpha", alpha);
        }
        root.put("lora_dropout", config.dropout());
        root.putNull("megatron_config");
        root.put("megatron_core", "megatron.core");
        root.putNull("modules_to_save");
        root.put("peft_type", "LORA");
        root.put("r", config.rank());
        root.putObject("rank_pattern");
        root.putNull("revision");
        new TreeSet<>(config.targets()).forEach(root.putArray("target_modules")::add);
        root.put("task_type", "CAUSAL_LM");
        root.put("use_dora", false);
        root.put("use_rslora", config.rsLora());
        return PythonJson.dumps(root);
    }

    private static KefuException invalid(Path file, String message) {
        return new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": " + message);
    }

    @Override
    public String toString() {
        return "PeftAdapter[" + config + ", base=" + baseModel + ", " + tensors.size() + " tensors]";
    }
}
