package io.kefu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class KefuCliTest {
    @Test
    void helpListsCommandsAndExitsZero() {
        Cli.Result result = Cli.run("--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("data", "engines");
    }

    @Test
    void unknownCommandIsAUsageError() {
        Cli.Result result = Cli.run("no-such-command");
        assertThat(result.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(result.err()).contains("no-such-command");
    }

    @Test
    void enginesPrintsValidJson() throws Exception {
        Cli.Result result = Cli.run("engines", "--json");
        assertThat(result.exitCode()).isZero();
        JsonNode engines = new ObjectMapper().readTree(result.out());
        assertThat(engines.isArray()).isTrue();
        for (JsonNode engine : engines) {
            assertThat(engine.get("id").asText()).isNotBlank();
            assertThat(engine.get("reason").asText()).isNotBlank();
        }
    }
}
