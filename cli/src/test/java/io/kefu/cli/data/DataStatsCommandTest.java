package io.kefu.cli.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataStatsCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsCountsPerIntentStrategyTurnsAndAHistogram() throws IOException {
        Path file = DataValidateCommandTest.cleanFile(dir, 11);
        Cli.Result result = Cli.run("data", "stats", file.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains(file + ": 12 examples", "length in characters", "characters: min ")
                .containsPattern("stock_size\\s+8\\s+66\\.7%")
                .containsPattern("direct_answer\\s+11\\s+91\\.7%")
                .containsPattern("user turns\\s+examples");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void jsonHasTheHistogramBuckets() throws IOException {
        Path file = DataValidateCommandTest.cleanFile(dir, 11);
        JsonNode stats = new ObjectMapper().readTree(Cli.run("data", "stats", file.toString(), "--json").out());
        assertThat(stats.get("examples").asInt()).isEqualTo(12);
        assertThat(stats.at("/intents/invoice").asInt()).isEqualTo(3);
        assertThat(stats.at("/length/unit").asText()).isEqualTo("characters");
        int total = 0;
        for (JsonNode bucket : stats.at("/length/buckets")) {
            total += bucket.get("count").asInt();
        }
        assertThat(total).isEqualTo(12);
        // the ShareGPT record: 在吗 (2) + 在的亲亲 (4) = 6 characters, the shortest
        assertThat(stats.at("/length/min").asInt()).isEqualTo(6);
    }

    @Test
    void recordsWithProblemsAreLeftOutAndNamed() throws IOException {
        Path file = DataValidateCommandTest.cleanFile(dir, 3);
        Files.writeString(file, "{\"instruction\": \"q\"}\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        Cli.Result result = Cli.run("data", "stats", file.toString());
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains(file + ": 4 examples");
        assertThat(result.err()).contains("1 problem; ", file + ":5: output: missing");
    }
}
