package io.kefu.cli.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kefu data validate|stats --model DIR} with the real Qwen 3 tokenizer and chat template. */
class DataModelOptionsTest {
    @TempDir
    Path dir;

    static String qwen3() {
        return Path.of(System.getProperty("kefu.tokenizers.dir"), "qwen3").toString();
    }

    private Path withOneLongExample() throws IOException {
        Path file = DataValidateCommandTest.cleanFile(dir, 11);
        Files.writeString(file, "{\"instruction\": \"" + "这件衣服的面料怎么样".repeat(30) + "\", \"output\": \"棉的亲亲~\"}\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return file;
    }

    @Test
    void overlongExamplesAreProblemsByDefault() throws IOException {
        Path file = withOneLongExample();
        Cli.Result result = Cli.run("data", "validate", file.toString(), "--model", qwen3(), "--max-length", "100");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.out()).containsPattern(java.util.regex.Pattern.quote(file + ":13: record: ")
                + "\\d+ tokens after rendering with the chat template, more than the maximum length 100; shorten it,"
                + " or choose the overlong policy truncate or drop");
        assertThat(Cli.run("data", "validate", file.toString(), "--model", qwen3()).exitCode()).isZero();
    }

    @Test
    void overlongExamplesCanBeDroppedFromTheCleanCopy() throws IOException {
        Path file = withOneLongExample();
        Path out = dir.resolve("clean.jsonl");
        Cli.Result result = Cli.run("data", "validate", file.toString(), "--model", qwen3(), "--max-length", "100",
                "--overlong", "drop", "--out", out.toString());
        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("1 dropped, 0 to be truncated", file + ":13: record: dropped: ");
        assertThat(Files.readAllLines(out)).hasSize(12);
    }

    @Test
    void lengthOptionsNeedAModel() throws IOException {
        Path file = DataValidateCommandTest.cleanFile(dir, 11);
        Cli.Result result = Cli.run("data", "validate", file.toString(), "--max-length", "100");
        assertThat(result.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(result.err()).contains("--max-length and --overlong need --model DIR");
        assertThat(Cli.run("data", "validate", file.toString(), "--model", qwen3(), "--overlong", "sometimes").exitCode())
                .isEqualTo(KefuCli.EXIT_USAGE);
    }

    @Test
    void statsMeasuresTokensWithAModel() throws IOException {
        Path file = DataValidateCommandTest.cleanFile(dir, 11);
        Cli.Result result = Cli.run("data", "stats", file.toString(), "--model", qwen3());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("length in tokens", "tokens: min ");
    }

    @Test
    void benchDataPrintsTheTableAndCleansUp() throws IOException {
        Path work = dir.resolve("work");
        Cli.Result result = Cli.run("bench", "data", "--examples", "200", "--model", qwen3(), "--work-dir", work.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("stage", "examples/s", "peak heap MiB", "live heap MiB",
                "baseline: Jackson parse per line", "validate (streaming)", "validate + render + tokenize",
                "baseline: Dataset load (all in memory)", "JVM max heap");
        assertThat(result.out()).containsPattern("validate \\+ render \\+ tokenize\\s+200\\s");
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).as("the temp data file is deleted").isEmpty();
        }
    }
}
