package io.kefu.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.engine.onnx.export.ExportOptions;
import io.kefu.engine.onnx.export.OnnxExporter;
import io.kefu.runtime.generate.JoinableDecoder;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our exported graphs, and a graph exported by torch.onnx.export, against the logits of a plain
 * PyTorch implementation of the same checkpoints (golden files).
 */
class TorchParityTest {
    private static final float TOLERANCE = 1e-4f;

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0} {1} lastLogitsOnly={2} externalData={3} kvCache={4}")
    @CsvSource({"llama, CONTRIB, false, false, GROWING", "llama, STANDARD, false, true, GROWING", "qwen2, CONTRIB, false, false, GROWING",
        "qwen2, STANDARD, true, false, GROWING", "qwen3, CONTRIB, false, false, GROWING", "qwen3, STANDARD, false, false, GROWING",
        "qwen3, CONTRIB, true, true, GROWING", "llama, CONTRIB, true, false, SHARED", "qwen2, CONTRIB, false, false, SHARED",
        "qwen3, CONTRIB, true, false, SHARED"})
    void exportedGraphMatchesPyTorch(String arch, ExportOptions.Operators operators, boolean lastLogitsOnly, boolean externalData,
                                     ExportOptions.KvCache kvCache) {
        Path out = temp.resolve(arch + "-" + operators + "-" + kvCache);
        OnnxExporter.export(Golden.dir(arch), Optional.empty(), out, ExportOptions.builder().operators(operators)
                .lastLogitsOnly(lastLogitsOnly).externalData(externalData).kvCache(kvCache).build());
        try (OnnxDecoderModel model = OnnxDecoderModel.load(out, SessionSettings.defaults())) {
            assertMatches(model, Golden.rows(Golden.dir(arch).resolve("reference.json")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"CONTRIB", "STANDARD"})
    void exportWithMergedAdapterMatchesPyTorchLora(ExportOptions.Operators operators) {
        Path out = temp.resolve("adapted-" + operators);
        Path base = Golden.dir("llama");
        OnnxExporter.export(base, Optional.of(base.resolve("adapter")), out, ExportOptions.builder().operators(operators).build());
        try (OnnxDecoderModel model = OnnxDecoderModel.load(out, SessionSettings.defaults())) {
            assertMatches(model, Golden.rows(base.resolve("adapter/reference.json")));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"qwen2, CONTRIB", "qwen3, STANDARD"})
    void fp16ExportRunsOnCpuCloseToPyTorch(String arch, ExportOptions.Operators operators) {
        Path out = temp.resolve(arch + "-fp16-" + operators);
        OnnxExporter.export(Golden.dir(arch), Optional.empty(), out,
                ExportOptions.builder().operators(operators).precision(ExportOptions.Precision.FP16).build());
        List<Golden.Row> rows = Golden.rows(Golden.dir(arch).resolve("reference.json"));
        try (OnnxDecoderModel model = OnnxDecoderModel.load(out, SessionSettings.defaults());
             JoinableDecoder decoder = model.newDecoder()) {
            float[][] prefill = decoder.prefill(Golden.prompts(rows));
            for (int r = 0; r < rows.size(); r++) {
                float[][] expected = rows.get(r).prefillLogits();
                // fp16 weights and activations: about 3 significant digits
                assertThat(Golden.maxAbsDiff(prefill[r], expected[expected.length - 1])).isLessThan(2e-2f);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void graphExportedByTorchRunsAndMatchesPyTorch() {
        Path file = Golden.dir("llama").resolve("torch_model.onnx");
        try (OnnxDecoderModel model = OnnxDecoderModel.load(file, SessionSettings.defaults())) {
            assertThat(model.layers()).isEqualTo(2);
            assertThat(model.kvHeads()).isEqualTo(1);
            assertThat(model.headDim()).isEqualTo(32);
            assertMatches(model, Golden.rows(Golden.dir("llama").resolve("reference.json")));
        }
    }

    private static void assertMatches(OnnxDecoderModel model, List<Golden.Row> rows) {
        try (JoinableDecoder decoder = model.newDecoder()) {
            float[][] prefill = Golden.copy(decoder.prefill(Golden.prompts(rows)));
            int[] next = rows.stream().mapToInt(Golden.Row::nextToken).toArray();
            float[][] step = decoder.step(next);
            for (int r = 0; r < rows.size(); r++) {
                float[][] expected = rows.get(r).prefillLogits();
                assertThat(Golden.maxAbsDiff(prefill[r], expected[expected.length - 1]))
                        .as("prefill logits of row %d", r).isLessThan(TOLERANCE);
                assertThat(Golden.maxAbsDiff(step[r], rows.get(r).stepLogits()))
                        .as("step logits of row %d", r).isLessThan(TOLERANCE);
            }
        }
        for (Golden.Row row : rows) {
            assertThat(Golden.greedy(model, row.prompt(), row.greedy().length)).containsExactly(row.greedy());
        }
    }
}
