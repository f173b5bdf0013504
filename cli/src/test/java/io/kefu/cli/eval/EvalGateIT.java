package io.kefu.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kefu eval --gate} on a tiny model whose adapter was trained on shuffled answers (each question
 * paired with another question's answer), against the rules baseline, on the held-out shop set: the
 * damaged candidate is refused with exit 1 and a reason per metric; the other way round, judged on the
 * metrics where the rules are better, the rules ship.
 */
class EvalGateIT {
    private static final Path SHOP = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "shop");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aCandidateTrainedOnShuffledAnswersIsRefusedAndTheBaselineShipsOverIt() throws Exception {
        Path config = dir.resolve("tiny.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256,"
                + " \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        Cli.Result init = Cli.run("model", "init", "--arch", "llama", "--config", config.toString(), "--tokenizer",
                Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3").toString(), "--out", dir.resolve("base").toString(),
                "--seed", "3");
        assertThat(init.exitCode()).as(init.err()).isZero();

        Path shuffled = dir.resolve("shuffled.jsonl");
        Files.write(shuffled, shuffledAnswers(Files.readAllLines(SHOP.resolve("train.jsonl")).subList(0, 12)));
        Cli.Result trained = Cli.run("train", "--model", dir.resolve("base").toString(), "--data", shuffled.toString(),
                "--out", dir.resolve("run").toString(), "--epochs", "1", "--batch-size", "4", "--grad-accum", "1", "--lr", "1e-3");
        assertThat(trained.exitCode()).as(trained.err()).isZero();

        Path out = dir.resolve("gate");
        List<String> common = List.of("eval", "--baseline", "rules", "--system",
                "damaged=djl:" + dir.resolve("base") + ":" + dir.resolve("run/adapter"), "--data", SHOP.resolve("test.jsonl").toString(),
                "--limit", "30", "--max-new-tokens", "10", "--out", out.toString(), "--gate");

        Cli.Result refused = Cli.run(args(common, "--baseline-system", "rules", "--candidate-system", "damaged"));
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(refused.out()).contains("regression gate: candidate 'damaged' against baseline 'rules' on 30 examples",
                "paired bootstrap: 1000 resamples, seed 0, 95% percentile intervals",
                "rougeL_char", "bleu4_sacrebleu", "fact_accuracy", "clean_rate", "handoff_accuracy", "invented_promotion_rate",
                "rougeL_char: worse beyond noise", "95% CI of candidate - baseline", "lies entirely below 0.00",
                "do not ship: 'damaged' is worse than 'rules' beyond noise on");
        JsonNode gate = JSON.readTree(out.resolve("gate.json").toFile());
        assertThat(gate.get("decision").asText()).isEqualTo("do not ship");
        assertThat(gate.get("ship").asBoolean()).isFalse();
        List<String> worse = new ArrayList<>();
        for (JsonNode m : gate.get("gate").get("metrics")) {
            assertThat(m.get("explanation").asText()).startsWith(m.get("metric").asText());
            if (m.get("verdict").asText().equals("WORSE")) {
                worse.add(m.get("metric").asText());
                assertThat(m.get("upper").asDouble() * (m.get("higherIsBetter").asBoolean() ? 1 : -1)).isNegative();
            }
        }
        assertThat(worse).contains("rougeL_char", "bleu4_sacrebleu");

        // the same predictions (resumed from the folder), judged the other way round on the metrics the rules
        // baseline wins (it hands off more often than asked, so it would lose handoff_accuracy to a model that never does)
        Cli.Result shipped = Cli.run(args(common, "--baseline-system", "damaged", "--candidate-system", "rules",
                "--gate-metric", "fact_accuracy", "--gate-metric", "bleu4_sacrebleu", "--gate-metric", "rougeL_char"));
        assertThat(shipped.exitCode()).as(shipped.out() + shipped.err()).isZero();
        String judged = shipped.out().substring(shipped.out().indexOf("regression gate:"));
        assertThat(judged).contains("ship: 'rules' is not worse than 'damaged' beyond noise on any chosen metric;"
                + " better on fact_accuracy, bleu4_sacrebleu, rougeL_char").doesNotContain("do not ship", "clean_rate");
        assertThat(JSON.readTree(out.resolve("gate.json").toFile()).get("decision").asText()).isEqualTo("ship");

        Cli.Result unknown = Cli.run(args(common, "--baseline-system", "rules", "--candidate-system", "tuned"));
        assertThat(unknown.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(unknown.err()).contains("--candidate-system tuned is not a system of this run", "damaged, rules");
    }

    /** Gives each example the answer of the next one, so the adapter learns answers that do not fit the question. */
    private static List<String> shuffledAnswers(List<String> lines) throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            ObjectNode example = (ObjectNode) JSON.readTree(lines.get(i));
            example.put("output", JSON.readTree(lines.get((i + 1) % lines.size())).get("output").asText());
            out.add(JSON.writeValueAsString(example));
        }
        return out;
    }

    private static String[] args(List<String> common, String... more) {
        List<String> all = new ArrayList<>(common);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
