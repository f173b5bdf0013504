package io.kefu.engine.onnx.export;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.engine.onnx.proto.Onnx;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports a Hugging Face checkpoint (Llama, Qwen 2, Qwen 3), optionally with a LoRA adapter merged
 * in, to a folder that ONNX Runtime, ONNX Runtime GenAI and Kefu's ONNX engine load:
 * {@code model.onnx} (plus {@code model.onnx.data} for models over 2 GB), {@code genai_config.json}, {@code kefu_export.json},
 * {@code config.json}, {@code generation_config.json} and the tokenizer files.
 *
 * <p>The folder is assembled under a temporary name beside the destination and renamed into place
 * when complete, so a failed export leaves nothing behind.
 */
public final class OnnxExporter {
    /** The graph's file name. */
    public static final String MODEL_FILE = "model.onnx";
    /** The external data file's name, used only for models over the inline limit. */
    public static final String DATA_FILE = "model.onnx.data";
    /** How the export was made (dtype, operators, weight quantization), as JSON. */
    public static final String EXPORT_SETTINGS_FILE = "kefu_export.json";
    /** Files copied from the checkpoint when present. */
    public static final List<String> COPIED_FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model", "vocab.json", "merges.txt",
            "chat_template.jinja");

    private static final Logger LOG = LoggerFactory.getLogger(OnnxExporter.class);
    private static final long ONNX_OPSET = 17;
    private static final long IR_VERSION = 8;

    private OnnxExporter() {
    }

    /** What an export wrote. */
    public record Result(Path directory, Path model, boolean externalData, long parameterCount, int nodeCount) {
    }

    /**
     * Exports {@code modelDir} to {@code outDir}, which must not exist or be empty.
     *
     * @param adapterDir a PEFT adapter folder to merge (W + scale * B A, in fp32), or empty
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when {@code outDir} holds files,
     *     {@link ErrorCode#INVALID_CHECKPOINT} / {@link ErrorCode#NOT_FOUND} for a bad checkpoint or adapter
     */
    public static Result export(Path modelDir, Optional<Path> adapterDir, Path outDir, ExportOptions options) {
        checkDestination(outDir);
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
            checkpoint.validateLayout();
            WeightSource weights = new CheckpointWeights(checkpoint);
            if (adapterDir.isPresent()) {
                weights = LoraMerge.over(weights, adapterDir.get());
            }
            Path absolute = outDir.toAbsolutePath();
            Path temp = createTempDirectory(absolute);
            try {
                Result result = write(checkpoint, weights, temp, options);
                moveIntoPlace(temp, absolute);
                LOG.info("exported {} to {} ({} nodes, {} parameters{})", modelDir, absolute, result.nodeCount(),
                        result.parameterCount(), result.externalData() ? ", external data" : "");
                return new Result(absolute, absolute.resolve(MODEL_FILE), result.externalData(), result.parameterCount(),
                        result.nodeCount());
            } catch (RuntimeException | Error e) {
                AtomicFiles.deleteRecursivelyQuietly(temp);
                throw e;
            }
        }
    }

    private static Result write(Checkpoint checkpoint, WeightSource weights, Path dir, ExportOptions options) {
        HfModelConfig config = checkpoint.config();
        DecoderLayout layout = DecoderLayout.of(config);
        long parameters = layout.parameterCount();
        boolean external = options.externalData() || weightBytes(layout, options) > ExportOptions.INLINE_LIMIT_BYTES;
        Onnx.ModelProto model;
        DecoderGraph decoder;
        try (TensorStore store = external ? TensorStore.external(dir.resolve(DATA_FILE), DATA_FILE) : TensorStore.inline()) {
            GraphBuilder graph = new GraphBuilder(config.modelType() + "_decoder", store);
            decoder = new DecoderGraph(weights, options, graph);
            decoder.build();
            Onnx.ModelProto.Builder m = Onnx.ModelProto.newBuilder()
                    .setIrVersion(IR_VERSION)
                    .setProducerName("kefu")
                    .setProducerVersion(version())
                    .setGraph(graph.build())
                    .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(ONNX_OPSET));
            if (options.operators() == ExportOptions.Operators.CONTRIB) {
                m.addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain(GraphBuilder.MS_DOMAIN).setVersion(1));
            }
            m.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey("kefu.architecture").setValue(config.architecture().className()));
            m.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey("kefu.precision").setValue(options.precision().label()));
            m.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey("kefu.quantization").setValue(quantizationLabel(options)));
            m.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey("kefu.operators").setValue(options.operators().name().toLowerCase(java.util.Locale.ROOT)));
            model = m.build();
        }
        Path modelFile = dir.resolve(MODEL_FILE);
        try (OutputStream out = Files.newOutputStream(modelFile)) {
            model.writeTo(out);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, modelFile + ": cannot write: " + e.getMessage(), e);
        }
        for (String name : COPIED_FILES) {
            Path source = checkpoint.directory().resolve(name);
            if (Files.isRegularFile(source)) {
                try {
                    Files.copy(source, dir.resolve(name));
                } catch (IOException e) {
                    throw new KefuException(ErrorCode.IO, source + ": cannot copy into the export: " + e.getMessage(), e);
                }
            }
        }
        writeString(dir.resolve(EXPORT_SETTINGS_FILE), exportSettings(options));
        writeString(dir.resolve("genai_config.json"),
                GenAiConfig.json(config, checkpoint.generationConfig(), MODEL_FILE, decoder.contextLength(),
                        options.kvCache() == ExportOptions.KvCache.SHARED));
        return new Result(dir, modelFile, external, parameters, model.getGraph().getNodeCount());
    }

    /** @return the settings of {@code kefu_export.json}: what a tool reading the export needs to know of its weights */
    static String exportSettings(ExportOptions options) {
        com.fasterxml.jackson.databind.node.ObjectNode json = io.kefu.runtime.format.Json.mapper().createObjectNode();
        json.put("dtype", options.precision().label());
        json.put("operators", options.operators().name().toLowerCase(java.util.Locale.ROOT));
        json.put("quantization", options.quantization().name().toLowerCase(java.util.Locale.ROOT));
        json.put("kv_cache", options.kvCache().label());
        if (options.quantization() != ExportOptions.Quantization.NONE) {
            json.put("block_size", options.blockSize());
            json.put("symmetric", options.symmetric());
            json.put("accuracy_level", options.accuracyLevel());
            json.put("quantize_lm_head", options.quantizeLmHead());
            json.put("quantize_embedding", options.quantizeEmbedding());
        }
        return json.toPrettyString() + "\n";
    }

    /** @return about how many bytes the exported weights take (quantized ones with their scales and zero points) */
    static long weightBytes(DecoderLayout layout, ExportOptions options) {
        int bytesPerWeight = options.precision() == ExportOptions.Precision.FP16 ? 2 : 4;
        if (options.quantization() == ExportOptions.Quantization.NONE) {
            return layout.parameterCount() * bytesPerWeight;
        }
        long quantizedInLayout = 0;
        for (String name : layout.names()) {
            if (name.endsWith("_proj.weight") || (options.quantizeLmHead() && name.equals("lm_head.weight"))
                    || (options.quantizeEmbedding() && name.equals("model.embed_tokens.weight"))) {
                long[] shape = layout.shape(name);
                quantizedInLayout += shape[0] * shape[1];
            }
        }
        HfModelConfig config = layout.config();
        // a tied head is quantized as a copy of the embedding (which stays in full unless it is quantized too)
        long tiedHead = options.quantizeLmHead() && config.tieWordEmbeddings() ? (long) config.vocabSize() * config.hiddenSize() : 0;
        double perQuantized = options.quantization().bits() / 8.0 + (bytesPerWeight + 1.0) / options.blockSize();
        return (layout.parameterCount() - quantizedInLayout) * bytesPerWeight
                + (long) Math.ceil((quantizedInLayout + tiedHead) * perQuantized);
    }

    private static String quantizationLabel(ExportOptions options) {
        if (options.quantization() == ExportOptions.Quantization.NONE) {
            return "none";
        }
        return options.quantization().name().toLowerCase(java.util.Locale.ROOT) + " block " + options.blockSize()
                + (options.symmetric() ? " symmetric" : " asymmetric") + " accuracy_level " + options.accuracyLevel()
                + (options.quantizeLmHead() ? " lm_head" : "") + (options.quantizeEmbedding() ? " embedding" : "");
    }

    private static void checkDestination(Path outDir) {
        if (Files.isRegularFile(outDir)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, outDir + ": is a file; the export needs a new or empty folder");
        }
        if (Files.isDirectory(outDir)) {
            try (Stream<Path> entries = Files.list(outDir)) {
                if (entries.findAny().isPresent()) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, outDir
                            + ": folder is not empty; the export writes into a new or empty folder and never overwrites files");
                }
            } catch (IOException e) {
                throw new KefuException(ErrorCode.IO, outDir + ": cannot list: " + e.getMessage(), e);
            }
        }
    }

    private static Path createTempDirectory(Path target) {
        Path parent = target.getParent();
        try {
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, "." + target.getFileName() + ".");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, parent + ": cannot create a temporary folder: " + e.getMessage(), e);
        }
    }

    private static void moveIntoPlace(Path temp, Path target) {
        try {
            AtomicFiles.moveFolderIntoPlace(temp, target); // only an empty folder can be at target (checked before)
        } catch (DirectoryNotEmptyException | FileAlreadyExistsException e) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, target + ": something was written there during the export; nothing was replaced", e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, target + ": cannot move the finished export into place: " + e.getMessage(), e);
        }
    }

    private static void writeString(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static String version() {
        String v = OnnxExporter.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }
}
