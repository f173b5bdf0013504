package io.kefu.runtime.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A Hugging Face checkpoint folder: {@code config.json} plus {@code model.safetensors}, or shards
 * {@code model-0000x-of-0000y.safetensors} listed in {@code model.safetensors.index.json}.
 *
 * <p>Pickle checkpoints ({@code pytorch_model.bin}, {@code *.pt}, {@code *.pth}, {@code *.pkl},
 * {@code *.ckpt}) are refused: unpickling can execute arbitrary code. The error says how to convert
 * them. Every tensor of every shard is validated on open ({@link SafetensorsFile#open}); a tensor
 * that the index names but its shard lacks, or that is asked for and absent, is named in the error.
 *
 * <p>Thread-safe. {@link #close()} closes all shards; idempotent.
 */
public final class Checkpoint implements AutoCloseable {
    /** The single-file weights name. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** The shard index name. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final List<String> PICKLE_SUFFIXES = List.of(".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt");

    private final Path directory;
    private final HfModelConfig config;
    private final Optional<GenerationConfig> generationConfig;
    private final Map<String, SafetensorsFile> fileOfTensor;
    private final List<SafetensorsFile> files;

    private Checkpoint(Path directory, HfModelConfig config, Optional<GenerationConfig> generationConfig,
                       Map<String, SafetensorsFile> fileOfTensor, List<SafetensorsFile> files) {
        this.directory = directory;
        this.config = config;
        this.generationConfig = generationConfig;
        this.fileOfTensor = fileOfTensor;
        this.files = files;
    }

    /**
     * Opens a checkpoint folder and validates config.json, the index and every shard header.
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when the folder or its weights are missing,
     *     {@link ErrorCode#INVALID_CHECKPOINT} when anything is malformed, pickled or of an unknown architecture
     */
    public static Checkpoint open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new KefuException(ErrorCode.NOT_FOUND, directory + ": checkpoint folder not found");
        }
        HfModelConfig config = HfModelConfig.load(directory);
        Path single = directory.resolve(SINGLE_FILE);
        Path index = directory.resolve(INDEX_FILE);
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> fileOfTensor = new TreeMap<>();
        try {
            if (Files.isRegularFile(index)) {
                readSharded(directory, index, files, fileOfTensor);
            } else if (Files.isRegularFile(single)) {
                SafetensorsFile file = SafetensorsFile.open(single);
                files.add(file);
                for (String name : file.names()) {
                    fileOfTensor.put(name, file);
                }
            } else {
                throw noWeights(directory);
            }
            return new Checkpoint(directory, config, GenerationConfig.load(directory),
                    java.util.Collections.unmodifiableMap(fileOfTensor), List.copyOf(files));
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static void readSharded(Path directory, Path index, List<SafetensorsFile> files,
                                    Map<String, SafetensorsFile> fileOfTensor) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readString(index));
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, index + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, index + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, index + ": missing object weight_map");
        }
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : weightMap.properties()) {
            String shardName = entry.getValue().asText();
            Path shardPath = directory.resolve(shardName).normalize();
            if (!entry.getValue().isTextual() || !shardPath.getParent().equals(directory.normalize())
                    || !shardName.endsWith(".safetensors")) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, index + ": weight_map['" + entry.getKey()
                        + "'] = " + entry.getValue() + " is not a .safetensors file name in this folder");
            }
            SafetensorsFile shard = shards.get(shardName);
            if (shard == null) {
                if (!Files.isRegularFile(shardPath)) {
                    throw new KefuException(ErrorCode.INVALID_CHECKPOINT, index + ": weight_map puts tensor '"
                            + entry.getKey() + "' in " + shardName + ", which does not exist");
                }
                shard = SafetensorsFile.open(shardPath);
                shards.put(shardName, shard);
                files.add(shard);
            }
            if (!shard.contains(entry.getKey())) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, index + ": weight_map puts tensor '"
                        + entry.getKey() + "' in " + shardName + ", but that shard has no such tensor");
            }
            fileOfTensor.put(entry.getKey(), shard);
        }
    }

    private static KefuException noWeights(Path directory) {
        List<String> pickles = new ArrayList<>();
        try (Stream<Path> list = Files.list(directory)) {
            list.map(p -> p.getFileName().toString())
                    .filter(n -> PICKLE_SUFFIXES.stream().anyMatch(s -> n.toLowerCase(Locale.ROOT).endsWith(s)))
                    .sorted()
                    .forEach(pickles::add);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, directory + ": cannot list: " + e.getMessage(), e);
        }
        if (!pickles.isEmpty()) {
            return new KefuException(ErrorCode.INVALID_CHECKPOINT, directory + ": holds only pickle weights " + pickles
                    + ". Kefu refuses pickle checkpoints because loading them can execute arbitrary code. Convert them to"
                    + " safetensors once, in a Python environment you trust: python -c \"from transformers import"
                    + " AutoModelForCausalLM as M; M.from_pretrained('" + directory + "').save_pretrained('OUT_DIR',"
                    + " safe_serialization=True)\" (then copy the tokenizer files), or download the model's"
                    + " .safetensors files instead");
        }
        return new KefuException(ErrorCode.NOT_FOUND, directory + ": no " + SINGLE_FILE + " and no " + INDEX_FILE
                + " (a Hugging Face checkpoint needs one of them)");
    }

    /** @return the folder */
    public Path directory() {
        return directory;
    }

    /** @return the parsed config.json */
    public HfModelConfig config() {
        return config;
    }

    /** @return the parsed generation_config.json, or empty when the folder has none */
    public Optional<GenerationConfig> generationConfig() {
        return generationConfig;
    }

    /** @return every tensor name, sorted */
    public List<String> tensorNames() {
        return List.copyOf(fileOfTensor.keySet());
    }

    /**
     * @return every tensor as a spec (name, on-disk dtype, shape), ordered by file and then by
     *     position in the file: the order to write a copy or a merge in
     */
    public List<TensorSpec> tensorSpecs() {
        List<TensorSpec> out = new ArrayList<>();
        for (SafetensorsFile file : files) {
            List<TensorInfo> infos = new ArrayList<>(file.tensors());
            infos.sort(java.util.Comparator.comparingLong(TensorInfo::begin).thenComparing(TensorInfo::name));
            for (TensorInfo info : infos) {
                if (fileOfTensor.get(info.name()) == file) {
                    out.add(new TensorSpec(info.name(), info.dtype(), info.shape()));
                }
            }
        }
        return out;
    }

    /** @return the safetensors files, in index order */
    public List<SafetensorsFile> files() {
        return files;
    }

    /** @return whether the checkpoint holds the tensor */
    public boolean contains(String name) {
        return fileOfTensor.containsKey(name);
    }

    /**
     * @return the file holding a tensor
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} naming the missing tensor
     */
    public SafetensorsFile fileOf(String name) {
        SafetensorsFile file = fileOfTensor.get(name);
        if (file == null) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, directory + ": checkpoint has no tensor '" + name
                    + "' (" + config.architecture().className() + " with " + config.numHiddenLayers()
                    + " layers needs it)");
        }
        return file;
    }

    /** @return a tensor's header entry; a missing tensor is named in the error */
    public TensorInfo tensor(String name) {
        return fileOf(name).tensor(name);
    }

    /** @return a floating-point tensor as fp32 */
    public float[] readFloats(String name) {
        return fileOf(name).readFloats(name);
    }

    /**
     * @return a floating-point tensor as fp32, after checking its shape
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} naming the tensor and both shapes
     */
    public float[] readFloats(String name, long... expectedShape) {
        requireShape(name, expectedShape);
        return readFloats(name);
    }

    /** Reads a window of a tensor of any size; see {@link SafetensorsFile#readFloats(String, long, float[], int, int)}. */
    public void readFloats(String name, long fromElement, float[] dst, int dstOffset, int count) {
        fileOf(name).readFloats(name, fromElement, dst, dstOffset, count);
    }

    /** @return a tensor's bytes, mapped without copying (little-endian, read-only) */
    public ByteBuffer rawBytes(String name) {
        return fileOf(name).rawBytes(name);
    }

    /** @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} when the tensor is missing or misshapen */
    public void requireShape(String name, long... expectedShape) {
        TensorInfo info = tensor(name);
        if (!info.hasShape(expectedShape)) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, directory + ": tensor '" + name + "' has shape "
                    + info.shapeString() + " but config.json implies " + Arrays.toString(expectedShape));
        }
    }

    /**
     * Checks that every tensor the config implies is present with the right shape and a float dtype
     * (extra tensors, such as an {@code lm_head.weight} kept beside tied embeddings, are allowed).
     *
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} naming the first missing or misshapen tensor
     */
    public void validateLayout() {
        DecoderLayout layout = DecoderLayout.of(config);
        for (String name : layout.names()) {
            requireShape(name, layout.shape(name));
            Dtype dtype = tensor(name).dtype();
            if (!dtype.isFloatingPoint()) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, directory + ": tensor '" + name + "' has dtype "
                        + dtype + "; weights must be F32, F16 or BF16");
            }
        }
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "Checkpoint[" + directory + ", " + config.architecture() + ", " + fileOfTensor.size() + " tensors]";
    }
}
