package io.kefu.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import io.kefu.eval.standard.MetricTable;
import io.kefu.shop.rules.RulesChatModel;
import io.kefu.model.Engines;
import io.kefu.server.KefuServer;
import io.kefu.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kefu eval} compares a model behind a real Kefu server on loopback (engine remote) with a
 * local tiny DJL model and the rules baseline on the held-out shop set, in one report.
 */
class EvalRemoteIT {
    private static final Path SHOP = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "shop");

    @TempDir
    Path dir;

    @Test
    void oneReportHoldsTheRemoteTheLocalAndTheBaseline() throws Exception {
        Path config = dir.resolve("tiny.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256,"
                + " \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        Path tiny = dir.resolve("model");
        Engines.get("djl").initCheckpoint("llama", config, Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3"), tiny, 11);
        Path out = dir.resolve("eval");

        try (KefuServer server = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel())
                .storeUrl("jdbc:h2:file:" + dir.resolve("store/shop")).shopFolder(SHOP).port(0).build())) {
            String url = "http://127.0.0.1:" + server.port() + "/v1";
            Cli.Result r = Cli.run("eval", "--system", "remote=remote:" + url, "--system", "local=djl:" + tiny,
                    "--baseline", "rules", "--data", SHOP.resolve("test.jsonl").toString(), "--limit", "10",
                    "--max-new-tokens", "16", "--out", out.toString());
            assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("remote").contains("local").contains("rules").contains("report.html");
        }

        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        List<String> names = new ArrayList<>();
        report.get("systems").forEach(s -> names.add(s.get("system").asText()));
        assertThat(names).containsExactly("remote", "local", "rules");
        for (JsonNode s : report.get("systems")) {
            JsonNode metrics = s.get("metrics");
            assertThat(metrics.size()).as(s.get("system").asText()).isPositive();
            metrics.forEach(m -> assertThat(m.isNumber() || m.isNull()).isTrue());
            assertThat(Files.readAllLines(out.resolve("predictions-" + s.get("system").asText() + ".jsonl"))).hasSize(10);
        }
        // the remote system is the rules model behind HTTP: the same answers give the same quality scores
        JsonNode remote = report.get("systems").get(0).get("metrics");
        JsonNode local = report.get("systems").get(1).get("metrics");
        JsonNode rules = report.get("systems").get(2).get("metrics");
        for (String metric : MetricTable.QUALITY) {
            assertThat(remote.get(metric)).as(metric).isEqualTo(rules.get(metric));
        }
        assertThat(local.get("rougeL_char").asDouble()).isLessThan(rules.get("rougeL_char").asDouble());
    }
}
