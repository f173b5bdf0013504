package io.kefu.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.engine.onnx.export.ExportOptions;
import io.kefu.engine.onnx.export.OnnxExporter;
import io.kefu.runtime.format.Json;
import io.kefu.runtime.generate.JoinableDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shared key/value cache (GroupQueryAttention writing into one buffer in place) decodes as the
 * growing cache does: the same logits within 1e-4 and the same greedy tokens at every call, while
 * rows of different lengths join, step and leave a running batch, and its buffers grow.
 */
class SharedKvCacheTest {
    private static final float TOLERANCE = 1e-4f;

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"llama, NONE", "qwen2, NONE", "qwen3, NONE", "llama, INT4", "qwen2, INT8", "qwen3, INT4"})
    void sharedCacheDecodesAsTheGrowingCache(String arch, ExportOptions.Quantization quantization) throws IOException {
        // quantized, the shared cache's layers are one q/k/v product into GroupQueryAttention with its own rotary
        // embedding (but Qwen 3's, with norms between); the growing cache's are three products and RotaryEmbedding
        Path growing = export(arch, ExportOptions.KvCache.GROWING, quantization);
        Path shared = export(arch, ExportOptions.KvCache.SHARED, quantization);
        JsonNode genai = Json.mapper().readTree(Files.readString(shared.resolve("genai_config.json")));
        assertThat(genai.at("/search/past_present_share_buffer").asBoolean()).isTrue();
        assertThat(Json.mapper().readTree(Files.readString(shared.resolve("kefu_export.json"))).path("kv_cache").asText())
                .isEqualTo("shared");
        List<float[][]> expected = scenario(growing, false);
        List<float[][]> actual = scenario(shared, true);
        assertThat(actual).hasSameSizeAs(expected);
        for (int call = 0; call < expected.size(); call++) {
            assertThat(actual.get(call).length).isEqualTo(expected.get(call).length);
            for (int r = 0; r < expected.get(call).length; r++) {
                assertThat(Golden.maxAbsDiff(actual.get(call)[r], expected.get(call)[r])).as("call %d row %d", call, r)
                        .isLessThan(TOLERANCE);
                assertThat(Golden.argmax(actual.get(call)[r])).as("greedy token of call %d row %d", call, r)
                        .isEqualTo(Golden.argmax(expected.get(call)[r]));
            }
        }
    }

    private Path export(String arch, ExportOptions.KvCache kvCache, ExportOptions.Quantization quantization) {
        Path out = temp.resolve(arch + "-" + kvCache + "-" + quantization);
        OnnxExporter.export(Golden.dir(arch), Optional.empty(), out, ExportOptions.builder().operators(ExportOptions.Operators.CONTRIB)
                .kvCache(kvCache).quantization(quantization).accuracyLevel(0).build());
        return out;
    }

    /**
     * Two rows prefill together, step; a shorter and a 70-token row join (past the shared cache's
     * first 64 positions, so its buffers grow); the first row leaves; the rest step on. Returns the
     * logits of every call, rows in decoder order, each row fed its own greedy token.
     */
    private static List<float[][]> scenario(Path export, boolean expectShared) {
        int[] longPrompt = new int[70];
        for (int i = 0; i < longPrompt.length; i++) {
            longPrompt[i] = (i * 37 + 11) % 200;
        }
        List<float[][]> calls = new ArrayList<>();
        try (OnnxDecoderModel model = OnnxDecoderModel.load(export, SessionSettings.defaults());
             JoinableDecoder decoder = model.newDecoder()) {
            assertThat(model.sharedCache()).isEqualTo(expectShared);
            float[][] logits = record(calls, decoder.join(new int[][] {{9, 8, 7, 6, 5, 4, 3, 100, 101}, {1, 5, 9, 33}}));
            for (int t = 0; t < 3; t++) {
                logits = record(calls, decoder.step(greedy(logits)));
            }
            int[] carried = greedy(logits);
            float[][] joined = record(calls, decoder.join(new int[][] {{42, 43}, longPrompt}));
            int[] next = {carried[0], carried[1], Golden.argmax(joined[0]), Golden.argmax(joined[1])};
            logits = record(calls, decoder.step(next));
            next = greedy(logits);
            decoder.retain(new int[] {1, 2, 3});
            logits = record(calls, decoder.step(new int[] {next[1], next[2], next[3]}));
            for (int t = 0; t < 4; t++) {
                logits = record(calls, decoder.step(greedy(logits)));
            }
            next = greedy(logits);
            decoder.retain(new int[] {0, 2});
            record(calls, decoder.step(new int[] {next[0], next[2]}));
            assertThat(decoder.rows()).isEqualTo(2);
        }
        return calls;
    }

    private static float[][] record(List<float[][]> calls, float[][] logits) {
        calls.add(Golden.copy(logits));
        return logits;
    }

    private static int[] greedy(float[][] logits) {
        int[] out = new int[logits.length];
        for (int r = 0; r < logits.length; r++) {
            out[r] = Golden.argmax(logits[r]);
        }
        return out;
    }
}
