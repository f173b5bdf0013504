package io.kefu.cli.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.model.Engines;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kefu quickstart} through the real entry point, on a tiny random-init Qwen 3 (the real Qwen 3
 * tokenizer) and a small slice of the sample shop: every step runs for real, with tiny sizes.
 */
class QuickstartCommandTest {
    private static final Path REPO = Path.of(System.getProperty("kefu.repo.dir", ".."));
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static Path base;
    private static Path shop;

    @BeforeAll
    static void tinyBaseAndShop() throws Exception {
        base = shared.resolve("base");
        Engines.get("djl").initCheckpoint("qwen3", REPO.resolve("examples/models/tiny-qwen3.config.json"),
                Path.of(System.getProperty("kefu.tokenizers.dir"), "qwen3"), base, 7);
        shop = slice(shared.resolve("shop"), 16, 12);
    }

    /** The sample shop's catalog and policies with the first lines of its train and test sets. */
    private static Path slice(Path folder, int trainLines, int testLines) throws IOException {
        Files.createDirectories(folder);
        for (String f : List.of("catalog.json", "policies.json", "promotions.json", "size_chart.json")) {
            Files.copy(REPO.resolve("examples/shop").resolve(f), folder.resolve(f));
        }
        Files.write(folder.resolve("train.jsonl"), Files.readAllLines(REPO.resolve("examples/shop/train.jsonl")).subList(0, trainLines));
        Files.write(folder.resolve("test.jsonl"), Files.readAllLines(REPO.resolve("examples/shop/test.jsonl")).subList(0, testLines));
        return folder;
    }

    @Test
    void runsTheTourThenReplacesItsOwnFolderWithAJsonRun() throws Exception {
        Path out = dir.resolve("qs");
        Cli.Result r = Cli.run("quickstart", "--base", base.toString(), "--shop", shop.toString(), "--out", out.toString(),
                "--epochs", "1", "--eval-limit", "3");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("[1/5]", "train.jsonl: ok, 16 examples", "test.jsonl: ok, 12 examples",
                "[2/5]", "training 16 examples, 2 steps", "[3/5]", "[4/5]", "[5/5]", "server stopped");
        assertThat(r.out()).containsPattern("METRIC +base +rules +tuned")
                .containsPattern("bleu4_llamafactory( +[0-9.]+){3}")
                .containsPattern("rougeL_llamafactory( +[0-9.]+){3}")
                .containsPattern("fact_accuracy( +[0-9.-]+){3}");
        // three held-out questions of different intents, each answered over HTTP
        List<String> questions = r.out().lines().filter(l -> l.startsWith("  Q [")).toList();
        assertThat(questions).hasSize(3);
        assertThat(questions.stream().map(l -> l.substring(5, l.indexOf(','))).distinct()).hasSize(3);
        assertThat(r.out().lines().filter(l -> l.startsWith("  A: ")).count()).isEqualTo(3);
        assertThat(r.out().lines().filter(l -> l.contains("hand-off: ")).count()).isEqualTo(3);
        assertThat(r.out()).contains(out.resolve("eval/chart-text-metrics.png").toString());
        // plain progress lines on standard error, no carriage returns or escape codes
        assertThat(r.err()).contains("train: step 2/2 (100%)", "tuned: example 3/3 (100%)").doesNotContain("\r", "\u001b[");

        assertThat(out.resolve("run/adapter/adapter_model.safetensors")).isNotEmptyFile();
        assertThat(out.resolve("run/adapter/adapter_config.json")).isNotEmptyFile();
        assertThat(out.resolve("run/loss.png")).isNotEmptyFile();
        assertThat(out.resolve("run/metrics.jsonl")).isNotEmptyFile();
        for (String f : List.of("report.json", "report.md", "report.html", "chart-text-metrics.png", "chart-business.png")) {
            assertThat(out.resolve("eval").resolve(f)).as(f).isNotEmptyFile();
        }
        assertThat(out.resolve("store/shop.mv.db")).isNotEmptyFile();
        assertThat(out.resolve(QuickstartFolder.MARKER)).isRegularFile();
        assertThat(siblingsOf(out)).containsExactly("qs");

        Matcher port = LISTENING.matcher(r.out());
        assertThat(port.find()).isTrue();
        assertThatThrownBy(() -> new Socket("127.0.0.1", Integer.parseInt(port.group(1))).close())
                .isInstanceOf(ConnectException.class);

        // running again replaces the earlier quickstart's folder; --json keeps standard output to one JSON document
        Files.writeString(out.resolve("left-over.txt"), "from the first run");
        Cli.Result j = Cli.run("quickstart", "--base", base.toString(), "--shop", shop.toString(), "--out", out.toString(),
                "--epochs", "1", "--eval-limit", "2", "--json");

        assertThat(j.exitCode()).as(j.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(j.out());
        assertThat(json.get("ok").asBoolean()).isTrue();
        assertThat(json.get("evaluated_examples").asInt()).isEqualTo(2);
        assertThat(json.get("plan").get("epochs").asInt()).isEqualTo(1);
        assertThat(json.get("plan").get("lora_rank").asInt()).isEqualTo(QuickstartPlan.LORA_RANK);
        assertThat(json.get("data").get("train.jsonl").get("examples").asInt()).isEqualTo(16);
        assertThat(json.get("training").get("steps").asInt()).isEqualTo(2);
        assertThat(json.get("metrics").fieldNames()).toIterable().containsExactly("base", "rules", "tuned");
        for (JsonNode system : json.get("metrics")) {
            assertThat(system.fieldNames()).toIterable().contains("bleu4_llamafactory", "rougeL_llamafactory", "fact_accuracy", "clean_rate");
            assertThat(system.get("bleu4_llamafactory").isNumber()).isTrue();
        }
        assertThat(json.get("answers")).hasSize(3);
        for (JsonNode answer : json.get("answers")) {
            assertThat(answer.get("productId").asText()).matches("\\d{4}");
            assertThat(answer.get("question").asText()).isNotBlank().doesNotContain("【店铺信息】");
            assertThat(answer.has("answer")).isTrue();
            assertThat(answer.get("handoff").isBoolean()).isTrue();
            assertThat(answer.get("latency_ms").asLong()).isPositive();
        }
        assertThat(json.get("seconds").fieldNames()).toIterable().containsExactly("validate", "train", "evaluate", "serve", "total");
        assertThat(json.get("files").get("adapter").asText()).isEqualTo(out.resolve("run/adapter").toString());
        assertThat(j.err()).contains("[5/5]", "METRIC");
        assertThat(out.resolve("left-over.txt")).doesNotExist();
        assertThat(out.resolve("run/adapter/adapter_model.safetensors")).isNotEmptyFile();
        assertThat(siblingsOf(out)).containsExactly("qs");
    }

    @Test
    void aMissingBaseIsAUsageErrorNamingTheFolderAndWritesNothing() {
        Path missing = dir.resolve("no-such-base");
        Path out = dir.resolve("qs");

        Cli.Result r = Cli.run("quickstart", "--base", missing.toString(), "--shop", shop.toString(), "--out", out.toString());

        assertThat(r.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(r.err()).contains("--base " + missing, "no such folder");
        assertThat(r.out()).isEmpty();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void refusesAFolderItDidNotMake() throws Exception {
        Path out = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(out.resolve("keep.txt"), "precious");

        Cli.Result r = Cli.run("quickstart", "--base", base.toString(), "--shop", shop.toString(), "--out", out.toString());

        assertThat(r.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(r.err()).contains("--out " + out, "not empty", QuickstartFolder.MARKER);
        assertThat(out.resolve("keep.txt")).hasContent("precious");
        assertThat(siblingsOf(out)).containsExactly("mine");
    }

    @Test
    void dataProblemsFailTheCheckWithTheirLinesAndWriteNothing() throws Exception {
        Path badShop = slice(dir.resolve("shop"), 16, 12);
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(badShop.resolve("train.jsonl")));
        lines.set(4, "{\"instruction\": \"有货吗\", \"input\": \"\"}");
        Files.write(badShop.resolve("train.jsonl"), lines);
        Path out = dir.resolve("qs");

        Cli.Result r = Cli.run("quickstart", "--base", base.toString(), "--shop", badShop.toString(), "--out", out.toString());

        assertThat(r.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(r.out()).contains(badShop.resolve("train.jsonl") + ":5", "output");
        assertThat(out).doesNotExist();
        assertThat(siblingsOf(out)).containsExactly("shop");
    }

    /** The names in the folder holding {@code path}: no hidden work folder may be left next to the output. */
    private static List<String> siblingsOf(Path path) throws IOException {
        try (Stream<Path> s = Files.list(path.getParent())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
