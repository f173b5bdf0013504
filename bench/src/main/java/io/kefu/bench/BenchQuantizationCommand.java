package io.kefu.bench;

import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.engine.onnx.OnnxDecoderModel;
import io.kefu.engine.onnx.SessionSettings;
import io.kefu.engine.onnx.TeacherForcing;
import io.kefu.model.Engines;
import io.kefu.runtime.data.DatasetLoader;
import io.kefu.runtime.data.DuplicatePolicy;
import io.kefu.runtime.data.ValidationOptions;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.ChatFeaturizer;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.runtime.tokenize.TrainingFeatures;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kefu bench quantization}: how much weight-only quantization of an ONNX export changes a model's predictions.
 * The model (with its adapter merged) is exported in fp32 and in each quantized mode; every export scores the same
 * test answers by teacher forcing ({@link TeacherForcing}): each answer token is predicted from the prompt and the
 * reference tokens before it. Printed per mode: the share of positions where the quantized model's most likely token
 * equals fp32's (top-1 agreement), and the perplexity of the reference answers.
 */
@Command(name = "quantization",
        mixinStandardHelpOptions = true,
        description = {"Compare quantized ONNX exports with the fp32 export on a test set (teacher-forced).",
                "Per mode: top-1 agreement with fp32 on the answers' tokens, and the answers' perplexity."},
        footer = {"", "Examples:", "  kefu bench quantization",
                "  kefu bench quantization --model examples/models/demo-base --adapter out/shop-lora --modes int8:32,int4:32,int4:128"})
public final class BenchQuantizationCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "examples/models/demo-base", paramLabel = "DIR",
            description = "Hugging Face checkpoint folder (default: ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter merged before export (and before quantization).")
    Path adapter;

    @Option(names = "--data", defaultValue = "examples/shop/test.jsonl", paramLabel = "FILE",
            description = "Test dialogs; the last answer of each is scored (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--limit", defaultValue = "130", description = "Dialogs scored, from the start of --data (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--modes", split = ",", defaultValue = "int8:32,int4:32,int4:128,int4:32:head,int4:32:head:embedding",
            paramLabel = "BITS:BLOCK[:head][:embedding]",
            description = {"Quantized modes: int8 or int4, a colon, the block size, then ':head' to quantize the output head too",
                    "and ':embedding' the token embedding (default: ${DEFAULT-VALUE})."})
    List<String> modes;

    @Option(names = "--accuracy-level", defaultValue = "4", description = "MatMulNBits accuracy level of the quantized exports (default: ${DEFAULT-VALUE}).")
    int accuracyLevel;

    @Option(names = "--batch", defaultValue = "8", description = "Dialogs scored together (default: ${DEFAULT-VALUE}).")
    int batch;

    /** What one export predicted, and its size. */
    private record Measured(String mode, long bytes, List<TeacherForcing.Scores> scores) {
    }

    @Override
    public Integer call() throws IOException {
        if (limit < 1 || batch < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit and --batch must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        List<int[]> prompts = new ArrayList<>();
        List<int[]> answers = new ArrayList<>();
        tokenize(prompts, answers);
        int tokens = answers.stream().mapToInt(a -> a.length).sum();
        out.printf(Locale.ROOT, "model: %s%s; %d dialogs of %s, %d answer tokens scored%n", model,
                adapter == null ? "" : " + adapter " + adapter, prompts.size(), data, tokens);
        out.flush();
        Path temp = Files.createTempDirectory("kefu-bench-quantization-");
        try {
            List<Measured> measured = new ArrayList<>();
            measured.add(measure("fp32", Map.of(), temp, prompts, answers, out));
            for (String mode : modes) {
                measured.add(measure(mode, quantizedOptions(mode), temp, prompts, answers, out));
            }
            printTable(out, measured);
            return 0;
        } finally {
            AtomicFiles.deleteRecursively(temp);
        }
    }

    /** Each dialog's prompt (everything before its last answer) and that answer's tokens, end-of-turn included. */
    private void tokenize(List<int[]> prompts, List<int[]> answers) {
        Dataset dataset = DatasetLoader.load(data, ValidationOptions.builder().minExamples(0).duplicates(DuplicatePolicy.KEEP).build());
        HfChatTemplate template = HfChatTemplate.fromModelDir(model);
        try (HfTokenizer tokenizer = HfTokenizer.load(model)) {
            ChatFeaturizer featurizer = ChatFeaturizer.builder(tokenizer, template).maxLength(4096).build();
            for (Example example : dataset) {
                if (prompts.size() == limit) {
                    break;
                }
                Optional<TrainingFeatures> features = featurizer.featurize(example);
                if (features.isEmpty()) {
                    continue;
                }
                int[] ids = features.get().inputIds();
                int[] labels = features.get().labels();
                int end = labels.length;
                while (end > 0 && labels[end - 1] == TrainingFeatures.IGNORE_INDEX) {
                    end--;
                }
                int start = end;
                while (start > 0 && labels[start - 1] != TrainingFeatures.IGNORE_INDEX) {
                    start--;
                }
                if (start == 0 || start == end) {
                    continue;
                }
                prompts.add(Arrays.copyOfRange(ids, 0, start));
                answers.add(Arrays.copyOfRange(ids, start, end));
            }
        }
    }

    private Map<String, String> quantizedOptions(String mode) {
        String[] parts = mode.split(":");
        List<String> extras = parts.length < 2 ? List.of() : Arrays.asList(parts).subList(2, parts.length);
        boolean head = extras.contains("head");
        boolean embedding = extras.contains("embedding");
        if (parts.length < 2 || !(parts[0].equals("int4") || parts[0].equals("int8")) || !parts[1].matches("[0-9]+")
                || extras.size() != (head ? 1 : 0) + (embedding ? 1 : 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--modes: '" + mode
                    + "' is not int4 or int8, a block size, then optionally :head and :embedding (int4:32:head)");
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put("quantize", parts[0]);
        options.put("blockSize", parts[1]);
        options.put("accuracyLevel", Integer.toString(accuracyLevel));
        options.put("quantizeLmHead", Boolean.toString(head));
        options.put("quantizeEmbedding", Boolean.toString(embedding));
        return options;
    }

    private Measured measure(String mode, Map<String, String> options, Path temp, List<int[]> prompts, List<int[]> answers,
                             PrintWriter out) throws IOException {
        out.println("exporting and scoring " + mode + " ...");
        out.flush();
        Path dir = temp.resolve(mode.replace(':', '-'));
        Engines.get("onnx").export(model, Optional.ofNullable(adapter), dir, options);
        long bytes;
        try (Stream<Path> files = Files.list(dir)) {
            bytes = files.filter(p -> p.getFileName().toString().startsWith("model.onnx")).mapToLong(p -> p.toFile().length()).sum();
        }
        try (OnnxDecoderModel onnx = OnnxDecoderModel.load(dir, SessionSettings.defaults())) {
            return new Measured(mode, bytes, TeacherForcing.score(onnx, prompts, answers, batch));
        } finally {
            AtomicFiles.deleteRecursively(dir);
        }
    }

    private static void printTable(PrintWriter out, List<Measured> measured) {
        List<TeacherForcing.Scores> reference = measured.get(0).scores();
        int width = Math.max("mode".length(), measured.stream().mapToInt(m -> m.mode().length()).max().orElse(0));
        out.println();
        out.printf(Locale.ROOT, "%-" + width + "s  model MB  top-1 agreement with fp32  perplexity%n", "mode");
        for (Measured m : measured) {
            long agree = 0;
            long total = 0;
            double logprob = 0;
            for (int i = 0; i < m.scores().size(); i++) {
                int[] top1 = m.scores().get(i).top1();
                int[] fp32 = reference.get(i).top1();
                for (int t = 0; t < top1.length; t++) {
                    agree += top1[t] == fp32[t] ? 1 : 0;
                    logprob += m.scores().get(i).logprobs()[t];
                    total++;
                }
            }
            out.printf(Locale.ROOT, "%-" + width + "s  %8.1f  %24.2f%%  %10.4f%n", m.mode(), m.bytes() / 1e6, 100.0 * agree / total,
                    Math.exp(-logprob / total));
        }
        out.flush();
    }
}
