package io.kefu.cli.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AugmentCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void addsTemplateAndSynonymDialogsAndRejectedAnswersWithProvenance(@TempDir Path dir) throws Exception {
        Path in = GenerateShopCommandTest.sampleShop().resolve("train.jsonl");
        Path out = dir.resolve("aug.jsonl");
        Cli.Result result = Cli.run("data", "augment", "--in", in.toString(), "--shop", GenerateShopCommandTest.sampleShop().toString(),
                "--template", "100", "--synonyms", "--negatives", "--out", out.toString(), "--seed", "3", "--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = JSON.readTree(result.out());
        assertThat(summary.get("input").asInt()).isEqualTo(600);
        assertThat(summary.get("template").asInt()).isEqualTo(100);
        int synonyms = summary.get("synonym").asInt();
        assertThat(synonyms).isGreaterThan(200);
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            records.add(JSON.readTree(line));
        }
        int repeats = summary.get("repeats_dropped").asInt();
        assertThat(records).hasSize(700 + synonyms - repeats);
        assertThat(new java.util.HashSet<>(records.stream().map(r -> r.get("instruction").asText() + r.get("input").asText() + r.get("output").asText()).toList()))
                .hasSize(records.size());
        assertThat(summary.get("output").asInt()).isEqualTo(records.size());
        long template = 0;
        long synonym = 0;
        for (JsonNode r : records) {
            assertThat(r.get("rejected").asText()).isNotBlank();
            JsonNode p = r.get("provenance");
            assertThat(p.get("method").asText()).isEqualTo("negative");
            String source = p.get("source").asText();
            template += source.startsWith("tpl-") && !source.endsWith("~syn") ? 1 : 0;
            synonym += source.endsWith("~syn") ? 1 : 0;
        }
        assertThat(template).isEqualTo(100);
        assertThat(synonym).isEqualTo(synonyms - repeats);
        Cli.Result again = Cli.run("data", "augment", "--in", in.toString(), "--shop", GenerateShopCommandTest.sampleShop().toString(),
                "--template", "100", "--synonyms", "--negatives", "--out", dir.resolve("again.jsonl").toString(), "--seed", "3");
        assertThat(again.exitCode()).isZero();
        assertThat(Files.readString(dir.resolve("again.jsonl"))).isEqualTo(Files.readString(out));
    }

    @Test
    void synonymsAloneRecordTheRuleApplied(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"instruction\":\"M码有货吗?\",\"input\":\"\",\"output\":\"亲亲,有的~\",\"id\":\"q1\"}\n"
                + "{\"instruction\":\"你好\",\"output\":\"您好~\"}\n");
        Path out = dir.resolve("out.jsonl");
        Cli.Result result = Cli.run("data", "augment", "--in", in.toString(), "--synonyms", "--out", out.toString(), "--seed", "1");
        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(3);
        JsonNode added = JSON.readTree(lines.get(2));
        assertThat(added.get("id").asText()).isEqualTo("q1~syn");
        assertThat(added.get("instruction").asText()).startsWith("M码").doesNotContain("有货吗");
        assertThat(added.get("provenance").get("method").asText()).isEqualTo("synonym");
        assertThat(added.get("provenance").get("detail").asText()).startsWith("有货吗->");
        assertThat(JSON.readTree(lines.get(1)).get("id").asText()).isEqualTo("in.jsonl:2");
    }

    @Test
    void badInputFailsWithFileAndLineAndWritesNothing(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"instruction\":\"有货吗\",\"output\":\"有\"}\n{\"instruction\":\"有货吗\",\"output\":5}\n");
        Path out = dir.resolve("out.jsonl");
        Cli.Result result = Cli.run("data", "augment", "--in", in.toString(), "--negatives", "--out", out.toString());
        assertThat(result.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(result.err()).contains("in.jsonl:2 output: expected a string, got number");
        assertThat(out).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(in);
        }
    }

    @Test
    void usageErrorsExitTwo(@TempDir Path dir) {
        String in = GenerateShopCommandTest.sampleShop().resolve("train.jsonl").toString();
        Cli.Result nothing = Cli.run("data", "augment", "--in", in, "--out", dir.resolve("o.jsonl").toString());
        assertThat(nothing.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(nothing.err()).contains("nothing to do");
        Cli.Result noShop = Cli.run("data", "augment", "--in", in, "--template", "5", "--out", dir.resolve("o.jsonl").toString());
        assertThat(noShop.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(noShop.err()).contains("--template needs --shop");
    }
}
