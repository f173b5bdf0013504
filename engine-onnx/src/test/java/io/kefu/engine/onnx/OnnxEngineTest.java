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
        assertThatThrownBy(() -> engine.export(Golden.dir("qwen2"), Optional.empty(), temp.resolve("out"), Map.of("quantise", "int4")))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("quantise");
        assertThat(temp.resolve("out")).doesNotExist();
    }

    @Test
    void measuresItsMatmulRate() {
        MatmulRate rate = Engines.get("onnx").measureMatmul(64, Duration.ofMillis(50));
        assertThat(rate.threads()).isPositive();
        assertThat(rate.gflops()).isPositive();
    }
}
