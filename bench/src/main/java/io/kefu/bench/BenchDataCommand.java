package io.kefu.bench;

import com.fasterxml.jackson.databind.ObjectReader;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.runtime.data.DatasetLoader;
import io.kefu.runtime.data.DatasetValidator;
import io.kefu.runtime.data.ValidationReport;
import io.kefu.runtime.format.Json;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.ChatFeaturizer;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.runtime.tokenize.TrainingFeatures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code kefu bench data}: examples per second and peak heap of the data pipeline on synthetic
 * dialogs, beside two baselines measured in the same run: plain Jackson parsing of each line (the
 * floor any reader pays) and loading the whole file into memory.
 */
@Command(name = "data",
        mixinStandardHelpOptions = true,
        description = {"Measure the examples/s and peak heap of the data pipeline on synthetic dialogs.",
                "Validate, and validate + render + tokenize, on dialogs written to a temp JSONL file, beside plain",
                "Jackson parsing and a whole-file load. One thread.",
                "Run with a small heap to see that the pipeline streams, e.g. KEFU_JAVA_OPTS=-Xmx512m."},
        footer = {"", "Examples:",
                "  kefu bench data --model .cache/tokenizers/qwen3",
                "  KEFU_JAVA_OPTS=-Xmx512m kefu bench data --examples 100000 --model DIR"})
public final class BenchDataCommand implements Callable<Integer> {
    private static final double MIB = 1024.0 * 1024.0;

    @Spec
    CommandSpec spec;

    @Option(names = "--examples", paramLabel = "N", defaultValue = "100000",
            description = "How many synthetic examples (default: ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model folder with tokenizer.json and tokenizer_config.json (chat template) for render + tokenize.")
    Path model;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "2048",
            description = "Maximum tokens per example when featurizing (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of the synthetic data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the temp JSONL file is written and then deleted (default: the system temp folder).")
    Path workDir;

    /** How many examples the unmeasured warm-up pass uses, so that every stage is measured with a warm JIT. */
    private static final int WARM_UP_EXAMPLES = 2000;

    /**
     * One measured row.
     *
     * @param seconds wall-clock time
     * @param cpuSeconds CPU time of the measuring thread (steadier than wall-clock time on a busy machine)
     * @param peakHeapMiB the sum of each heap pool's peak during the stage (garbage included: an upper bound)
     * @param liveHeapMiB the heap in use after a full GC at the end of the stage, its result still held
     */
    private record Row(String stage, long examples, double seconds, double cpuSeconds, double peakHeapMiB,
                       double liveHeapMiB, String note) {
    }

    @Override
    public Integer call() throws IOException {
        if (examples < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--examples must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path dir = workDir != null ? Files.createDirectories(workDir) : Path.of(System.getProperty("java.io.tmpdir"));
        Path file = Files.createTempFile(dir, "kefu-bench-data-", ".jsonl");
        Path warmUp = Files.createTempFile(dir, "kefu-bench-warm-up-", ".jsonl");
        HfChatTemplate template = HfChatTemplate.fromModelDir(model);
        try (HfTokenizer tokenizer = HfTokenizer.load(model)) {
            ChatFeaturizer featurizer = ChatFeaturizer.builder(tokenizer, template).maxLength(maxLength).build();
            PrintWriter err = spec.commandLine().getErr();
            err.printf(Locale.ROOT, "kefu: warming up on %d examples ...%n", Math.min(examples, WARM_UP_EXAMPLES));
            err.flush();
            SyntheticDialogs.write(warmUp, Math.min(examples, WARM_UP_EXAMPLES), seed + 1);
            runStages(warmUp, featurizer, new long[2], null);
            List<Row> rows = new ArrayList<>();
            rows.add(measure(err, "write synthetic JSONL", () -> {
                SyntheticDialogs.write(file, examples, seed);
                return examples;
            }, ""));
            out.printf(Locale.ROOT, "data: %d examples, %.1f MiB at %s%n", examples, Files.size(file) / MIB, file);
            out.flush();
            long[] tokens = new long[2];
            rows.addAll(runStages(file, featurizer, tokens, err));
            out.println();
            printTable(out, rows);
            out.printf(Locale.ROOT, "%ntokens: %d in all, %.1f per example, %d trained (answers + end-of-turn)%n",
                    tokens[0], (double) tokens[0] / examples, tokens[1]);
            out.printf(Locale.ROOT, "model: %s; JVM max heap %.0f MiB; 1 thread (of %d processors); Java %s; warm-up: %d examples%n",
                    model, Runtime.getRuntime().maxMemory() / MIB, Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), Math.min(examples, WARM_UP_EXAMPLES));
            out.println("seconds: wall clock; cpu s: CPU time of the one working thread; examples/s: from wall clock;");
            out.println("peak heap: the sum of each heap pool's peak during the stage, garbage included (an upper bound);");
            out.println("live heap: in use after a full GC at the end of the stage, with the stage's result still held.");
            out.flush();
            return 0;
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(warmUp);
        }
    }

    /** Runs the measured stages in order; {@code progress}, when given, is told which stage starts. */
    private List<Row> runStages(Path file, ChatFeaturizer featurizer, long[] tokens, PrintWriter progress) {
        List<Row> rows = new ArrayList<>();
        rows.add(measure(progress, "baseline: Jackson parse per line", () -> jacksonParse(file), "no checks, nothing kept"));
        rows.add(measure(progress, "validate (streaming)", () -> validate(new DatasetValidator(), file, example -> { }), "all checks"));
        rows.add(measure(progress, "validate + render + tokenize", () -> validate(new DatasetValidator(), file, example -> {
            Optional<TrainingFeatures> features = featurizer.featurize(example);
            if (features.isPresent()) {
                tokens[0] += features.get().length();
                tokens[1] += features.get().trainedTokens();
            }
        }), "ChatFeaturizer: input ids + labels"));
        Object[] held = new Object[1];
        rows.add(measure(progress, "baseline: Dataset load (all in memory)", () -> {
            Dataset loaded = DatasetLoader.load(file);
            held[0] = loaded;
            return loaded.size();
        }, "every example kept"));
        held[0] = null;
        return rows;
    }

    private static long validate(DatasetValidator validator, Path file, Consumer<Example> sink) {
        ValidationReport report = validator.validate(file, sink);
        if (!report.ok()) {
            throw new KefuException(ErrorCode.INTERNAL, "the synthetic data should be clean: " + report.describe(5));
        }
        return report.examples();
    }

    private static long jacksonParse(Path file) {
        ObjectReader reader = Json.mapper().reader();
        long count = 0;
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (reader.readTree(line).isObject()) {
                    count++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return count;
    }

    private static Row measure(PrintWriter progress, String stage, LongSupplier work, String note) {
        if (progress != null) {
            progress.printf("kefu: measuring %s ...%n", stage);
            progress.flush();
        }
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        System.gc();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long count = work.getAsLong();
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        long peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        System.gc();
        long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new Row(stage, count, seconds, cpuSeconds, peak / MIB, live / MIB, note);
    }

    private static void printTable(PrintWriter out, List<Row> rows) {
        String format = "%-40s %9s %9s %9s %12s %14s %14s  %s%n";
        out.printf(Locale.ROOT, format, "stage", "examples", "seconds", "cpu s", "examples/s", "peak heap MiB",
                "live heap MiB", "note");
        for (Row row : rows) {
            out.printf(Locale.ROOT, format, row.stage(), row.examples(), String.format(Locale.ROOT, "%.2f", row.seconds()),
                    String.format(Locale.ROOT, "%.2f", row.cpuSeconds()),
                    String.format(Locale.ROOT, "%.0f", row.examples() / row.seconds()),
                    String.format(Locale.ROOT, "%.1f", row.peakHeapMiB()), String.format(Locale.ROOT, "%.1f", row.liveHeapMiB()),
                    row.note());
        }
    }
}
