package io.kefu.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.MatmulRate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine as the CLI sees it: found by id, exporting through the generic API, measuring matmuls. */
class OnnxEngineTest {
    @TempDir
    Path temp;

    @Test
    void isFoundByIdAndExportsThroughTheGenericApi() throws Exception {
        Engine engine = Engines.get("onnx");
        assertThat(engine.capabilities()).containsExactly(Engine.Capability.CHAT);
        Path out = engine.export(Golden.dir("qwen2"), Optional.empty(), temp.resolve("out"),
                Map.of("dtype", "fp16", "operators", "standard", "logits", "all", "contextLength", "64"));
        assertThat(out.resolve("model.onnx")).isRegularFile();
        assertThat(Files.readString(out.resolve("genai_config.json"))).contains("\"context_length\" : 64");
        try (OnnxDecoderModel model = OnnxDecoderModel.load(out, SessionSettings.defaults())) {
            assertThat(model.maxSequenceLength()).isEqualTo(64);
        }
    }

    @Test
    void unknownExportOptionIsRejectedByName() {
        Engine engine = Engines.get("onnx");
        assertThatThrownBy(() -> engine.export(Golden.dir("qwen2"), Optional.empty(), temp.resolve("out"), Map.of("sparsity", "0.5")))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("sparsity");
        assertThat(temp.resolve("out")).doesNotExist();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "quantize=int3 | quantization 'int3' is not one of none, int4, int8",
        "quantize=int4,blockSize=48 | blockSize=48 must be 16, 32, 64, 128 or 256",
        "quantize=int4,accuracyLevel=3 | accuracyLevel=3 must be 0, 1, 2 or 4",
        "quantize=int4,operators=standard | which operators=standard excludes",
        "quantizeLmHead=true | quantizeLmHead needs a quantization",
        "quantizeEmbedding=true | quantizeEmbedding needs a quantization",
        "quantize=int4,quantizeEmbedding=true | ties its output head to the token embedding",
        "quantize=int4,blockSize=256,quantizeLmHead=true,quantizeEmbedding=true | to be a multiple of the block size (256)",
        "quantize=int4,symmetric=yes | symmetric='yes' must be true or false",
        "kvCache=paged | kv cache 'paged' is not one of growing, shared",
        "kvCache=shared,operators=standard | kv cache shared uses ONNX Runtime's GroupQueryAttention"})
    void badQuantizationOptionsAreRejectedBeforeAnythingIsWritten(String options, String message) {
        Map<String, String> parsed = new java.util.LinkedHashMap<>();
        for (String pair : options.split(",")) {
            parsed.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        assertThatThrownBy(() -> Engines.get("onnx").export(Golden.dir("qwen2"), Optional.empty(), temp.resolve("out"), parsed))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining(message);
        assertThat(temp.resolve("out")).doesNotExist();
    }

    @Test
    void measuresItsMatmulRate() {
        MatmulRate rate = Engines.get("onnx").measureMatmul(64, Duration.ofMillis(50));
        assertThat(rate.threads()).isPositive();
        assertThat(rate.gflops()).isPositive();
    }
}
