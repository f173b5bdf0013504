package io.kefu.engine.onnx;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.hub.Hub;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatTemplate;
import io.kefu.runtime.format.GenerationConfig;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.engine.onnx.export.ExportOptions;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.kefu.engine.onnx.export.MatmulGraph;
import io.kefu.engine.onnx.export.OnnxExporter;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.EngineOptions;
import io.kefu.model.MatmulRate;
import io.kefu.model.ModelRef;
import io.kefu.train.Adapter;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime engine ({@code onnx}): serves exported ONNX decoders, and exports Hugging Face
 * checkpoints to them. {@link #load(ModelRef)} takes a folder with {@code model.onnx} (from
 * {@code kefu export onnx}, ONNX Runtime GenAI's builder or Optimum, with the tokenizer files), or a
 * Hugging Face checkpoint folder, which it exports to a temporary folder first. Session settings
 * come from the engine options, then the system properties ({@link SessionSettings#of(EngineOptions)}).
 * It does not train. Closing it refuses further use; the models it returned are closed on their own.
 */
public final class OnnxEngine implements Engine {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxEngine.class);

    private final SessionSettings settings;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** An engine with the settings of the {@code kefu.onnx.*} system properties. */
    public OnnxEngine() {
        this(SessionSettings.fromSystemProperties());
    }

    /** An engine with {@code options}, falling back to the {@code kefu.onnx.*} system properties. */
    public OnnxEngine(EngineOptions options) {
        this(SessionSettings.of(options));
    }

    /** An engine whose sessions use {@code settings}. */
    public OnnxEngine(SessionSettings settings) {
        this.settings = settings;
    }

    @Override
    public String id() {
        return "onnx";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.CHAT);
    }

    /** @return the session settings every model of this engine runs with */
    public SessionSettings settings() {
        return settings;
    }

    /** Refuses further use; idempotent. The engine holds no native memory of its own. */
    @Override
    public void close() {
        closed.set(true);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "engine 'onnx' is closed");
        }
    }

    @Override
    public BaseModel load(ModelRef ref) {
        checkOpen();
        Path dir = Hub.resolve(ref);
        if (Files.isRegularFile(dir.resolve(OnnxExporter.MODEL_FILE))) {
            return new OnnxBaseModel(ref, dir, Optional.empty(), false);
        }
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            Path temp = exportToTemp(dir, Optional.empty());
            return new OnnxBaseModel(ref, temp, Optional.of(dir), true);
        }
        throw new KefuException(ErrorCode.NOT_FOUND, dir + ": holds neither model.onnx nor config.json;"
                + " the ONNX engine loads an exported ONNX model folder or a Hugging Face checkpoint");
    }

    private Path exportToTemp(Path checkpoint, Optional<Path> adapter) {
        Path temp;
        try {
            temp = Files.createTempDirectory("kefu-onnx-");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, "cannot create a temporary folder for the ONNX export: " + e.getMessage(), e);
        }
        LOG.info("exporting {} to ONNX in {}", checkpoint, temp);
        // served only by this engine: on the CPU the cache that copies nothing per step (its buffers are host memory,
        // which a GPU session would copy to and from the device every step)
        ExportOptions.KvCache cache = settings.device() == SessionSettings.Device.CPU ? ExportOptions.KvCache.SHARED
                : ExportOptions.KvCache.GROWING;
        OnnxExporter.export(checkpoint, adapter, temp, ExportOptions.builder().kvCache(cache).build());
        return temp;
    }

    /** A chat model that batches concurrent calls with {@link BatchingOptions#defaults()}. */
    @Override
    public ChatModel chatModel(BaseModel base, List<Adapter> adapters) {
        return chatModel(base, adapters, BatchingOptions.defaults());
    }

    /**
     * A chat model that decodes concurrent calls together, continuously: a call joins the running
     * batch at the next token; {@link BatchingOptions#oneAtATime()} decodes them one after another.
     */
    @Override
    public ChatModel chatModel(BaseModel base, List<Adapter> adapters, BatchingOptions batching) {
        checkOpen();
        if (!(base instanceof OnnxBaseModel onnx)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "base model " + base.ref().value()
                    + " was loaded by another engine; load it with Engines.get(\"onnx\").load(...)");
        }
        if (adapters.isEmpty()) {
            return open(onnx.directory(), onnx.ref().value(), List.of(), null, batching);
        }
        if (adapters.size() > 1) {
            throw new KefuException(ErrorCode.UNSUPPORTED, "the ONNX engine serves one adapter, merged into the graph; got "
                    + adapters.size() + ". Export one model per adapter");
        }
        Path checkpoint = onnx.checkpoint().orElseThrow(() -> new KefuException(ErrorCode.UNSUPPORTED, onnx.directory()
                + ": an adapter can only be merged while exporting; load the Hugging Face checkpoint, or export with"
                + " kefu export onnx --adapter"));
        Path adapterDir;
        try {
            adapterDir = Files.createTempDirectory("kefu-onnx-adapter-");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, "cannot create a temporary folder for the adapter: " + e.getMessage(), e);
        }
        Path exported;
        try {
            Path saved = adapterDir.resolve("adapter");
            adapters.get(0).save(saved);
            exported = exportToTemp(checkpoint, Optional.of(saved));
        } finally {
            AtomicFiles.deleteRecursivelyQuietly(adapterDir);
        }
        String name = "adapter";
        return open(exported, onnx.ref().value(), List.of(name), () -> AtomicFiles.deleteRecursivelyQuietly(exported), batching);
    }

    /** Opens the decoder, tokenizer and template of an exported folder as a chat model. */
    ChatModel open(Path dir, String id, List<String> adapters, AutoCloseable owner, BatchingOptions batching) {
        HfTokenizer tokenizer = HfTokenizer.load(dir);
        try {
            ChatTemplate template = HfChatTemplate.fromModelDir(dir);
            OnnxDecoderModel model = OnnxDecoderModel.load(dir, settings);
            return new OnnxChatModel(model, tokenizer, template, eosTokenIds(dir), id, adapters, owner, batching);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** EOS ids from generation_config.json, else config.json. */
    private static List<Integer> eosTokenIds(Path dir) {
        Optional<GenerationConfig> generation = GenerationConfig.load(dir);
        if (generation.isPresent() && !generation.get().eosTokenIds().isEmpty()) {
            return generation.get().eosTokenIds();
        }
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            return HfModelConfig.load(dir).eosTokenIds();
        }
        return List.of();
    }

    /** Multiplies two fp32 {@code n x n} matrices with ONNX Runtime's MatMul, with this engine's session settings. */
    @Override
    public MatmulRate measureMatmul(int n, Duration duration) {
        checkOpen();
        if (n < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "matrix size n=" + n + " must be positive");
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] values = new float[n * n];
        java.util.Arrays.fill(values, 0.5f);
        try (OrtSession.SessionOptions options = OnnxDecoderModel.sessionOptions(settings);
             OrtSession session = env.createSession(MatmulGraph.bytes(n), options);
             OnnxTensor a = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), new long[] {n, n});
             OnnxTensor b = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), new long[] {n, n})) {
            Map<String, OnnxTensor> inputs = Map.of("a", a, "b", b);
            session.run(inputs).close(); // warm-up
            long runs = 0;
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            do {
                session.run(inputs).close();
                runs++;
            } while (System.nanoTime() < end);
            double seconds = (System.nanoTime() - start) / 1e9;
            int threads = settings.intraOpThreads() > 0 ? settings.intraOpThreads() : Runtime.getRuntime().availableProcessors();
            return new MatmulRate(threads, 2.0 * n * n * n * runs / seconds / 1e9);
        } catch (OrtException e) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "ONNX Runtime failed to multiply matrices: " + e.getMessage(), e);
        }
    }

    /**
     * Exports with {@link OnnxExporter}. Options: {@code dtype} ({@code fp32} | {@code fp16}),
     * {@code operators} ({@code contrib} | {@code standard}), {@code externalData} ({@code true} |
     * {@code false}), {@code contextLength} (a positive integer), {@code logits} ({@code all} | {@code last}); weight-only
     * quantization: {@code quantize} ({@code none} | {@code int4} | {@code int8}), {@code blockSize} (16 .. 256, a power of
     * two), {@code symmetric}, {@code accuracyLevel} (0, 1, 2, 4), {@code quantizeLmHead}, {@code quantizeEmbedding}; {@code kvCache} ({@code growing} |
     * {@code shared}) (see {@link ExportOptions}).
     */
    @Override
    public Path export(Path baseModel, Optional<Path> adapter, Path out, Map<String, String> options) {
        checkOpen();
        ExportOptions.Builder b = ExportOptions.builder();
        for (Map.Entry<String, String> e : options.entrySet()) {
            String value = e.getValue();
            switch (e.getKey()) {
                case "dtype" -> b.precision(ExportOptions.Precision.parse(value));
                case "operators" -> b.operators(switch (value.toLowerCase(java.util.Locale.ROOT)) {
                    case "contrib" -> ExportOptions.Operators.CONTRIB;
                    case "standard" -> ExportOptions.Operators.STANDARD;
                    default -> throw new KefuException(ErrorCode.INVALID_ARGUMENT, "export option operators='" + value
                            + "' is not one of contrib, standard");
                });
                case "externalData" -> b.externalData(booleanOption(e));
                case "logits" -> {
                    if (!value.equals("all") && !value.equals("last")) {
                        throw new KefuException(ErrorCode.INVALID_ARGUMENT, "export option logits='" + value + "' must be all or last");
                    }
                    b.lastLogitsOnly(value.equals("last"));
                }
                case "contextLength" -> b.contextLength(integerOption(e));
                case "quantize" -> b.quantization(ExportOptions.Quantization.parse(value));
                case "blockSize" -> b.blockSize(integerOption(e));
                case "accuracyLevel" -> b.accuracyLevel(integerOption(e));
                case "symmetric" -> b.symmetric(booleanOption(e));
                case "quantizeLmHead" -> b.quantizeLmHead(booleanOption(e));
                case "quantizeEmbedding" -> b.quantizeEmbedding(booleanOption(e));
                case "kvCache" -> b.kvCache(ExportOptions.KvCache.parse(value));
                default -> throw new KefuException(ErrorCode.INVALID_ARGUMENT, "unknown export option '" + e.getKey()
                        + "'; the ONNX engine knows dtype, operators, externalData, contextLength, logits, quantize, blockSize,"
                        + " symmetric, accuracyLevel, quantizeLmHead, quantizeEmbedding, kvCache");
            }
        }
        return OnnxExporter.export(baseModel, adapter, out, b.build()).directory();
    }

    private static int integerOption(Map.Entry<String, String> option) {
        try {
            return Integer.parseInt(option.getValue());
        } catch (NumberFormatException e) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "export option " + option.getKey() + "='" + option.getValue()
                    + "' is not an integer", e);
        }
    }

    private static boolean booleanOption(Map.Entry<String, String> option) {
        if (!option.getValue().equals("true") && !option.getValue().equals("false")) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "export option " + option.getKey() + "='" + option.getValue()
                    + "' must be true or false");
        }
        return Boolean.parseBoolean(option.getValue());
    }
}
