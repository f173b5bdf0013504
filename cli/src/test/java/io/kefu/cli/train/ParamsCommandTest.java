package io.kefu.cli.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.cli.Llama3Config;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kefu params} against PEFT's figures for the published Llama-3-8B config (see the runtime's ParameterCountTest). */
class ParamsCommandTest {
    private static final String LLAMA3_8B = Llama3Config.LLAMA3_8B;

    @TempDir
    Path dir;

    @Test
    void printsPeftLineFromConfigAlone() throws Exception {
        Files.writeString(dir.resolve("config.json"), LLAMA3_8B);
        Cli.Result qv = Cli.run("params", "--model", dir.toString(), "--lora-r", "8", "--lora-target", "q_proj,v_proj");
        assertThat(qv.exitCode()).as(qv.err()).isZero();
        assertThat(qv.out().trim()).isEqualTo("trainable params: 3,407,872 || all params: 8,033,669,120 || trainable%: 0.0424");
        Cli.Result all = Cli.run("params", "--model", dir.toString(), "--lora-target", "all-linear");
        assertThat(all.out().trim()).isEqualTo("trainable params: 20,971,520 || all params: 8,051,232,768 || trainable%: 0.2605");
    }

    @Test
    void printsJson() throws Exception {
        Files.writeString(dir.resolve("config.json"), LLAMA3_8B);
        Cli.Result r = Cli.run("params", "--model", dir.resolve("config.json").toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("trainableParams").asLong()).isEqualTo(3_407_872L);
        assertThat(json.get("baseParams").asLong()).isEqualTo(8_030_261_248L);
        assertThat(json.get("targets").toString()).isEqualTo("[\"q_proj\",\"v_proj\"]");
        Cli.Result full = Cli.run("params", "--model", dir.toString(), "--full");
        assertThat(full.out().trim()).isEqualTo("trainable params: 8,030,261,248 || all params: 8,030,261,248 || trainable%: 100.0000");
    }

    @Test
    void badInputsGiveLocatedErrors() throws Exception {
        Files.writeString(dir.resolve("config.json"), LLAMA3_8B);
        Cli.Result badTarget = Cli.run("params", "--model", dir.toString(), "--lora-target", "qproj");
        assertThat(badTarget.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(badTarget.err()).contains("'qproj'");
        Cli.Result missing = Cli.run("params", "--model", dir.resolve("nowhere").toString());
        assertThat(missing.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(missing.err()).contains("nowhere").contains("config.json not found");
        Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"GPT2LMHeadModel\"]}");
        Cli.Result unknown = Cli.run("params", "--model", dir.toString());
        assertThat(unknown.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(unknown.err()).contains("GPT2LMHeadModel").contains("not supported");
    }
}
