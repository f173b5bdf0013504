package io.kefu.engine.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Json;
import io.kefu.runtime.generate.JoinableDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An ONNX decoder with a key/value cache, loaded into an ONNX Runtime session: any graph with the
 * ONNX Runtime GenAI / Optimum names ({@code input_ids}, {@code attention_mask}, optional
 * {@code position_ids}, {@code past_key_values.{i}.key|value} in, {@code logits},
 * {@code present.{i}.key|value} out; cache as (batch, kv_heads, seq, head_dim)), whoever exported
 * it. The dimensions are read from the graph itself. Thread-safe; each decoder made from it decodes
 * one batch: an {@link OnnxDecoder} feeding each step's present outputs back, or, for Kefu's exports
 * with a shared cache ({@code kv_cache: shared} in {@code kefu_export.json}), a {@link SharedCacheDecoder}.
 */
public final class OnnxDecoderModel implements AutoCloseable {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String POSITION_IDS = "position_ids";
    static final String LOGITS = "logits";

    private final Path file;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final SessionSettings settings;
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int vocabSize;
    private final OnnxJavaType cacheType;
    private final OnnxJavaType logitsType;
    private final boolean hasPositionIds;
    private final int maxSequenceLength;
    private final boolean sharedCache;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OnnxDecoderModel(Path file, OrtEnvironment env, OrtSession session, SessionSettings settings, int maxSequenceLength,
                             boolean sharedCache) {
        this.file = file;
        this.sharedCache = sharedCache;
        this.env = env;
        this.session = session;
        this.settings = settings;
        this.maxSequenceLength = maxSequenceLength;
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            require(inputs.containsKey(INPUT_IDS), "input", INPUT_IDS);
            require(inputs.containsKey(ATTENTION_MASK), "input", ATTENTION_MASK);
            require(outputs.containsKey(LOGITS), "output", LOGITS);
            this.hasPositionIds = inputs.containsKey(POSITION_IDS);
            int n = 0;
            while (inputs.containsKey(pastKey(n))) {
                require(inputs.containsKey(pastValue(n)), "input", pastValue(n));
                require(outputs.containsKey(presentKey(n)), "output", presentKey(n));
                require(outputs.containsKey(presentValue(n)), "output", presentValue(n));
                n++;
            }
            require(n > 0, "input", pastKey(0));
            this.layers = n;
            TensorInfo past = (TensorInfo) inputs.get(pastKey(0)).getInfo();
            long[] shape = past.getShape();
            if (shape.length != 4 || shape[1] <= 0 || shape[3] <= 0) {
                throw invalid(pastKey(0) + " has shape " + java.util.Arrays.toString(shape)
                        + "; expected (batch, kv_heads, past_sequence_length, head_dim) with fixed kv_heads and head_dim");
            }
            this.kvHeads = (int) shape[1];
            this.headDim = (int) shape[3];
            this.cacheType = past.type;
            if (cacheType != OnnxJavaType.FLOAT && cacheType != OnnxJavaType.FLOAT16) {
                throw invalid(pastKey(0) + " has element type " + cacheType + "; supported: float, float16");
            }
            long[] logits = ((TensorInfo) outputs.get(LOGITS).getInfo()).getShape();
            if (logits.length != 3 || logits[2] <= 0) {
                throw invalid("output logits has shape " + java.util.Arrays.toString(logits)
                        + "; expected (batch, sequence, vocab) with a fixed vocab size");
            }
            this.vocabSize = (int) logits[2];
            this.logitsType = ((TensorInfo) outputs.get(LOGITS).getInfo()).type;
        } catch (OrtException e) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, file + ": cannot read the graph's inputs and outputs: " + e.getMessage(), e);
        }
    }

    /**
     * Loads {@code model.onnx} (or the given .onnx file) into a session.
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when the file is missing,
     *     {@link ErrorCode#ENGINE_UNAVAILABLE} when the selected device cannot be used here (the
     *     message names what is missing), {@link ErrorCode#INVALID_CHECKPOINT} when the graph lacks
     *     the decoder inputs and outputs
     */
    public static OnnxDecoderModel load(Path fileOrDir, SessionSettings settings) {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("model.onnx") : fileOrDir;
        if (!Files.isRegularFile(file)) {
            throw new KefuException(ErrorCode.NOT_FOUND, file + ": ONNX model not found");
        }
        boolean shared = sharedCache(file.getParent());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = sessionOptions(settings)) {
            OrtSession session = env.createSession(file.toString(), options);
            try {
                return new OnnxDecoderModel(file, env, session, settings, contextLength(file.getParent()), shared);
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
        } catch (OrtException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /** Builds ONNX Runtime session options; selecting CUDA where it cannot run fails here, naming what is missing. */
    static OrtSession.SessionOptions sessionOptions(SessionSettings settings) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(settings.intraOpThreads());
            options.setInterOpNumThreads(settings.interOpThreads());
            options.setOptimizationLevel(switch (settings.optimization()) {
                case NONE -> OrtSession.SessionOptions.OptLevel.NO_OPT;
                case BASIC -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
                case EXTENDED -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                case ALL -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            });
            options.setCPUArenaAllocator(settings.memoryArena());
            options.addConfigEntry("session.intra_op.allow_spinning", settings.spinning() ? "1" : "0");
            // spin between the operators of a run, not between runs: the caller's threads get the cores back
            options.addConfigEntry("session.force_spinning_stop", "1");
            if (settings.device() == SessionSettings.Device.CUDA) {
                addCuda(options, settings.cudaDevice());
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    private static void addCuda(OrtSession.SessionOptions options, int device) {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            throw new KefuException(ErrorCode.ENGINE_UNAVAILABLE, "device CUDA was selected, but the ONNX Runtime on the class path"
                    + " has no CUDA execution provider (providers here: " + OrtEnvironment.getAvailableProviders()
                    + "). Put com.microsoft.onnxruntime:onnxruntime_gpu on the class path instead of onnxruntime, with the"
                    + " CUDA 12 runtime, cuBLAS and cuDNN 9 libraries on the library path, or select device CPU ("
                    + SessionSettings.DEVICE_PROPERTY + "=cpu)");
        }
        try {
            options.addCUDA(device);
        } catch (OrtException e) {
            throw new KefuException(ErrorCode.ENGINE_UNAVAILABLE, "device CUDA was selected, but ONNX Runtime's CUDA execution"
                    + " provider cannot start on device " + device + ": " + e.getMessage()
                    + " (it needs an NVIDIA driver, the CUDA 12 runtime, cuBLAS and cuDNN 9 libraries on the library path)", e);
        }
    }

    /**
     * Whether the graph writes its key/value cache into a shared fixed-size buffer (ONNX Runtime
     * GenAI's {@code past_present_share_buffer}). Kefu feeds such a graph only when its own exporter
     * made it ({@code kv_cache: shared} in {@code kefu_export.json}, whose mask and position
     * conventions are known); other shared-buffer graphs are refused rather than run wrongly.
     */
    private static boolean sharedCache(Path dir) {
        Path genai = dir == null ? null : dir.resolve("genai_config.json");
        if (genai == null || !Files.isRegularFile(genai)) {
            return false;
        }
        try {
            if (!Json.mapper().readTree(Files.readString(genai)).path("search").path("past_present_share_buffer").asBoolean(false)) {
                return false;
            }
            Path settings = dir.resolve("kefu_export.json");
            if (Files.isRegularFile(settings)
                    && Json.mapper().readTree(Files.readString(settings)).path("kv_cache").asText("").equals("shared")) {
                return true;
            }
            throw new KefuException(ErrorCode.UNSUPPORTED, genai + ": search.past_present_share_buffer is true, but "
                    + (Files.isRegularFile(settings) ? settings + " does not say kv_cache shared" : "there is no kefu_export.json")
                    + ": the graph writes its key/value cache into a fixed-size shared buffer, which Kefu's ONNX engine feeds"
                    + " only for its own exports; export the model with kefu export onnx (--kv-cache shared or growing), or with"
                    + " a growing cache (Optimum)");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, dir + ": cannot read genai_config.json / kefu_export.json: "
                    + e.getMessage(), e);
        }
    }

    /** context_length from genai_config.json, else max_position_embeddings from config.json, else unlimited. */
    private static int contextLength(Path dir) {
        if (dir == null) {
            return Integer.MAX_VALUE;
        }
        ObjectMapper json = Json.mapper();
        try {
            Path genai = dir.resolve("genai_config.json");
            if (Files.isRegularFile(genai)) {
                JsonNode n = json.readTree(Files.readString(genai)).path("model").path("context_length");
                if (n.canConvertToInt() && n.asInt() > 0) {
                    return n.asInt();
                }
            }
            Path config = dir.resolve("config.json");
            if (Files.isRegularFile(config)) {
                JsonNode n = json.readTree(Files.readString(config)).path("max_position_embeddings");
                if (n.canConvertToInt() && n.asInt() > 0) {
                    return n.asInt();
                }
            }
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, dir + ": cannot read genai_config.json / config.json: " + e.getMessage(), e);
        }
        return Integer.MAX_VALUE;
    }

    static String pastKey(int layer) { return "past_key_values." + layer + ".key"; }

    static String pastValue(int layer) { return "past_key_values." + layer + ".value"; }

    static String presentKey(int layer) { return "present." + layer + ".key"; }

    static String presentValue(int layer) { return "present." + layer + ".value"; }

    private void require(boolean ok, String kind, String name) {
        if (!ok) {
            throw invalid("the graph has no " + kind + " '" + name + "'; a decoder with a key/value cache needs input_ids,"
                    + " attention_mask, past_key_values.{i}.key|value and outputs logits, present.{i}.key|value");
        }
    }

    private KefuException invalid(String message) {
        return new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": " + message);
    }

    /** @return a decoder for one batch */
    public JoinableDecoder newDecoder() {
        checkOpen();
        return sharedCache ? new SharedCacheDecoder(this) : new OnnxDecoder(this);
    }

    /** @return whether past and present share one buffer written in place */
    public boolean sharedCache() { return sharedCache; }

    void checkOpen() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, file + ": the ONNX model was closed");
        }
    }

    /** @return the .onnx file */
    public Path file() { return file; }

    /** @return the session settings it was loaded with */
    public SessionSettings settings() { return settings; }

    /** @return the number of layers (pairs of cache inputs) */
    public int layers() { return layers; }

    /** @return key/value heads per layer */
    public int kvHeads() { return kvHeads; }

    /** @return the head size */
    public int headDim() { return headDim; }

    /** @return the number of logits per position */
    public int vocabSize() { return vocabSize; }

    /** @return the most positions a row may hold */
    public int maxSequenceLength() { return maxSequenceLength; }

    OnnxJavaType cacheType() { return cacheType; }

    /** @return the element type of the logits output */
    OnnxJavaType logitsType() { return logitsType; }

    boolean hasPositionIds() { return hasPositionIds; }

    OrtEnvironment env() { return env; }

    OrtSession session() { return session; }

    /** Closes the session; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                session.close();
            } catch (OrtException e) {
                throw new KefuException(ErrorCode.ENGINE_FAILURE, file + ": closing the ONNX Runtime session failed: " + e.getMessage(), e);
            }
        }
    }
}
