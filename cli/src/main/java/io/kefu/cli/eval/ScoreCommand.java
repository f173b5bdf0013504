package io.kefu.cli.eval;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.metrics.TextMetrics;
import io.kefu.eval.standard.AnswerFile;
import io.kefu.runtime.format.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu score}: BLEU-4 and ROUGE of prediction files against references, in every mode, without a model. */
@Command(name = "score",
        mixinStandardHelpOptions = true,
        description = {"Score predictions against references with every metric in every mode.",
                "Both are JSONL, lines matched by position. The metrics:",
                "  bleu4_sacrebleu       corpus BLEU-4 as sacreBLEU (tokenize=zh, smooth=exp)",
                "  *_llamafactory        mean of LLaMA-Factory's per-answer BLEU-4 (NLTK, characters, method3) and ROUGE (rouge_chinese on jieba words)",
                "  rouge*_char           mean character-level ROUGE F1",
                "All values 0-100."},
        footer = {"", "Examples:", "  kefu score --pred out/predictions.jsonl --ref examples/shop/test.jsonl",
                "  kefu score --pred p.jsonl --ref r.jsonl --json"})
public final class ScoreCommand implements Callable<Integer> {
    static final Map<String, String> MODES = modes();

    @Spec
    CommandSpec spec;

    @Option(names = "--pred", required = true, paramLabel = "FILE", description = "Predictions JSONL, the answer in a \"text\" field.")
    Path predictions;

    @Option(names = "--ref", required = true, paramLabel = "FILE", description = "References JSONL, the answer in \"text\" or Alpaca \"output\".")
    Path references;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<String> preds = AnswerFile.read(predictions, List.of("text"));
        List<String> refs = AnswerFile.read(references, List.of("text", "output"));
        if (preds.size() != refs.size()) {
            throw new KefuException(ErrorCode.INVALID_DATA, predictions + " has " + preds.size() + " answers but "
                    + references + " has " + refs.size() + "; lines are matched by position");
        }
        Map<String, Double> metrics = TextMetrics.score(preds, refs);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("n", preds.size());
            root.put("metrics", metrics);
            root.put("modes", MODES);
            out.println(Json.indented().writeValueAsString(root));
        } else {
            out.printf(Locale.ROOT, "%d predictions%n%-22s %8s  %s%n", preds.size(), "METRIC", "VALUE", "MODE");
            metrics.forEach((name, value) -> out.printf(Locale.ROOT, "%-22s %8.4f  %s%n", name, value, MODES.get(name)));
        }
        out.flush();
        return 0;
    }

    private static Map<String, String> modes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bleu4_sacrebleu", "sacreBLEU corpus_score, tokenize=zh, smooth_method=exp, one reference");
        m.put("bleu4_llamafactory", "mean of NLTK sentence_bleu on characters, SmoothingFunction().method3, x100 rounded to 4 places");
        m.put("rouge1_llamafactory", "mean of rouge_chinese rouge-1 F on jieba words, x100 rounded to 4 places");
        m.put("rouge2_llamafactory", "mean of rouge_chinese rouge-2 F on jieba words, x100 rounded to 4 places");
        m.put("rougeL_llamafactory", "mean of rouge_chinese rouge-l F on jieba words, x100 rounded to 4 places");
        m.put("rouge1_char", "mean ROUGE-1 F1 on characters (whitespace dropped)");
        m.put("rouge2_char", "mean ROUGE-2 F1 on characters (whitespace dropped)");
        m.put("rougeL_char", "mean ROUGE-L (LCS) F1 on characters (whitespace dropped)");
        return m;
    }
}
