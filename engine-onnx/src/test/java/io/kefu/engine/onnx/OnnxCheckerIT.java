package io.kefu.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.engine.onnx.export.ExportOptions;
import io.kefu.engine.onnx.export.OnnxExporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every kind of exported graph passes ONNX's own checker with full_check (shape inference
 * included), run by Debian's python3-onnx. Contrib operators are accepted because their domain
 * is declared in opset_import.
 */
class OnnxCheckerIT {
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0} {1} {2} external={3} lastLogitsOnly={4}")
    @CsvSource({
        "llama, CONTRIB, FP32, false, false", "llama, STANDARD, FP32, false, false", "llama, CONTRIB, FP16, false, false",
        "llama, STANDARD, FP32, true, false",
        "qwen2, CONTRIB, FP32, false, true", "qwen2, STANDARD, FP16, false, false",
        "qwen3, CONTRIB, FP32, false, false", "qwen3, STANDARD, FP32, false, true", "qwen3, CONTRIB, FP16, true, false"})
    void exportedGraphPassesTheOnnxChecker(String arch, ExportOptions.Operators operators, ExportOptions.Precision precision,
                                           boolean external, boolean lastLogitsOnly) throws Exception {
        Path out = temp.resolve(arch);
        OnnxExporter.Result result = OnnxExporter.export(Golden.dir(arch), Optional.empty(), out,
                ExportOptions.builder().operators(operators).precision(precision).externalData(external)
                        .lastLogitsOnly(lastLogitsOnly).build());
        assertThat(Files.exists(out.resolve(OnnxExporter.DATA_FILE))).isEqualTo(external);
        check(result.model());
    }

    @ParameterizedTest(name = "{0} {1} lastLogitsOnly={2}")
    @CsvSource({"llama, FP32, true", "qwen2, FP16, true", "qwen3, FP32, false"})
    void exportWithSharedKvCachePassesTheOnnxChecker(String arch, ExportOptions.Precision precision, boolean lastLogitsOnly)
            throws Exception {
        OnnxExporter.Result result = OnnxExporter.export(Golden.dir(arch), Optional.empty(), temp.resolve(arch + "-shared"),
                ExportOptions.builder().kvCache(ExportOptions.KvCache.SHARED).precision(precision).lastLogitsOnly(lastLogitsOnly).build());
        check(result.model());
    }

    @org.junit.jupiter.api.Test
    void exportWithMergedAdapterPassesTheOnnxChecker() throws Exception {
        Path base = Golden.dir("llama");
        OnnxExporter.Result result = OnnxExporter.export(base, Optional.of(base.resolve("adapter")), temp.resolve("adapted"),
                ExportOptions.defaults());
        check(result.model());
    }

    private static void check(Path model) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PYTHON, "-c",
                "import sys, onnx; onnx.checker.check_model(sys.argv[1], full_check=True); print('ok')", model.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("checker finished").isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("onnx.checker output:\n%s", output).isZero();
        assertThat(output).contains("ok");
    }
}
