package io.kefu.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.engine.onnx.export.ExportOptions;
import io.kefu.engine.onnx.export.OnnxExporter;
import io.kefu.runtime.generate.JoinableDecoder;
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
 * Weight-only quantized exports (MatMulNBits) against an oracle that did not come from our exporter:
 * scripts/golden/matmulnbits_reference.py unpacks every quantized weight with NumPy following ONNX Runtime's
 * documented layout, checks it is within half a quantization step of the checkpoint's weight, and runs a plain
 * PyTorch forward with those dequantized weights. ONNX Runtime's logits of the export must equal that forward's. A
 * quantized token embedding (GatherBlockQuantized) is unpacked and checked the same way, and the forward looks its
 * rows up in the dequantized table.
 */
class QuantizedExportIT {
    private static final String PYTHON = "/usr/bin/python3";
    private static final float LOGIT_TOLERANCE = 1e-3f;

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0} {1} block {2} symmetric={3} lm_head={4} {5} cache embedding={6}")
    @CsvSource({
        "llama, INT4, 32, false, false, GROWING, false", "llama, INT4, 128, true, true, SHARED, false",
        "llama, INT8, 64, false, true, GROWING, false", "llama, INT4, 32, false, false, SHARED, true",
        "qwen2, INT4, 32, false, true, SHARED, false", "qwen2, INT8, 32, true, false, GROWING, false",
        "qwen2, INT4, 64, false, false, GROWING, false", "qwen2, INT4, 64, true, true, GROWING, true",
        "qwen3, INT4, 32, true, false, SHARED, false", "qwen3, INT4, 64, false, true, GROWING, false",
        "qwen3, INT8, 128, false, false, GROWING, false", "qwen3, INT8, 32, false, true, GROWING, true"})
    void dequantizedWeightsAndLogitsMatchTheOracle(String arch, ExportOptions.Quantization quantization, int blockSize,
                                                   boolean symmetric, boolean lmHead, ExportOptions.KvCache kvCache,
                                                   boolean embedding) throws Exception {
        Path out = temp.resolve("export");
        OnnxExporter.export(Golden.dir(arch), Optional.empty(), out, ExportOptions.builder().quantization(quantization)
                .blockSize(blockSize).symmetric(symmetric).quantizeLmHead(lmHead).quantizeEmbedding(embedding).accuracyLevel(0)
                .operators(ExportOptions.Operators.CONTRIB).kvCache(kvCache).build());
        JsonNode oracle = oracle(Golden.dir(arch), out.resolve(OnnxExporter.MODEL_FILE));
        int layers = 2;
        assertThat(oracle.get("quantized").asInt()).as("quantized weights")
                .isEqualTo(7 * layers + (lmHead ? 1 : 0) + (embedding ? 1 : 0));
        assertThat(oracle.get("worst_half_step_ratio").asDouble()).as("worst error in half steps").isLessThanOrEqualTo(1 + 1e-4);

        try (OnnxDecoderModel model = OnnxDecoderModel.load(out, SessionSettings.defaults());
             JoinableDecoder decoder = model.newDecoder()) {
            int[][] prompts = ints(oracle.get("prompts"));
            float[][] logits = decoder.prefill(prompts);
            for (int r = 0; r < prompts.length; r++) {
                float[] expected = floats(oracle.get("last_logits").get(r));
                assertThat(Golden.maxAbsDiff(logits[r], expected)).as("row %d", r).isLessThan(LOGIT_TOLERANCE);
            }
        }
    }

    private JsonNode oracle(Path checkpoint, Path model) throws IOException, InterruptedException {
        Path json = temp.resolve("oracle.json");
        Path script = Path.of("..", "scripts", "golden", "matmulnbits_reference.py").toAbsolutePath().normalize();
        Process p = new ProcessBuilder(PYTHON, script.toString(), checkpoint.toString(), model.toString(), json.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("oracle finished").isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("oracle output:\n%s", output).isZero();
        return new ObjectMapper().readTree(Files.readString(json));
    }

    private static int[][] ints(JsonNode rows) {
        int[][] out = new int[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = new int[rows.get(r).size()];
            for (int i = 0; i < out[r].length; i++) {
                out[r][i] = rows.get(r).get(i).asInt();
            }
        }
        return out;
    }

    private static float[] floats(JsonNode values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values.get(i).asDouble();
        }
        return out;
    }
}
