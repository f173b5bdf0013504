package io.kefu.cli.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kefu export onnx} on the tiny PyTorch-made llama checkpoint of engine-onnx's goldens. */
class ExportCommandTest {
    @TempDir
    Path temp;

    private static Path tinyLlama() {
        return Path.of(System.getProperty("kefu.repo.dir"), "engine-onnx/src/test/resources/golden/llama");
    }

    @Test
    void exportsAnOnnxFolderWithMergedAdapter() throws Exception {
        Path out = temp.resolve("onnx");
        Cli.Result run = Cli.run("export", "onnx", "--model", tinyLlama().toString(), "--adapter", tinyLlama().resolve("adapter").toString(),
                "--out", out.toString(), "--dtype", "fp16");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("exported", "fp16");
        assertThat(out.resolve("model.onnx")).isRegularFile();
        assertThat(out.resolve("config.json")).isRegularFile();
        assertThat(Files.readString(out.resolve("genai_config.json"))).contains("\"num_hidden_layers\" : 2");
        try (var files = Files.list(temp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("onnx"); // no temp folder left
        }
    }

    @Test
    void exportsASharedKeyValueCacheWhenAsked() throws Exception {
        Path out = temp.resolve("shared");
        Cli.Result run = Cli.run("export", "onnx", "--model", tinyLlama().toString(), "--out", out.toString(), "--kv-cache", "shared");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("shared kv cache");
        assertThat(Files.readString(out.resolve("genai_config.json"))).contains("\"past_present_share_buffer\" : true");
        assertThat(Files.readString(out.resolve("kefu_export.json"))).contains("\"kv_cache\" : \"shared\"");
        Cli.Result standard = Cli.run("export", "onnx", "--model", tinyLlama().toString(), "--out", temp.resolve("x").toString(),
                "--kv-cache", "shared", "--operators", "standard");
        assertThat(standard.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(standard.err()).contains("kv cache shared", "operators=contrib");
        assertThat(temp.resolve("x")).doesNotExist();
    }

    @Test
    void quantizesTheEmbeddingWhenAsked() throws Exception {
        Path out = temp.resolve("int4");
        Cli.Result run = Cli.run("export", "onnx", "--model", tinyLlama().toString(), "--out", out.toString(), "--quantize", "int4",
                "--quantize-embedding");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.readString(out.resolve("kefu_export.json"))).contains("\"quantize_embedding\" : true");
        String graph = new String(Files.readAllBytes(out.resolve("model.onnx")), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(graph).contains("GatherBlockQuantized", "model.embed_tokens.weight_q");

        Cli.Result noQuantization = Cli.run("export", "onnx", "--model", tinyLlama().toString(), "--out", temp.resolve("x").toString(),
                "--quantize-embedding");
        assertThat(noQuantization.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(noQuantization.err()).contains("quantizeEmbedding needs a quantization");
        assertThat(temp.resolve("x")).doesNotExist();
    }

    @Test
    void badDtypeIsAUsageError() {
        Cli.Result run = Cli.run("export", "onnx", "--model", tinyLlama().toString(), "--out", temp.resolve("x").toString(), "--dtype", "int4");
        assertThat(run.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(run.err()).contains("dtype 'int4'", "fp32, fp16");
        assertThat(temp.resolve("x")).doesNotExist();
    }

    @Test
    void refusesToWriteIntoAFolderThatHoldsFiles() throws Exception {
        Path out = Files.createDirectories(temp.resolve("busy"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        Cli.Result run = Cli.run("export", "onnx", "--model", tinyLlama().toString(), "--out", out.toString());
        assertThat(run.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(run.err()).contains("not empty");
        assertThat(Files.readString(out.resolve("keep.txt"))).isEqualTo("mine");
    }

    @Test
    void missingCheckpointIsNamed() {
        Cli.Result run = Cli.run("export", "onnx", "--model", temp.resolve("nope").toString(), "--out", temp.resolve("y").toString());
        assertThat(run.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(run.err()).contains("nope");
    }
}
