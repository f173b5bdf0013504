package io.kefu.cli.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.runtime.tokenize.HfTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataRenderCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path qwen;
    private static HfTokenizer tokenizer;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        qwen = Path.of(System.getProperty("kefu.tokenizers.dir"), "qwen3");
        tokenizer = HfTokenizer.load(qwen);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private Path dataset() throws Exception {
        return Files.write(dir.resolve("train.jsonl"), List.of(
                "{\"instruction\": \"连衣裙A有S码吗?\", \"output\": \"亲亲，有货哦~\", \"system\": \"你是客服。\"}",
                "{\"conversations\": [{\"from\": \"human\", \"value\": \"在吗 {{ 7 * 7 }}\"}, {\"from\": \"gpt\", \"value\": \"在的亲亲\"},"
                        + " {\"from\": \"human\", \"value\": \"几天到?\"}, {\"from\": \"gpt\", \"value\": \"2天到哦\"}]}"),
                StandardCharsets.UTF_8);
    }

    private static List<JsonNode> lines(String out) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private static List<String> trainedRuns(JsonNode line) {
        List<String> runs = new ArrayList<>();
        JsonNode labels = line.get("labels");
        for (int i = 0; i < labels.size(); ) {
            if (labels.get(i).asInt() == -100) {
                i++;
                continue;
            }
            List<Integer> run = new ArrayList<>();
            while (i < labels.size() && labels.get(i).asInt() != -100) {
                run.add(labels.get(i++).asInt());
            }
            runs.add(tokenizer.decode(run.stream().mapToInt(Integer::intValue).toArray()));
        }
        return runs;
    }

    @Test
    void printsOneJsonLinePerExampleWithMaskedPrompt() throws Exception {
        Cli.Result result = Cli.run("data", "render", "--model", qwen.toString(), "--in", dataset().toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        List<JsonNode> lines = lines(result.out());
        assertThat(lines).hasSize(2);
        for (JsonNode line : lines) {
            int[] ids = JSON.convertValue(line.get("input_ids"), int[].class);
            assertThat(line.get("labels").size()).isEqualTo(ids.length);
            assertThat(tokenizer.decode(ids)).isEqualTo(line.get("text").asText());
        }
        assertThat(lines.get(0).get("text").asText()).startsWith("<|im_start|>system\n你是客服。<|im_end|>\n");
        assertThat(trainedRuns(lines.get(0))).containsExactly("<think>\n\n</think>\n\n亲亲，有货哦~<|im_end|>");
        assertThat(lines.get(1).get("text").asText()).contains("在吗 {{ 7 * 7 }}");
        assertThat(trainedRuns(lines.get(1))).containsExactly("在的亲亲<|im_end|>", "<think>\n\n</think>\n\n2天到哦<|im_end|>");
    }

    @Test
    void trainOnPromptTrainsEveryToken() throws Exception {
        Cli.Result result = Cli.run("data", "render", "--model", qwen.toString(), "--in", dataset().toString(), "--train-on-prompt");
        assertThat(result.exitCode()).isZero();
        for (JsonNode line : lines(result.out())) {
            assertThat(line.get("labels")).isEqualTo(line.get("input_ids"));
        }
    }

    @Test
    void overlongExamplesAreTruncatedDroppedOrLocated() throws Exception {
        Path data = dataset();
        Cli.Result truncated = Cli.run("data", "render", "--model", qwen.toString(), "--in", data.toString(), "--max-length", "20");
        assertThat(truncated.exitCode()).isZero();
        assertThat(lines(truncated.out())).allSatisfy(line -> assertThat(line.get("input_ids").size()).isEqualTo(20));

        Cli.Result dropped = Cli.run("data", "render", "--model", qwen.toString(), "--in", data.toString(),
                "--max-length", "20", "--overlong", "drop");
        assertThat(dropped.exitCode()).isZero();
        assertThat(dropped.out()).isBlank();
        assertThat(dropped.err()).contains("2 of 2 examples left out");

        Cli.Result error = Cli.run("data", "render", "--model", qwen.toString(), "--in", data.toString(),
                "--max-length", "20", "--overlong", "error");
        assertThat(error.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(error.err()).contains(data + ":1").contains("more than the maximum length 20");
    }

    @Test
    void badArgumentsAreUsageErrorsAndMissingFilesFail() throws Exception {
        Path data = dataset();
        assertThat(Cli.run("data", "render", "--in", data.toString()).exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(Cli.run("data", "render", "--model", qwen.toString(), "--in", data.toString(), "--max-length", "0").exitCode())
                .isEqualTo(KefuCli.EXIT_USAGE);
        Cli.Result policy = Cli.run("data", "render", "--model", qwen.toString(), "--in", data.toString(), "--overlong", "maybe");
        assertThat(policy.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(policy.err()).contains("--overlong");

        Cli.Result noModel = Cli.run("data", "render", "--model", dir.resolve("nope").toString(), "--in", data.toString());
        assertThat(noModel.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(noModel.err()).contains(dir.resolve("nope").resolve("tokenizer_config.json").toString());
        Cli.Result noData = Cli.run("data", "render", "--model", qwen.toString(), "--in", dir.resolve("missing.jsonl").toString());
        assertThat(noData.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(noData.err()).contains("missing.jsonl");
    }
}
