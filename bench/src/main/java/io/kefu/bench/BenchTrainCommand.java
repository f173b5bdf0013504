package io.kefu.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.GenerationParameters;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.data.Provenance;
import io.kefu.model.BaseModel;
import io.kefu.model.Device;
import io.kefu.model.Engine;
import io.kefu.model.EngineOptions;
import io.kefu.model.Engines;
import io.kefu.model.MatmulRate;
import io.kefu.model.ModelRef;
import io.kefu.runtime.config.PrecisionNames;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.Json;
import io.kefu.train.BaseDtype;
import io.kefu.train.Schedule;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingEvent;
import io.kefu.train.WeightQuantization;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kefu bench train}: training throughput of an engine (default djl) beside PyTorch eager
 * (Debian's python3-torch running scripts/bench/torch_train_bench.py) on the same Llama-architecture
 * configs, LoRA and full fine-tuning (each with its own base storage and checkpointing, see
 * {@link TrainMode}), each case in its own process so that peak memory is its own.
 */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        description = {"Measure training tokens/s and peak memory beside PyTorch eager.",
                "Training tokens/s and peak memory, LoRA (r=8, alpha 16 on q_proj,v_proj) and full fine-tuning,",
                "on a ~20M and a ~100M parameter Llama config (tied embeddings over the Llama 3 tokenizer's",
                "vocabulary), beside PyTorch eager on the same model, batch shape and thread count, measured in",
                "the same run. Model FLOP/s = 4*N (LoRA) or 6*N (full) per token, N = parameters in matrix",
                "products, shown as a share of each side's measured fp32 matmul rate. Also decode tokens/s at",
                "batch 1 and 8. Figures are noisy on a shared machine: run it on an idle one.",
                "Several --modes (e.g. lora,lora+bf16,lora+nf4+gc) are measured side by side, each in its own process,",
                "so each peak RSS is that mode's own; PyTorch trains each kind (lora, full) once, in fp32."},
        footer = {"", "Example:", "  kefu bench train --sizes 20m --steps 3",
                "  kefu bench train --checkpoint DIR --modes lora+bf16+gc,lora+nf4+gc --batch 1 --seq 256 --steps 1",
                "  kefu bench train --sizes 100m --modes lora,lora+bf16,lora+bf16+gc,lora+nf4+gc"})
public final class BenchTrainCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = Json.mapper();
    private static final String[] WORDS = ("the dress comes in blue and white sizes small medium large delivery takes two "
            + "days coupons save ten yuan returns within seven days linen cotton wash cold please order now thanks").split(" ");

    @Spec
    CommandSpec spec;

    @Option(names = "--sizes", split = ",", defaultValue = "20m,100m", description = "Configs: 20m, 100m (default: ${DEFAULT-VALUE}).")
    List<String> sizes;

    @Option(names = "--modes", split = ",", defaultValue = "lora,full", description = {"lora, full, each optionally with",
            "+fp32, +fp16, +bf16, +nf4, +gc (gradient checkpointing), e.g. lora+nf4+gc (default: ${DEFAULT-VALUE})."})
    List<String> modes;

    @Option(names = "--base-dtype", defaultValue = "auto", paramLabel = "auto|fp32|fp16|bf16",
            description = "How the frozen base is stored, for LoRA modes that name no dtype (default: ${DEFAULT-VALUE}).")
    String baseDtype;

    @Option(names = "--quantize", defaultValue = "none", paramLabel = "none|nf4",
            description = "Base quantization, for LoRA modes that name none (default: ${DEFAULT-VALUE}).")
    String quantize;

    @Option(names = "--gradient-checkpointing", description = "Recompute layer activations in backward, in every mode.")
    boolean gradientCheckpointing;

    @Option(names = "--device", paramLabel = "cpu|cuda[:N]|auto",
            description = "Where the engine computes (default: the engine's, the CPU for djl); the PyTorch side stays on the CPU.")
    String device;

    @Option(names = "--batch", defaultValue = "4", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq", defaultValue = "256", description = "Tokens per sequence, about (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--steps", defaultValue = "3", description = "Measured steps after one warm-up step (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--threads", description = "Threads for both sides (default: the number of cores).")
    Integer threads;

    @Option(names = "--engine", defaultValue = "djl", description = "Engine to measure (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--torch-script", defaultValue = "scripts/bench/torch_train_bench.py",
            description = "The PyTorch side (default: ${DEFAULT-VALUE}).")
    Path torchScript;

    @Option(names = "--tokenizer", paramLabel = "DIR",
            description = "Tokenizer folder (default: .cache/tokenizers/llama3, fetched by scripts/fetch-tokenizers.sh).")
    Path tokenizer;

    @Option(names = "--measure", hidden = true, description = "Internal: measure one case in this process and print JSON.")
    String measure;

    @Option(names = "--model", hidden = true, description = "Internal: the model folder of --measure.")
    Path model;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Measure the modes on this checkpoint (e.g. one `kefu model init` wrote) instead of --sizes: training only,"
                    + " no PyTorch side and no decoding.")
    Path checkpoint;

    @Option(names = "--no-decode", hidden = true, description = "Internal: --measure trains only.")
    boolean noDecode;

    /** A benchmark config. */
    record Size(String name, int hidden, int layers, int inter, int heads, int kvHeads, int headDim) {
        static Size of(String name) {
            switch (name) {
                case "20m": return new Size(name, 128, 4, 512, 4, 2, 32);
                case "100m": return new Size(name, 512, 8, 1536, 8, 2, 64);
                default: throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--sizes: '" + name + "' is not 20m or 100m");
            }
        }

        String configJson(int vocab) {
            return "{\"hidden_size\": " + hidden + ", \"intermediate_size\": " + inter + ", \"num_hidden_layers\": " + layers
                    + ", \"num_attention_heads\": " + heads + ", \"num_key_value_heads\": " + kvHeads + ", \"head_dim\": "
                    + headDim + ", \"vocab_size\": " + vocab + ", \"rms_norm_eps\": 1e-5, \"rope_theta\": 500000.0,"
                    + " \"max_position_embeddings\": 4096, \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}";
        }

        /** @return parameters in matrix products per token: every linear layer plus the output head */
        long matmulParameters(int vocab) {
            long q = (long) hidden * heads * headDim;
            long kv = 2L * hidden * kvHeads * headDim;
            long mlp = 3L * hidden * inter;
            return layers * (2 * q + kv + mlp) + (long) vocab * hidden;
        }

        long totalParameters(int vocab) {
            return layers * ((2L * hidden * heads * headDim) + 2L * hidden * kvHeads * headDim + 3L * hidden * inter + 2L * hidden)
                    + (long) vocab * hidden + hidden;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || seq < 16 || steps < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--batch, --steps must be positive and --seq at least 16");
        }
        int cores = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (measure != null) {
            return measureHere(cores);
        }
        PrintWriter out = spec.commandLine().getOut();
        List<TrainMode> trainModes = new ArrayList<>();
        for (String m : modes) {
            trainModes.add(mode(m));
        }
        if (device != null) {
            Device.parse(device);
        }
        if (checkpoint != null) {
            return measureCheckpoint(out, trainModes, cores);
        }
        Path tok = FetchedTokenizer.orFetched(tokenizer);
        int vocab = vocab(tok);
        if (!Files.isRegularFile(torchScript)) {
            throw new KefuException(ErrorCode.NOT_FOUND, "--torch-script " + torchScript + " not found (run from the repository root)");
        }
        Path work = Files.createTempDirectory("kefu-bench-train");
        List<String[]> rows = new ArrayList<>();
        List<String[]> decodeRows = new ArrayList<>();
        try {
            for (String sizeName : sizes) {
                Size size = Size.of(sizeName);
                Path config = work.resolve(size.name + ".json");
                Files.writeString(config, size.configJson(vocab));
                Path dir = work.resolve(size.name);
                Engines.get(engine).initCheckpoint("llama", config, tok, dir, 1);
                long n = size.matmulParameters(vocab);
                Map<String, JsonNode> torchByKind = new java.util.HashMap<>();
                for (TrainMode mode : trainModes) {
                    out.printf(Locale.ROOT, "measuring %s %s ...%n", size.name, mode.name());
                    out.flush();
                    JsonNode ours = runJava(dir, mode.name(), cores, false);
                    int tokensPerSequence = (int) Math.round(ours.get("tokens_per_sequence").asDouble());
                    boolean first = !torchByKind.containsKey(mode.kind());
                    if (first) {
                        torchByKind.put(mode.kind(), runPython(size, vocab, mode.kind(), cores, tokensPerSequence));
                    }
                    JsonNode theirs = torchByKind.get(mode.kind());
                    double factor = mode.full() ? 6 : 4;
                    rows.add(row(size, vocab, n, mode.name(), engine, ours, factor));
                    if (first) {
                        rows.add(row(size, vocab, n, mode.kind(), "torch " + theirs.get("torch").asText(), theirs, factor));
                    }
                    rows.add(new String[] {"", "", "", "speed-up", "", "", "", String.format(Locale.ROOT, "%.2fx",
                            ours.get("tokens_per_second").asDouble() / theirs.get("tokens_per_second").asDouble()), "", "", "", ""});
                    for (String b : new String[] {"1", "8"}) {
                        decodeRows.add(new String[] {size.name, engine, mode.name(), b, String.format(Locale.ROOT, "%.1f",
                                ours.get("decode_batch_" + b).asDouble())});
                    }
                }
            }
        } finally {
            AtomicFiles.deleteRecursively(work);
        }
        out.println();
        out.println("Training (tokens per sequence ~" + seq + ", batch " + batch + ", median of " + steps + " steps after a warm-up step;"
                + " each mode in its own process, its peak RSS read when training ends; the PyTorch side in fp32, once per kind)");
        table(out, new String[] {"config", "params", "N matmul", "mode", "side", "threads", "matmul GFLOP/s",
                "tokens/s", "model GFLOP/s", "% of matmul", "last loss", "train peak RSS MB"}, rows);
        out.println();
        out.println("Decoding (greedy, 32 new tokens per row, short prompt, prefill included)");
        table(out, new String[] {"config", "engine", "mode", "batch", "tokens/s"}, decodeRows);
        out.println();
        out.println("Goals: >= 1.5x torch and >= 50% of the matmul rate on the 100m config. Figures measured on a shared"
                + " or busy machine are contended.");
        return 0;
    }

    private static String[] row(Size size, int vocab, long n, String mode, String side, JsonNode r, double factor) {
        double tps = r.get("tokens_per_second").asDouble();
        double modelGflops = factor * n * tps / 1e9;
        double matmul = r.get("matmul_gflops").asDouble();
        return new String[] {size.name, String.format(Locale.ROOT, "%.1fM", size.totalParameters(vocab) / 1e6),
                String.format(Locale.ROOT, "%.1fM", n / 1e6), mode, side, r.get("threads").asText(),
                String.format(Locale.ROOT, "%.1f", matmul), String.format(Locale.ROOT, "%.0f", tps),
                String.format(Locale.ROOT, "%.1f", modelGflops), String.format(Locale.ROOT, "%.0f%%", 100 * modelGflops / matmul),
                r.has("final_loss") ? String.format(Locale.ROOT, "%.4f", r.get("final_loss").asDouble()) : "",
                String.format(Locale.ROOT, "%.0f", r.get("peak_rss_mb").asDouble())};
    }

    /** {@code --checkpoint}: each mode trains the given checkpoint in its own process; no PyTorch side, no decoding. */
    private int measureCheckpoint(PrintWriter out, List<TrainMode> trainModes, int cores) throws IOException, InterruptedException {
        HfModelConfig config;
        try (Checkpoint c = Checkpoint.open(checkpoint)) {
            config = c.config();
        }
        List<String[]> rows = new ArrayList<>();
        for (TrainMode mode : trainModes) {
            out.printf(Locale.ROOT, "measuring %s %s ...%n", checkpoint.getFileName(), mode.name());
            out.flush();
            JsonNode r = runJava(checkpoint, mode.name(), cores, true);
            rows.add(new String[] {checkpoint.getFileName().toString(),
                    String.format(Locale.ROOT, "%.2fB", DecoderLayout.of(config).parameterCount() / 1e9), mode.name(),
                    String.format(Locale.ROOT, "%.1f", r.get("tokens_per_second").asDouble()),
                    String.format(Locale.ROOT, "%.1f", r.get("seconds_per_step").asDouble()),
                    String.format(Locale.ROOT, "%.4f", r.get("final_loss").asDouble()),
                    String.format(Locale.ROOT, "%.0f", r.get("peak_rss_mb").asDouble())});
        }
        out.println();
        out.println("Training " + checkpoint + " (tokens per sequence ~" + seq + ", batch " + batch + ", " + (steps + 1)
                + " steps, the same data in every mode; each mode in its own process, its peak RSS read when training ends;"
                + " s/step and tokens/s: median of the steps after the first)");
        table(out, new String[] {"checkpoint", "params", "mode", "tokens/s", "s/step", "last loss", "train peak RSS MB"}, rows);
        return 0;
    }

    private JsonNode runJava(Path dir, String mode, int cores, boolean trainOnly) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx4g");
        // the fp32 loader keeps weights in direct buffers, which the JVM otherwise caps at -Xmx
        cmd.add("-XX:MaxDirectMemorySize=64g");
        cmd.add("-Dkefu.djl.threads=" + cores);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BenchCommand.class.getName());
        cmd.addAll(List.of("train", "--measure", mode, "--model", dir.toString(), "--engine", engine,
                "--batch", String.valueOf(batch), "--seq", String.valueOf(seq), "--steps", String.valueOf(steps),
                "--threads", String.valueOf(cores), "--base-dtype", baseDtype, "--quantize", quantize));
        if (gradientCheckpointing) {
            cmd.add("--gradient-checkpointing");
        }
        if (device != null) {
            cmd.addAll(List.of("--device", device));
        }
        if (trainOnly) {
            cmd.add("--no-decode");
        }
        return lastJsonLine(cmd, "the " + engine + " side");
    }

    private JsonNode runPython(Size s, int vocab, String mode, int cores, int tokensPerSequence)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, torchScript.toString(), "--hidden", "" + s.hidden, "--layers", "" + s.layers,
                "--inter", "" + s.inter, "--heads", "" + s.heads, "--kv-heads", "" + s.kvHeads, "--head-dim", "" + s.headDim,
                "--vocab", "" + vocab, "--batch", "" + batch, "--seq", "" + tokensPerSequence, "--steps", "" + steps,
                "--rank", "8", "--threads", "" + cores, "--mode", mode, "--tied"));
        return lastJsonLine(cmd, "the PyTorch side");
    }

    private static JsonNode lastJsonLine(List<String> cmd, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, what + " failed: " + String.join(" ", cmd) + "\n" + tail(output));
        }
        String[] lines = output.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].startsWith("{")) {
                return JSON.readTree(lines[i]);
            }
        }
        throw new KefuException(ErrorCode.ENGINE_FAILURE, what + " printed no result:\n" + tail(output));
    }

    private static void table(PrintWriter out, String[] header, List<String[]> rows) {
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        List<String[]> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (String[] r : all) {
            StringBuilder line = new StringBuilder(" ");
            for (int i = 0; i < r.length; i++) {
                line.append(' ').append(String.format(Locale.ROOT, "%" + width[i] + "s", r[i]));
            }
            out.println(line);
        }
    }

    private static String tail(String s) {
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    }

    /** Runs inside the forked JVM: trains one case and prints one JSON line. */
    private int measureHere(int cores) throws IOException {
        Engine e = device == null ? Engines.get(engine) : Engines.get(engine, EngineOptions.builder().device(device).build());
        Random random = new Random(1);
        List<Example> examples = new ArrayList<>();
        int words = Math.max(4, seq / 2 - 12);
        for (int i = 0; i < batch * (steps + 1); i++) {
            examples.add(new Example(List.of(ChatMessage.user(text(random, words)), ChatMessage.assistant(text(random, words))),
                    null, null, null, Map.of(), new Provenance("generated", "bench train", 0, "")));
        }
        TrainingConfig.Builder config = mode(measure).apply(TrainingConfig.builder().epochs(1).batchSize(batch).gradientAccumulation(1)
                .learningRate(1e-4).schedule(Schedule.CONSTANT).maxLength(seq * 2).trainOnPrompt(true).seed(1));
        List<Double> rates = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        double[] lastLoss = {Double.NaN};
        long[] previous = {System.nanoTime()};
        ObjectNode result = JSON.createObjectNode();
        try (BaseModel base = e.load(ModelRef.of(model))) {
            e.trainer(config.build()).fit(base, Dataset.of(examples), event -> {
                if (event instanceof TrainingEvent.Step s) {
                    long now = System.nanoTime();
                    if (s.step() > 1) {
                        rates.add(s.tokensPerSecond());
                        seconds.add((now - previous[0]) / 1e9);
                    }
                    previous[0] = now;
                    lastLoss[0] = s.loss();
                }
            });
            // the training peak, before decoding below loads what generation needs (PyTorch's side only trains)
            result.put("peak_rss_mb", peakRssMb());
            Collections.sort(rates);
            Collections.sort(seconds);
            result.put("tokens_per_second", rates.get(rates.size() / 2));
            result.put("seconds_per_step", seconds.get(seconds.size() / 2));
            result.put("final_loss", lastLoss[0]);
            if (noDecode) {
                spec.commandLine().getOut().println(JSON.writeValueAsString(result));
                return 0;
            }
            result.put("tokens_per_sequence", tokensPerSequence(base, examples));
            try (ChatModel chat = e.chatModel(base)) {
                for (int b : new int[] {1, 8}) {
                    result.put("decode_batch_" + b, decodeRate(chat, b));
                }
            }
        }
        MatmulRate rate = e.measureMatmul(1024, Duration.ofSeconds(1));
        result.put("threads", rate.threads());
        result.put("matmul_gflops", rate.gflops());
        spec.commandLine().getOut().println(JSON.writeValueAsString(result));
        return 0;
    }

    private static double tokensPerSequence(BaseModel base, List<Example> examples) {
        int total = 0;
        try (io.kefu.runtime.tokenize.HfTokenizer tokenizer = io.kefu.runtime.tokenize.HfTokenizer.load(base.directory())) {
            for (Example ex : examples) {
                total += tokenizer.encode(base.template().render(ex.messages(), false)).length;
            }
        }
        return total / (double) examples.size();
    }

    private static double decodeRate(ChatModel chat, int rows) {
        GenerationParameters params = GenerationParameters.builder().maxNewTokens(32).build();
        List<ChatRequest> requests = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            requests.add(ChatRequest.builder().addUser("Do you have the blue dress in size M? (" + i + ")").parameters(params).build());
        }
        chat.chatBatch(requests.subList(0, 1));
        long start = System.nanoTime();
        int tokens = 0;
        for (ChatResponse r : chat.chatBatch(requests)) {
            tokens += r.usage().completionTokens();
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    private static String text(Random random, int words) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            b.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return b.toString();
    }

    private static double peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** @return the mode as typed, with --base-dtype, --quantize and --gradient-checkpointing where it names none */
    private TrainMode mode(String text) {
        BaseDtype dtype = PrecisionNames.baseDtype(baseDtype).orElseThrow(() -> new KefuException(ErrorCode.INVALID_ARGUMENT,
                "--base-dtype " + baseDtype + ": expected one of " + PrecisionNames.BASE_DTYPES));
        WeightQuantization quantization = PrecisionNames.quantization(quantize).orElseThrow(() -> new KefuException(
                ErrorCode.INVALID_ARGUMENT, "--quantize " + quantize + ": expected none or nf4"));
        return TrainMode.parse(text, dtype, quantization, gradientCheckpointing);
    }

    private static int vocab(Path tokenizerDir) {
        try (io.kefu.runtime.tokenize.HfTokenizer t = io.kefu.runtime.tokenize.HfTokenizer.load(tokenizerDir)) {
            return t.vocabSize();
        }
    }

}
