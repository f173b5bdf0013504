package io.kefu.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.testkit.TinyModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kefu verify} before switching production to an ONNX export: a tiny Llama checkpoint with a
 * LoRA adapter, served by DJL with the adapter unmerged, against {@code kefu export onnx} of the same
 * checkpoint with that adapter merged (it passes) and with another adapter merged (it fails, naming the
 * first difference).
 */
class VerifyCommandIT {
    @TempDir
    Path dir;

    @Test
    void aCorrectExportPassesAndAnExportOfAnotherAdapterFails() throws Exception {
        Path base = TinyModels.checkpoint(dir.resolve("base"), "llama", "llama3", 1);
        Path adapter = TinyModels.adapter(dir.resolve("shop-lora"), base, 101);
        Path otherAdapter = TinyModels.adapter(dir.resolve("other-lora"), base, 202);
        export(base, adapter, dir.resolve("onnx"));
        export(base, otherAdapter, dir.resolve("onnx-other"));
        String reference = "djl:" + base + ":" + adapter;

        Cli.Result passed = Cli.run("verify", "--reference", reference, "--candidate", "onnx:" + dir.resolve("onnx"),
                "--limit", "3", "--max-new-tokens", "24", "--json");
        assertThat(passed.exitCode()).as(passed.out() + passed.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(passed.out());
        assertThat(report.get("matches").asBoolean()).isTrue();
        assertThat(report.get("requests").asInt()).isEqualTo(3);
        assertThat(report.get("reference").asText()).isEqualTo("djl " + base + " + adapter " + adapter);
        // fp32 export against DJL: as close as the engine parity tests require
        assertThat(report.get("maxLogprobDifference").asDouble()).isLessThanOrEqualTo(1e-4);
        JsonNode first = report.get("comparisons").get(0);
        assertThat(first.get("label").asText()).startsWith("built-in question 1 (");
        assertThat(first.get("promptTokens").asInt()).isGreaterThan(100); // the shop's facts are in the prompt
        assertThat(first.get("comparedLogprobs").asInt()).isEqualTo(first.get("referenceTokens").asInt()).isPositive();
        assertThat(first.get("problems")).isEmpty();

        Path testSet = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "shop", "test.jsonl");
        Cli.Result failed = Cli.run("verify", "--reference", reference, "--candidate", "onnx:" + dir.resolve("onnx-other"),
                "--data", testSet.toString(), "--limit", "2", "--max-new-tokens", "16");
        assertThat(failed.exitCode()).as(failed.out() + failed.err()).isEqualTo(KefuCli.EXIT_FAILED);
        // another adapter changes the first token already: there is no shared context to compare log-probabilities on
        assertThat(failed.out()).contains("reference: djl " + base + " + adapter " + adapter,
                "candidate: onnx " + dir.resolve("onnx-other"), testSet + ":1 (", testSet + ":2 (", "MISMATCH",
                "generated tokens differ at token 0 (the first 0 agree)", "reference id", "candidate id", "(logprob -",
                "reference answer \"", "FAILED: 2 of 2 requests decode differently (tolerance 1.0e-03)");
        assertThat(failed.out()).doesNotContain("prompt token ids differ", ": match (");
    }

    @Test
    void aCandidateWithoutAnEngineIsAUsageError() {
        Cli.Result r = Cli.run("verify", "--reference", "djl:models/qwen", "--candidate", "out/onnx");
        assertThat(r.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(r.err()).contains("--candidate 'out/onnx' needs ENGINE:MODEL");
    }

    private static void export(Path base, Path adapter, Path out) {
        Cli.Result r = Cli.run("export", "onnx", "--model", base.toString(), "--adapter", adapter.toString(), "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
    }
}
