package io.kefu.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.eval.csv.CsvTable;
import io.kefu.eval.rating.RatingSheet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandsTest {
    private static final Path REPO = Path.of(System.getProperty("kefu.repo.dir", ".."));
    private static final Path TEST_SET = REPO.resolve("examples/shop/test.jsonl");

    @Test
    void scoreReportsEveryMetricInEveryModeAsJson(@TempDir Path dir) throws Exception {
        Path pred = dir.resolve("pred.jsonl");
        Path ref = dir.resolve("ref.jsonl");
        Files.writeString(pred, "{\"text\":\"连衣裙A有S码，库存还有5件。\"}\n{\"text\":\"\"}\n");
        Files.writeString(ref, "{\"output\":\"连衣裙A的S码有货，库存5件。\",\"instruction\":\"q\"}\n{\"text\":\"亲，这款目前M码缺货。\"}\n");
        Cli.Result r = Cli.run("score", "--pred", pred.toString(), "--ref", ref.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("n").asInt()).isEqualTo(2);
        // pair 1 alone scores bleu-4 33.5689 (golden, NLTK); the empty prediction scores 0: mean 16.78445
        assertThat(json.get("metrics").get("bleu4_llamafactory").asDouble()).isCloseTo(16.78445, within(1e-9));
        assertThat(json.get("metrics").fieldNames()).toIterable().contains("bleu4_sacrebleu", "rougeL_llamafactory", "rouge2_char");
        Cli.Result text = Cli.run("score", "--pred", pred.toString(), "--ref", ref.toString());
        assertThat(text.out()).contains("bleu4_sacrebleu", "tokenize=zh");
    }

    @Test
    void scoreLocatesBadLines(@TempDir Path dir) throws Exception {
        Path pred = dir.resolve("pred.jsonl");
        Files.writeString(pred, "{\"text\":\"a\"}\n{\"answer\":\"b\"}\n");
        Cli.Result r = Cli.run("score", "--pred", pred.toString(), "--ref", pred.toString());
        assertThat(r.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(r.err()).contains("pred.jsonl:2", "text");
    }

    @Test
    void evalRunsTheRulesBaselineAndWritesReportAndCharts(@TempDir Path dir) {
        Cli.Result r = Cli.run("eval", "--baseline", "rules", "--data", TEST_SET.toString(), "--out", dir.toString(), "--limit", "24");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("bleu4_sacrebleu", "fact_accuracy", "rules");
        for (String f : List.of("report.json", "report.md", "report.html", "chart-text-metrics.png", "chart-intent-fact_accuracy.png", "predictions-rules.jsonl")) {
            assertThat(dir.resolve(f)).as(f).isNotEmptyFile();
        }
        Cli.Result again = Cli.run("eval", "--baseline", "rules", "--data", TEST_SET.toString(), "--out", dir.toString(), "--limit", "24");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).isEqualTo(r.out());
    }

    @Test
    void evalWithoutSystemIsAUsageError(@TempDir Path dir) {
        Cli.Result r = Cli.run("eval", "--data", TEST_SET.toString(), "--out", dir.toString());
        assertThat(r.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(r.err()).contains("--baseline rules");
    }

    @Test
    void gateOptionsAreCheckedBeforeAnythingRuns(@TempDir Path dir) {
        String[] common = {"eval", "--baseline", "rules", "--data", TEST_SET.toString(), "--out", dir.resolve("out").toString()};
        Cli.Result noNames = Cli.run(concat(common, "--gate"));
        assertThat(noNames.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(noNames.err()).contains("--gate needs --baseline-system NAME and --candidate-system NAME", "systems evaluated: rules");
        Cli.Result noGate = Cli.run(concat(common, "--baseline-system", "rules"));
        assertThat(noGate.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(noGate.err()).contains("need --gate");
        Cli.Result same = Cli.run(concat(common, "--gate", "--baseline-system", "rules", "--candidate-system", "rules"));
        assertThat(same.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(same.err()).contains("are both 'rules'");
        // the metric is refused before the (missing) model would be loaded
        Cli.Result metric = Cli.run(concat(common, "--system", "tuned=djl:" + dir.resolve("no-model"), "--gate",
                "--baseline-system", "rules", "--candidate-system", "tuned", "--gate-metric", "accuracy"));
        assertThat(metric.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(metric.err()).contains("no gate metric 'accuracy'; choose from bleu4_sacrebleu", "fact_accuracy");
        Cli.Result margin = Cli.run(concat(common, "--system", "tuned=djl:" + dir.resolve("no-model"), "--gate",
                "--baseline-system", "rules", "--candidate-system", "tuned", "--gate-margin", "-1"));
        assertThat(margin.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(margin.err()).contains("--gate-margin -1.0 must be a number of points, at least 0");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    private static String[] concat(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void abPowerForTheArticlesTest() {
        Cli.Result r = Cli.run("ab", "power", "--p1", "0.125", "--p2", "0.135", "--alpha", "0.05", "--power", "0.8");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("17753 sessions per arm");
    }

    @Test
    void abReportFromEvents(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("session,event,arm\n");
        for (int i = 0; i < 10000; i++) {
            csv.append("a").append(i).append(",chat,rules\n");
            if (i < 1250) {
                csv.append("a").append(i).append(",order,rules\n");
            }
            csv.append("b").append(i).append(",chat,tuned\n");
            if (i < 1350) {
                csv.append("b").append(i).append(",order,tuned\n");
            }
        }
        Path events = dir.resolve("events.csv");
        Files.writeString(events, csv);
        Cli.Result r = Cli.run("ab", "report", "--events", events.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode c = new ObjectMapper().readTree(r.out()).get("comparisons").get(0);
        assertThat(c.get("pValue").asDouble()).isCloseTo(0.0355, within(5e-5));
        assertThat(c.get("absoluteLift").asDouble()).isCloseTo(0.01, within(1e-12));
    }

    @Test
    void ratingExportAndImport(@TempDir Path dir) throws Exception {
        Cli.Result eval = Cli.run("eval", "--baseline", "rules", "--data", TEST_SET.toString(), "--out", dir.toString(), "--limit", "6");
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        Path preds = dir.resolve("predictions-rules.jsonl");
        Path sheetDir = dir.resolve("rating");
        Cli.Result export = Cli.run("rating", "export", "--data", TEST_SET.toString(), "--system", "rules=" + preds,
                "--system", "copy=" + preds, "--out", sheetDir.toString(), "--limit", "6");
        assertThat(export.exitCode()).as(export.err()).isZero();
        CsvTable sheet = CsvTable.read(sheetDir.resolve("sheet.csv"));
        assertThat(sheet.rows()).hasSize(12);
        assertThat(sheet.rows().get(0).get("facts")).startsWith("【店铺信息】");
        List<Path> filled = new ArrayList<>();
        for (int rater = 0; rater < 2; rater++) {
            List<List<String>> rows = new ArrayList<>();
            int k = 0;
            for (CsvTable.Row row : sheet.rows()) {
                List<String> values = new ArrayList<>();
                for (String column : RatingSheet.SHEET_COLUMNS) {
                    values.add(RatingSheet.CRITERIA.contains(column) ? String.valueOf(1 + (k + rater) % 5) : row.get(column));
                }
                rows.add(values);
                k++;
            }
            Path f = sheetDir.resolve("rater" + rater + ".csv");
            Files.writeString(f, CsvTable.format(RatingSheet.SHEET_COLUMNS, rows));
            filled.add(f);
        }
        Cli.Result imported = Cli.run("rating", "import", "--key", sheetDir.resolve("key.csv").toString(),
                filled.get(0).toString(), filled.get(1).toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("Krippendorff", "rules", "copy", "correctness");
    }

    @Test
    void benchEvalPrintsBothBatchSizes() {
        Cli.Result r = Cli.run("bench", "eval", "--baseline", "rules", "--data", TEST_SET.toString(), "--limit", "16");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("EXAMPLES/S", "CPU threads");
        assertThat(r.out().lines().filter(l -> l.startsWith("1 ") || l.startsWith("8 ")).count()).isEqualTo(2);
    }
}
