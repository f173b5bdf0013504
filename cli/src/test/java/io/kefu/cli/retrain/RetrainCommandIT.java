package io.kefu.cli.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.cli.Cli;
import io.kefu.runtime.provenance.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kefu retrain} on the demo base (3.1M parameters) and a few shop dialogs, month after month: month 2
 * continues month 1's adapter (records already trained on are left out, the candidate's provenance names
 * its parent by hash, the gate's reports and the verdict sit beside it); month 3, trained on answers that
 * are no shop's answers at all, is refused with exit 1; bad input exits 2 before anything is trained.
 */
class RetrainCommandIT {
    private static final Path SHOP = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "shop");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void monthAfterMonthTheCandidateContinuesItsParentAndTheGateDecides() throws Exception {
        // the demo base speaks plain customer service, so last month's adapter answers with the shop's words
        Path base = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "models", "demo-base");

        List<String> train = Files.readAllLines(SHOP.resolve("train.jsonl"), StandardCharsets.UTF_8);
        List<String> heldOut = Files.readAllLines(SHOP.resolve("test.jsonl"), StandardCharsets.UTF_8);
        Path month1 = write("month1.jsonl", train.subList(0, 12));
        List<String> second = new ArrayList<>(train.subList(12, 20));
        second.addAll(train.subList(0, 2));
        Path month2 = write("month2.jsonl", second);
        Path test = write("test.jsonl", heldOut.subList(0, 10));
        Path subset = write("subset.jsonl", heldOut.subList(10, 20));

        Cli.Result first = Cli.run("train", "--model", base.toString(), "--data", month1.toString(), "--out", dir.resolve("m1").toString(),
                "--epochs", "1", "--batch-size", "4", "--grad-accum", "1", "--lr", "3e-3", "--lora-target", "all-linear", "--max-length", "512");
        assertThat(first.exitCode()).as(first.err()).isZero();
        Path previous = dir.resolve("m1/adapter");

        // bad input: nothing is trained, exit 2 with the file and line
        Path broken = write("broken.jsonl", List.of(train.get(30), "{\"instruction\": \"有货吗\""));
        Cli.Result bad = Cli.run("retrain", "--previous", previous.toString(), "--new-data", broken.toString(), "--test", test.toString(),
                "--out", dir.resolve("bad").toString());
        assertThat(bad.exitCode()).as(bad.out() + bad.err()).isEqualTo(RetrainCommand.BAD_INPUT);
        assertThat(bad.err()).contains("kefu retrain: ", "broken.jsonl:2");
        assertThat(dir.resolve("bad/candidate")).doesNotExist();
        Cli.Result noTest = Cli.run("retrain", "--previous", previous.toString(), "--new-data", month2.toString(),
                "--out", dir.resolve("bad").toString());
        assertThat(noTest.exitCode()).isEqualTo(RetrainCommand.BAD_INPUT);
        assertThat(noTest.err()).contains("missing --test FILE");

        // month 2: a generous margin, so the tiny model's noise cannot refuse it
        Path m2 = dir.resolve("m2");
        Cli.Result shipped = Cli.run("retrain", "--previous", previous.toString(), "--new-data", month2.toString(), "--test", test.toString(),
                "--gate-subset", "subset=" + subset, "--out", m2.toString(), "--epochs", "1", "--max-new-tokens", "12",
                "--gate-margin", "100", "--gate-resamples", "200");
        assertThat(shipped.exitCode()).as(shipped.out() + shipped.err()).isEqualTo(RetrainCommand.SHIP);
        assertThat(shipped.out()).contains("new data: 10 records of " + month2 + "; 2 left out as already trained on, 0 as repeated"
                + " within the file; 8 to learn", "replay: 2 earlier records mixed into 8 new (ratio 0.2)",
                "held-out set: " + test, "held-out set: subset (" + subset + ")",
                "regression gate: candidate 'candidate' against baseline 'previous' on 10 examples", "verdict: ship");
        for (String file : List.of("candidate/adapter_config.json", "candidate/adapter_model.safetensors", "candidate/kefu_provenance.json",
                "gate/report.json", "gate/gate.json", "gate/predictions-previous.jsonl", "gate/predictions-candidate.jsonl",
                "gate/subset/gate.json", "verdict.json")) {
            assertThat(m2.resolve(file)).isRegularFile();
        }
        JsonNode provenance = JSON.readTree(m2.resolve("candidate/kefu_provenance.json").toFile());
        assertThat(provenance.get("base_model").asText()).isEqualTo(base.toString());
        assertThat(provenance.get("parent_adapter").get("sha256").asText()).isEqualTo(Sha256.ofAdapter(previous));
        assertThat(roles(provenance)).containsExactly("train:" + month2 + ":8", "replay:" + month1 + ":12", "test:" + test + ":10",
                "test:subset:" + subset + ":10");
        assertThat(provenance.get("replay").get("replayed").asInt()).isEqualTo(2);
        JsonNode verdict = JSON.readTree(m2.resolve("verdict.json").toFile());
        assertThat(verdict.get("decision").asText()).isEqualTo("ship");
        assertThat(verdict.get("exit_code").asInt()).isZero();
        assertThat(verdict.get("candidate").get("sha256").asText()).isEqualTo(Sha256.ofAdapter(m2.resolve("candidate")));
        assertThat(verdict.get("previous").get("sha256").asText()).isEqualTo(Sha256.ofAdapter(previous));
        assertThat(verdict.get("data").get("already_trained").asInt()).isEqualTo(2);
        assertThat(verdict.get("gates").fieldNames()).toIterable().containsExactly("test", "subset");
        assertThat(verdict.get("preference_training").get("status").asText()).isEqualTo("none");

        // month 3: answers that are no shop's answers, learnt hard; the held-out file comes from month 2's provenance
        List<String> garbage = new ArrayList<>();
        for (String line : train.subList(40, 56)) {
            ObjectNode example = (ObjectNode) JSON.readTree(line);
            example.put("output", "zq xv zq xv zq xv zq xv zq xv zq xv");
            garbage.add(JSON.writeValueAsString(example));
        }
        Path month3 = write("month3.jsonl", garbage);
        Path m3 = dir.resolve("m3");
        Cli.Result refused = Cli.run("retrain", "--previous", m2.resolve("candidate").toString(), "--new-data", month3.toString(),
                "--out", m3.toString(), "--epochs", "4", "--lr", "1e-2", "--max-new-tokens", "12", "--gate-metric", "rougeL_char",
                "--replay-ratio", "0.1");
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(RetrainCommand.DO_NOT_SHIP);
        assertThat(refused.out()).contains("held-out set: " + test, "rougeL_char: worse beyond noise", "verdict: do not ship",
                "test: do not ship: 'candidate' is worse than 'previous' beyond noise on rougeL_char");
        JsonNode no = JSON.readTree(m3.resolve("verdict.json").toFile());
        assertThat(no.get("decision").asText()).isEqualTo("do not ship");
        assertThat(no.get("exit_code").asInt()).isEqualTo(1);
        assertThat(no.get("reasons").get(0).asText()).contains("rougeL_char");
        JsonNode third = JSON.readTree(m3.resolve("candidate/kefu_provenance.json").toFile());
        assertThat(third.get("parent_adapter").get("sha256").asText()).isEqualTo(Sha256.ofAdapter(m2.resolve("candidate")));
        assertThat(roles(third)).containsExactly("train:" + month3 + ":16", "replay:" + month2 + ":10", "replay:" + month1 + ":12",
                "test:" + test + ":10");
    }

    private static List<String> roles(JsonNode provenance) {
        List<String> roles = new ArrayList<>();
        provenance.get("data").forEach(d -> roles.add(d.get("role").asText() + ":" + d.get("path").asText() + ":" + d.get("examples").asInt()));
        return roles;
    }

    private Path write(String name, List<String> lines) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }
}
