package io.kefu.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.GenerationParameters;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.Json;
import io.kefu.engine.onnx.export.OnnxExporter;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.MatmulRate;
import io.kefu.model.ModelRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kefu bench decode}: decode throughput of each engine on the same checkpoint, at several
 * batch sizes, beside the memory-bandwidth bound (measured read bandwidth divided by the bytes of
 * weights read per decoding step; copy bandwidth is printed beside it). Engines are found through {@link Engines}: any engine on the
 * class path (ONNX Runtime, DJL, a vendor's) is measured the same way, through
 * {@link ChatModel#chatBatch(List)}. Jlama, which needs Java 21+, is measured in a forked JVM by
 * {@link JlamaBench} (batch 1 only: Jlama decodes one sequence per KV cache). Each engine's thread
 * count and raw fp32 matmul rate
 * ({@link Engine#measureMatmul}) are printed beside its result, so the comparison can be judged even.
 */
@Command(name = "decode",
        mixinStandardHelpOptions = true,
        description = {"Measure decode tokens/s per engine beside the memory-bandwidth bound.",
                "Batch 1, 4 and 16 (or --batch-sizes) on the same checkpoint; the bound is the measured read",
                "bandwidth (a plain parallel read) / bytes of weights read per token.",
                "Decode time = time(prompt + 1 + N tokens) - time(prompt + 1 token), so prefill is excluded.",
                "Without --model, a random-weight Llama of about 90M parameters is written to a temp folder."},
        footer = {"", "Examples:", "  kefu bench decode",
                "  kefu bench decode --model models/qwen2.5-0.5b --engines onnx,djl --batch-sizes 1,8 --tokens 64",
                "  kefu bench decode --model exports/llama3-8b-int4 --engines onnx --batch-sizes 1   (an export, measured as it is)"})
public final class BenchDecodeCommand implements Callable<Integer> {
    private static final int MATMUL_SIZE = 512;
    /** Measured in a forked Java 21+ JVM by {@link JlamaBench}, not through {@link Engines}. */
    private static final String JLAMA = "jlama";
    private static final String PROMPT = "Hello! Do you have the blue linen dress in size M, and how long does delivery take?";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Hugging Face checkpoint folder (default: a generated ~90M-parameter Llama).")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "DIR",
            description = "Tokenizer folder for the generated model (default: .cache/tokenizers/llama3, fetched by scripts/fetch-tokenizers.sh).")
    Path tokenizer;

    private int exports;
    private ReadBandwidth readProbe;

    @Option(names = "--engines", split = ",", defaultValue = "onnx,onnx:int4,onnx:int8,djl,jlama,jlama:q4",
            description = {"Engines to measure, found by id (default: ${DEFAULT-VALUE}); missing ones are listed with the reason.",
                    "onnx:int4 and onnx:int8 export the checkpoint with weight-only quantization first (kefu export onnx --quantize);",
                    "onnx:growing exports it with a growing key/value cache (--kv-cache growing) instead of the shared one onnx uses;",
                    "jlama:q4 lets Jlama quantize the weights to its Q4 as it loads them."})
    List<String> engines;

    @Option(names = "--block-size", defaultValue = "32", description = "Quantization block size of onnx:int4 / onnx:int8 (default: ${DEFAULT-VALUE}).")
    int blockSize;

    @Option(names = "--keep-head-fp32", description = {"onnx:int4 / onnx:int8 leave the output head in fp32 (default: quantized too; with a large",
            "vocabulary the head is most of what a small model reads per token)."})
    boolean keepHeadFp32;

    @Option(names = "--accuracy-level", defaultValue = "4",
            description = "MatMulNBits accuracy level of onnx:int4 / onnx:int8: 4 = int8 activations, 0 = fp32 (default: ${DEFAULT-VALUE}).")
    int accuracyLevel;

    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,4,16", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--tokens", defaultValue = "64",
            description = "Tokens decoded per measurement; fewer make the figures noisier (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--repeats", defaultValue = "3", description = "Measurements per cell; the best is kept (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Override
    public Integer call() throws Exception {
        if (tokens < 1 || repeats < 1 || batchSizes.stream().anyMatch(b -> b < 1)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--tokens, --repeats and --batch-sizes must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path temp = Files.createTempDirectory("kefu-bench-");
        try {
            Path checkpoint = model != null ? model : BenchModel.write(temp.resolve("llama-90m"), tokenizerDir(), 42);
            HfModelConfig config = HfModelConfig.load(checkpoint);
            long parameters = DecoderLayout.of(config).parameterCount();
            int threads = Runtime.getRuntime().availableProcessors();
            double copy = copyBandwidth(threads);
            readProbe = new ReadBandwidth(threads);
            double read = readProbe.measure();
            out.printf(Locale.ROOT, "model: %s (%s, %.1fM parameters, %d MB of fp32 weights read per decoding step)%n",
                    checkpoint, config.architecture().className(), parameters / 1e6, bytesReadPerToken(config, WeightFormat.FP32) / 1_000_000);
            out.printf(Locale.ROOT, "machine: %d cores; read bandwidth %.1f GB/s (a plain read, %d threads); copy bandwidth %.1f GB/s"
                    + " (read + write). Bound = read bandwidth / bytes of weights read per token (b x that at batch b), the read"
                    + " bandwidth measured again just before and after each row's batch-1 measurement (the higher of the two).%n",
                    threads, read / 1e9, threads, copy / 1e9);
            out.println("note: the machine may be shared; figures measured while other work runs are contended.");
            out.flush();

            List<String[]> rows = new ArrayList<>();
            for (String id : engines) {
                rows.add(measure(id, checkpoint, config, out, temp));
            }
            printTable(out, rows);
            return 0;
        } finally {
            if (readProbe != null) {
                readProbe.close();
            }
            AtomicFiles.deleteRecursively(temp);
        }
    }

    private Path tokenizerDir() {
        return FetchedTokenizer.orFetched(tokenizer);
    }

    /** How the weights a decoding step reads are stored: fp32, or linear layers in blocks of {@code bits}-bit integers. */
    record WeightFormat(int bits, int blockSize, int scaleBytes, int zeroPointBits) {
        static final WeightFormat FP32 = new WeightFormat(32, 1, 0, 0);

        /** @return bytes per linear-layer weight, scales and zero points included */
        double bytesPerLinearWeight() {
            return bits == 32 ? 4 : bits / 8.0 + (scaleBytes + zeroPointBits / 8.0) / blockSize;
        }
    }

    /**
     * Weights read per decoding step: every linear layer's matrix once (in {@code format}), the output head in fp32
     * (or in {@code format} when it is quantized too), the norms in fp32; of the embedding table only one row per token,
     * left out.
     */
    static long bytesReadPerToken(HfModelConfig config, WeightFormat format) {
        return bytesReadPerToken(config, format, false);
    }

    static long bytesReadPerToken(HfModelConfig config, WeightFormat format, boolean quantizedHead) {
        DecoderLayout layout = DecoderLayout.of(config);
        long linear = 0;
        long other = 0;
        for (String name : layout.names()) {
            long count = Arrays.stream(layout.shape(name)).reduce(1, (a, b) -> a * b);
            if (name.endsWith("_proj.weight")) {
                linear += count;
            } else if (!name.equals("model.embed_tokens.weight") && !name.equals("lm_head.weight")) {
                other += count;
            }
        }
        long head = (long) config.vocabSize() * config.hiddenSize();
        if (quantizedHead) {
            linear += head;
            head = 0;
        }
        return Math.round(linear * format.bytesPerLinearWeight()) + (other + head) * 4;
    }

    /** Best of several parallel copies between two 256 MiB off-heap buffers; bytes read plus bytes written per second. */
    static double copyBandwidth(int threads) throws Exception {
        int size = 256 << 20;
        ByteBuffer src = ByteBuffer.allocateDirect(size);
        ByteBuffer dst = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i += 4096) {
            src.put(i, (byte) i);
            dst.put(i, (byte) 0);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            int chunk = size / threads;
            for (int run = 0; run < 5; run++) {
                long start = System.nanoTime();
                List<Future<?>> parts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int from = t * chunk;
                    int length = t == threads - 1 ? size - from : chunk;
                    parts.add(pool.submit(() -> dst.duplicate().position(from).put(src.duplicate().position(from).limit(from + length))));
                }
                for (Future<?> f : parts) {
                    f.get();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.max(best, 2.0 * size / seconds);
            }
            return best;
        } finally {
            pool.shutdownNow();
        }
    }

    /** @return the settings an export was made with, or null for an export without them (made by another tool) */
    private static JsonNode readExportSettings(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": cannot read the export's settings: " + e.getMessage(), e);
        }
    }

    /**
     * One row of the table: {@code engine} or {@code engine:variant} ({@code onnx:int4}, {@code onnx:int8},
     * {@code onnx:growing}, {@code jlama:q4}).
     */
    private String[] measure(String spec, Path checkpoint, HfModelConfig config, PrintWriter out, Path temp) throws Exception {
        String[] row = new String[batchSizes.size() + 7];
        row[0] = spec;
        String id = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        String variant = spec.contains(":") ? spec.substring(spec.indexOf(':') + 1).toLowerCase(Locale.ROOT) : "";
        WeightFormat format;
        Map<String, String> exportOptions = null;
        boolean quantizedHead = false;
        switch (id + ":" + variant) {
            case "onnx:int4", "onnx:int8" -> {
                int bits = variant.equals("int4") ? 4 : 8;
                format = new WeightFormat(bits, blockSize, 4, bits);
                // the cache the engine's own CPU exports use (as the plain onnx row gets), so the rows differ in the weights only
                exportOptions = Map.of("quantize", variant, "blockSize", Integer.toString(blockSize),
                        "accuracyLevel", Integer.toString(accuracyLevel), "quantizeLmHead", Boolean.toString(!keepHeadFp32),
                        "kvCache", "shared");
                quantizedHead = !keepHeadFp32;
            }
            case "onnx:growing" -> {
                // the cache the engine served before its exports shared one buffer: each step's present fed back
                format = WeightFormat.FP32;
                exportOptions = Map.of("kvCache", "growing");
            }
            case "jlama:q4" -> format = new WeightFormat(4, 32, 4, 0); // Jlama's Q4: blocks of 32, an fp32 scale each
            default -> {
                if (!variant.isEmpty()) {
                    row[1] = "n/a: unknown variant '" + variant + "' (onnx:int4, onnx:int8, onnx:growing, jlama:q4)";
                    return row;
                }
                format = WeightFormat.FP32;
            }
        }
        Engine engine = null;
        if (!id.equals(JLAMA)) {
            try {
                engine = Engines.get(id);
            } catch (KefuException e) {
                row[1] = "n/a: " + e.getMessage();
                return row;
            }
        }
        Path export = checkpoint.resolve(OnnxExporter.EXPORT_SETTINGS_FILE);
        if (Files.isRegularFile(checkpoint.resolve(OnnxExporter.MODEL_FILE))) {
            if (!id.equals("onnx") || !variant.isEmpty()) {
                row[1] = "n/a: --model is an ONNX export; only the onnx engine loads it as it is";
                return row;
            }
            JsonNode settings = readExportSettings(export);
            if (settings != null && !settings.path("quantization").asText("none").equals("none")) {
                int bits = settings.path("quantization").asText().equals("int4") ? 4 : 8;
                format = new WeightFormat(bits, settings.path("block_size").asInt(32), 4, settings.path("symmetric").asBoolean() ? 0 : bits);
                quantizedHead = settings.path("quantize_lm_head").asBoolean();
            }
        }
        long bytes = bytesReadPerToken(config, format, quantizedHead);
        row[3] = String.format(Locale.ROOT, "%.0f", bytes / 1e6);
        if (engine == null) {
            return measureJlama(row, checkpoint, variant.equals("q4"), bytes, out);
        }
        out.println("measuring " + spec + " ...");
        out.flush();
        try {
            MatmulRate rate = engine.measureMatmul(MATMUL_SIZE, Duration.ofSeconds(1));
            row[1] = Integer.toString(rate.threads());
            row[2] = String.format(Locale.ROOT, "%.1f", rate.gflops());
        } catch (KefuException e) {
            row[1] = "?";
            row[2] = "n/a";
        }
        Path model = checkpoint;
        if (exportOptions != null) {
            model = temp.resolve("export-" + variant + "-" + (++exports)); // a variant may be listed twice
            engine.export(checkpoint, java.util.Optional.empty(), model, exportOptions);
        }
        try (BaseModel base = engine.load(ModelRef.of(model)); ChatModel chat = engine.chatModel(base)) {
            run(chat, 1, 2); // warm-up
            double first = 0;
            double bandwidth = readProbe.measure();
            for (int i = 0; i < batchSizes.size(); i++) {
                int batch = batchSizes.get(i);
                double best = 0;
                for (int r = 0; r < repeats; r++) {
                    best = Math.max(best, decodeRate(chat, batch));
                }
                if (i == 0) {
                    first = best;
                    bandwidth = Math.max(bandwidth, readProbe.measure());
                }
                row[6 + i] = String.format(Locale.ROOT, "%.1f", best);
            }
            bound(row, bandwidth, bytes, batchSizes.get(0) == 1 ? first : Double.NaN);
        } catch (KefuException e) {
            row[4] = "failed: " + e.getMessage();
        }
        return row;
    }

    /** Fills a row's read bandwidth, bound and batch-1 share of the bound ({@code NaN}: batch 1 not measured). */
    private static void bound(String[] row, double bandwidth, long bytes, double batchOne) {
        double bound = bandwidth / bytes;
        row[4] = String.format(Locale.ROOT, "%.1f", bandwidth / 1e9);
        row[5] = String.format(Locale.ROOT, "%.1f", bound);
        row[row.length - 1] = Double.isNaN(batchOne) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * batchOne / bound);
    }

    /**
     * Jlama in a forked Java 21+ JVM ({@link JlamaBench}) on the same checkpoint, prompt text tokenized
     * without the chat template. Jlama decodes one sequence per KV cache: only batch 1 is measured.
     */
    private String[] measureJlama(String[] row, Path checkpoint, boolean q4, long bytes, PrintWriter out) throws Exception {
        Path work = null;
        try {
            Path java = JlamaBench.java21();
            out.println("measuring jlama in a forked JVM (" + java + ") ...");
            out.flush();
            int[] prompt;
            try (HfTokenizer tok = HfTokenizer.load(checkpoint)) {
                prompt = tok.encode(PROMPT);
            }
            work = Files.createTempDirectory("kefu-jlama-");
            double bandwidth = readProbe.measure();
            JlamaBench.Result result = JlamaBench.measure(checkpoint, prompt, tokens, repeats, q4, work);
            bandwidth = Math.max(bandwidth, readProbe.measure());
            row[1] = Integer.toString(result.threads());
            row[2] = "-";
            for (int i = 0; i < batchSizes.size(); i++) {
                row[6 + i] = batchSizes.get(i) == 1 ? String.format(Locale.ROOT, "%.1f", result.tokensPerSecond()) : "batch 1 only";
            }
            bound(row, bandwidth, bytes, batchSizes.get(0) == 1 ? result.tokensPerSecond() : Double.NaN);
        } catch (KefuException e) {
            Arrays.fill(row, 1, row.length, null);
            row[1] = "n/a: " + e.getMessage();
        } catch (IOException e) {
            Arrays.fill(row, 1, row.length, null);
            row[1] = "n/a: cannot create a temp folder for the Jlama program: " + e.getMessage();
        } finally {
            if (work != null) {
                try {
                    AtomicFiles.deleteRecursively(work);
                } catch (IOException e) {
                    out.println("warning: cannot delete " + work + ": " + e.getMessage());
                }
            }
        }
        return row;
    }

    /** Generated tokens per second of decode alone: (tokens(1 + N) - tokens(1)) / (time(1 + N) - time(1)). */
    private double decodeRate(ChatModel chat, int batch) {
        long[] one = run(chat, batch, 1);
        long[] many = run(chat, batch, 1 + tokens);
        double seconds = (many[1] - one[1]) / 1e9;
        return seconds > 0 ? (many[0] - one[0]) / seconds : 0;
    }

    /** @return {completion tokens, nanoseconds} */
    private static long[] run(ChatModel chat, int batch, int maxNewTokens) {
        GenerationParameters params = GenerationParameters.builder().maxNewTokens(maxNewTokens).build();
        List<ChatRequest> requests = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            requests.add(ChatRequest.builder().addUser(PROMPT).parameters(params).build());
        }
        long start = System.nanoTime();
        List<ChatResponse> responses = chat.chatBatch(requests);
        long elapsed = System.nanoTime() - start;
        long generated = responses.stream().mapToLong(r -> r.usage().completionTokens()).sum();
        return new long[] {generated, elapsed};
    }

    private void printTable(PrintWriter out, List<String[]> rows) {
        List<String> header = new ArrayList<>(List.of("engine", "threads", "matmul GFLOP/s", "MB/token", "read GB/s", "bound"));
        for (int b : batchSizes) {
            header.add("batch " + b);
        }
        header.add("batch 1 / bound");
        List<String[]> all = new ArrayList<>();
        all.add(header.toArray(new String[0]));
        all.addAll(rows);
        int[] width = new int[header.size()];
        for (String[] r : all) {
            for (int i = 0; i < r.length; i++) {
                if (r[i] != null && !(r[i].startsWith("n/a") || r[i].startsWith("failed"))) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
        }
        out.println();
        out.println("decode tokens/s (higher is better); bound = tokens/s at batch 1 if only the weights' bytes had to be read");
        for (String[] r : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                if (r[i] == null) {
                    continue;
                }
                line.append(i == 0 ? "" : "  ").append(String.format("%-" + Math.max(1, width[i]) + "s", r[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

}
