package io.kefu.cli.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import io.kefu.runtime.provenance.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kefu retrain} with a month whose records carry rejected answers ({@code kefu data augment --negatives}),
 * on the demo base: after the supervised step, DPO trains the pairs from the supervised adapter (the frozen
 * reference) and its result is the candidate; the verdict and the provenance say how many pairs, with which
 * settings, and the chosen-over-rejected margin before and after. A preference step that fails leaves no
 * candidate and no verdict, and the same command run again finishes the month. {@code --no-preference} skips it.
 */
class RetrainPreferenceIT {
    private static final Path REPO = Path.of(System.getProperty("kefu.repo.dir", ".."));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theMonthsPairsAreTrainedAfterTheSupervisedStep() throws Exception {
        Path base = REPO.resolve("examples/models/demo-base");
        List<String> train = Files.readAllLines(REPO.resolve("examples/shop/train.jsonl"), StandardCharsets.UTF_8);
        List<String> heldOut = Files.readAllLines(REPO.resolve("examples/shop/test.jsonl"), StandardCharsets.UTF_8);
        Path month1 = write("month1.jsonl", train.subList(0, 12));
        Path plainMonth2 = write("month2-plain.jsonl", train.subList(12, 24));
        Path test = write("test.jsonl", heldOut.subList(0, 10));
        Path month2 = dir.resolve("month2.jsonl");
        Cli.Result augmented = Cli.run("data", "augment", "--in", plainMonth2.toString(), "--negatives", "--out", month2.toString());
        assertThat(augmented.exitCode()).as(augmented.err()).isZero();

        Cli.Result first = Cli.run("train", "--model", base.toString(), "--data", month1.toString(), "--out", dir.resolve("m1").toString(),
                "--epochs", "1", "--batch-size", "4", "--grad-accum", "1", "--lr", "3e-3", "--lora-target", "all-linear", "--max-length", "512");
        assertThat(first.exitCode()).as(first.err()).isZero();
        Path previous = dir.resolve("m1/adapter");
        Path m2 = dir.resolve("m2");
        List<String> retrain = List.of("retrain", "--previous", previous.toString(), "--new-data", month2.toString(), "--test",
                test.toString(), "--out", m2.toString(), "--epochs", "1", "--max-new-tokens", "12", "--gate-margin", "100",
                "--gate-resamples", "200", "--pref-beta", "0.2", "--pref-ftx", "0.5", "--pref-epochs", "2", "--pref-lr", "2e-3");

        Cli.Result badBeta = Cli.run(with(retrain, "--pref-beta", "0"));
        assertThat(badBeta.exitCode()).as(badBeta.out() + badBeta.err()).isEqualTo(RetrainCommand.BAD_INPUT);
        assertThat(badBeta.err()).contains("--pref-beta 0.0 must be above 0");
        assertThat(m2.resolve("run")).doesNotExist();

        // the preference run cannot keep its checkpoints: the month fails after the supervised step, and nothing is half-written
        Files.createDirectories(m2.resolve("run"));
        Files.writeString(m2.resolve("run/preference"), "in the way");
        Cli.Result failed = Cli.run(retrain.toArray(String[]::new));
        assertThat(failed.exitCode()).as(failed.out() + failed.err()).isEqualTo(RetrainCommand.FAILURE);
        assertThat(failed.out()).contains("preference training: 12 records have a rejected answer");
        assertThat(m2.resolve("run/supervised/adapter_model.safetensors")).isRegularFile();
        assertThat(m2.resolve("candidate")).doesNotExist();
        assertThat(m2.resolve("verdict.json")).doesNotExist();

        Files.delete(m2.resolve("run/preference"));
        Cli.Result shipped = Cli.run(retrain.toArray(String[]::new));
        assertThat(shipped.exitCode()).as(shipped.out() + shipped.err()).isEqualTo(RetrainCommand.SHIP);
        assertThat(shipped.out()).contains("resumed at step", "preference margin over 12 pairs", "preference training trained on 12 pairs",
                "verdict: ship");
        JsonNode step = JSON.readTree(m2.resolve("verdict.json").toFile()).get("preference_training");
        assertThat(step.get("status").asText()).isEqualTo("trained");
        assertThat(step.get("pairs").asInt()).isEqualTo(12);
        assertThat(step.get("loss").asText()).isEqualTo("sigmoid");
        assertThat(step.get("beta").asDouble()).isEqualTo(0.2);
        assertThat(step.get("epochs").asInt()).isEqualTo(2);
        assertThat(step.get("margin_after").asDouble()).as("DPO makes the chosen answers more likely than the rejected ones")
                .isGreaterThan(step.get("margin_before").asDouble() + 1);
        Path supervised = m2.resolve("run/supervised");
        assertThat(step.get("supervised_adapter").asText()).isEqualTo(supervised.toString());
        assertThat(Sha256.ofAdapter(m2.resolve("candidate"))).isNotEqualTo(Sha256.ofAdapter(supervised));

        JsonNode provenance = JSON.readTree(m2.resolve("candidate/kefu_provenance.json").toFile());
        assertThat(provenance.get("parent_adapter").get("sha256").asText()).isEqualTo(Sha256.ofAdapter(previous));
        assertThat(provenance.get("config").has("stage")).as("next month continues with the supervised settings").isFalse();
        assertThat(provenance.get("preference").get("pairs").asInt()).isEqualTo(12);
        assertThat(provenance.get("preference").get("config").get("stage").asText()).isEqualTo("dpo");
        assertThat(provenance.get("preference").get("config").get("pref_ftx").asDouble()).isEqualTo(0.5);
        assertThat(provenance.get("preference").get("config").get("learning_rate").asDouble()).isEqualTo(2e-3);
        Cli.Result shown = Cli.run("adapters", "show", m2.resolve("candidate").toString());
        assertThat(shown.out()).contains("preference  12 chosen/rejected pairs after the supervised run (dpo, sigmoid, beta 0.2, ftx 0.5,"
                + " 2 epochs at lr 0.002)");

        Path skipped = dir.resolve("m2-sft");
        Cli.Result sftOnly = Cli.run("retrain", "--previous", previous.toString(), "--new-data", month2.toString(), "--test", test.toString(),
                "--out", skipped.toString(), "--epochs", "1", "--max-new-tokens", "12", "--gate-margin", "100", "--gate-resamples", "200",
                "--no-preference");
        assertThat(sftOnly.exitCode()).as(sftOnly.out() + sftOnly.err()).isEqualTo(RetrainCommand.SHIP);
        assertThat(sftOnly.out()).contains("preference training: skipped (--no-preference): 12 records have a rejected answer");
        JsonNode none = JSON.readTree(skipped.resolve("verdict.json").toFile()).get("preference_training");
        assertThat(none.get("status").asText()).isEqualTo("skipped");
        assertThat(skipped.resolve("run/supervised")).doesNotExist();
        assertThat(JSON.readTree(skipped.resolve("candidate/kefu_provenance.json").toFile()).get("preference")).isNull();
    }

    private static String[] with(List<String> args, String option, String value) {
        String[] out = args.toArray(String[]::new);
        out[args.indexOf(option) + 1] = value;
        return out;
    }

    private Path write(String name, List<String> lines) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }
}
