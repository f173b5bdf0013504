package io.kefu.cli.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DataValidateCommandTest {
    @TempDir
    Path dir;

    /** The broken-file corpus of the runtime module, each file with its expected message beside it. */
    static Stream<Path> brokenFiles() throws IOException {
        Path corpus = Path.of(System.getProperty("kefu.repo.dir"), "runtime", "src", "test", "resources", "data", "broken");
        try (Stream<Path> files = Files.list(corpus)) {
            return files.filter(f -> !f.toString().endsWith(".expected")).sorted().toList().stream();
        }
    }

    /** @return the expected message lines, with the bare file name replaced by the path the CLI was given */
    static List<String> expectedLines(Path file) throws IOException {
        String name = file.getFileName().toString();
        Path expected = file.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".expected");
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(expected, StandardCharsets.UTF_8)) {
            lines.add(line.replace(name, file.toString()));
        }
        return lines;
    }

    static Path cleanFile(Path dir, int n) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("{\"instruction\": \"连衣裙" + i + "有S码吗?\", \"output\": \"亲亲，有货哦~\", \"intent\": \""
                    + (i < 8 ? "stock_size" : "invoice") + "\", \"strategy\": \"direct_answer\", \"id\": " + i + "}");
        }
        lines.add("{\"conversations\": [{\"from\": \"human\", \"value\": \"在吗\"}, {\"from\": \"gpt\", \"value\": \"在的亲亲\"}]}");
        return Files.write(dir.resolve("train.jsonl"), lines, StandardCharsets.UTF_8);
    }

    @Test
    void cleanFilePrintsCountsAndExitsZero() throws IOException {
        Path file = cleanFile(dir, 11);
        Cli.Result result = Cli.run("data", "validate", file.toString());
        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains(file + ": ok, 12 examples in 12 records", "shapes: alpaca 11, sharegpt 1")
                .containsPattern("stock_size\\s+8\\s+66\\.7%").containsPattern("invoice\\s+3\\s+25\\.0%")
                .containsPattern("\\(none\\)\\s+1\\s+8\\.3%");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void brokenFileExitsOneWithTheLocatedMessageAndWritesNothing(Path file) throws IOException {
        Path out = dir.resolve("clean.jsonl");
        Cli.Result result = Cli.run("data", "validate", file.toString(), "--out", out.toString());
        assertThat(result.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(result.out()).containsSubsequence(expectedLines(file));
        assertThat(out).doesNotExist();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).as("no temp file left behind").isEmpty();
        }
    }

    @Test
    void failureLeavesAnExistingOutputUntouched() throws IOException {
        Path out = Files.writeString(dir.resolve("clean.jsonl"), "old\n");
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"instruction\": \"q\"}\n");
        Cli.Result result = Cli.run("data", "validate", bad.toString(), "--out", out.toString(), "--min-examples", "0");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains(bad + ":1: output: missing");
        assertThat(Files.readString(out)).isEqualTo("old\n");
    }

    @Test
    void outWritesNormalisedJsonlThatValidatesAgain() throws IOException {
        Path file = cleanFile(dir, 11);
        Path out = dir.resolve("sub").resolve("clean.jsonl");
        Cli.Result result = Cli.run("data", "validate", file.toString(), "--out", out.toString());
        assertThat(result.exitCode()).as(result.out()).isZero();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(12);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("messages").toString())
                .isEqualTo("[{\"role\":\"user\",\"content\":\"连衣裙0有S码吗?\"},{\"role\":\"assistant\",\"content\":\"亲亲，有货哦~\"}]");
        assertThat(first.get("intent").asText()).isEqualTo("stock_size");
        assertThat(first.get("id").asInt()).isZero();
        Cli.Result again = Cli.run("data", "validate", out.toString(), "--json");
        JsonNode report = new ObjectMapper().readTree(again.out());
        assertThat(report.get("ok").asBoolean()).isTrue();
        assertThat(report.at("/files/0/shapes/openai").asInt()).isEqualTo(12);
    }

    @Test
    void jsonReportListsLocatedProblems() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.jsonl"),
                "{\"instruction\": \"q\", \"output\": 3}\n{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}\n");
        Cli.Result result = Cli.run("data", "validate", file.toString(), "--json", "--min-examples", "0");
        assertThat(result.exitCode()).isEqualTo(1);
        JsonNode report = new ObjectMapper().readTree(result.out());
        assertThat(report.get("ok").asBoolean()).isFalse();
        JsonNode problems = report.at("/files/0/problems");
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0).get("line").asInt()).isEqualTo(1);
        assertThat(problems.get(0).get("field").asText()).isEqualTo("output");
        assertThat(problems.get(0).get("reason").asText()).isEqualTo("expected a string, found a number");
        assertThat(problems.get(1).get("line").asInt()).isEqualTo(2);
        assertThat(problems.get(1).get("field").asText()).isEqualTo("messages");
        assertThat(report.at("/files/0/problemCount").asInt()).isEqualTo(2);
    }

    @Test
    void duplicatesCanBeDroppedFromTheCleanCopy() throws IOException {
        Path file = cleanFile(dir, 11);
        Files.writeString(file, Files.readAllLines(file).get(0) + "\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(Cli.run("data", "validate", file.toString()).out()).contains(file + ":13: record: duplicate of line 1");
        Path out = dir.resolve("clean.jsonl");
        Cli.Result result = Cli.run("data", "validate", file.toString(), "--duplicates", "DROP", "--out", out.toString());
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("1 dropped, 0 to be truncated", file + ":13: record: dropped: duplicate of line 1");
        assertThat(Files.readAllLines(out)).hasSize(12);
    }

    @Test
    void usageErrorsExitTwo() throws IOException {
        Path file = cleanFile(dir, 11);
        assertThat(Cli.run("data", "validate").exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        Cli.Result badPolicy = Cli.run("data", "validate", file.toString(), "--duplicates", "maybe");
        assertThat(badPolicy.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(badPolicy.err()).contains("expected error, drop or keep, got 'maybe'");
        assertThat(Cli.run("data", "validate", file.toString(), file.toString(), "--out", dir.resolve("o.jsonl").toString()).exitCode())
                .isEqualTo(KefuCli.EXIT_USAGE);
        Path mapping = Files.writeString(dir.resolve("mapping.json"), "{\"columns\": {\"answer\": \"a\"}}");
        Cli.Result badMapping = Cli.run("data", "validate", file.toString(), "--mapping", mapping.toString());
        assertThat(badMapping.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(badMapping.err()).contains("columns.answer: unknown column");
    }

    @Test
    void missingFileIsReportedAndFails() {
        Path missing = dir.resolve("nope.jsonl");
        Cli.Result result = Cli.run("data", "validate", missing.toString());
        assertThat(result.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(result.err()).contains(missing + ": file not found");
    }

    @Test
    void severalFilesAreCheckedAndAnyFailureFails() throws IOException {
        Path good = cleanFile(dir, 11);
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"instruction\": \"q\"}\n");
        Cli.Result result = Cli.run("data", "validate", good.toString(), bad.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains(good + ": ok", bad + ":1: output: missing");
    }
}
