package io.kefu.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.engine.onnx.export.ExportOptions;
import io.kefu.engine.onnx.export.OnnxExporter;
import io.kefu.runtime.generate.JoinableDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad inputs get located errors and leave nothing half-written. */
class OnnxErrorsTest {
    @TempDir
    Path temp;

    private static void assertCode(Throwable e, ErrorCode code) {
        assertThat(e).isInstanceOf(KefuException.class);
        assertThat(((KefuException) e).code()).isEqualTo(code);
    }

    @Test
    void adapterThatDoesNotFitTheBaseIsNamedAndNothingIsWritten() throws Exception {
        Path adapter = temp.resolve("adapter");
        Files.createDirectories(adapter);
        Path good = Golden.dir("llama").resolve("adapter");
        Files.copy(good.resolve("adapter_model.safetensors"), adapter.resolve("adapter_model.safetensors"));
        // r=4 tensors, but the config claims r=8
        Files.writeString(adapter.resolve("adapter_config.json"), Files.readString(good.resolve("adapter_config.json"))
                .replace("\"r\": 4", "\"r\": 8"));
        Path out = temp.resolve("out");
        assertThatThrownBy(() -> OnnxExporter.export(Golden.dir("llama"), Optional.of(adapter), out, ExportOptions.defaults()))
                .satisfies(e -> assertCode(e, ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("lora_A");
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("adapter");
        }
    }

    @Test
    void checkpointWithAMisshapenTensorIsRefused() throws Exception {
        Path ckpt = temp.resolve("ckpt");
        Files.createDirectories(ckpt);
        for (String f : new String[] {"model.safetensors", "generation_config.json"}) {
            Files.copy(Golden.dir("llama").resolve(f), ckpt.resolve(f));
        }
        Files.writeString(ckpt.resolve("config.json"), Files.readString(Golden.dir("llama").resolve("config.json"))
                .replace("\"intermediate_size\": 128", "\"intermediate_size\": 256"));
        assertThatThrownBy(() -> OnnxExporter.export(ckpt, Optional.empty(), temp.resolve("out"), ExportOptions.defaults()))
                .satisfies(e -> assertCode(e, ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("mlp");
        assertThat(temp.resolve("out")).doesNotExist();
    }

    @Test
    void fileThatIsNotOnnxIsRefusedWithItsPath() throws Exception {
        Path bogus = temp.resolve("model.onnx");
        Files.writeString(bogus, "not a model");
        assertThatThrownBy(() -> OnnxDecoderModel.load(bogus, SessionSettings.defaults()))
                .satisfies(e -> assertCode(e, ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining(bogus.toString());
    }

    @Test
    void missingModelIsNotFound() {
        assertThatThrownBy(() -> OnnxDecoderModel.load(temp, SessionSettings.defaults()))
                .satisfies(e -> assertCode(e, ErrorCode.NOT_FOUND))
                .hasMessageContaining("model.onnx");
    }

    @Test
    void sharedBufferGraphsAreRefused() throws Exception {
        Path out = temp.resolve("exported");
        OnnxExporter.export(Golden.dir("qwen3"), Optional.empty(), out, ExportOptions.defaults());
        Path genai = out.resolve("genai_config.json");
        Files.writeString(genai, Files.readString(genai).replace("\"past_present_share_buffer\" : false", "\"past_present_share_buffer\" : true"));
        assertThatThrownBy(() -> OnnxDecoderModel.load(out, SessionSettings.defaults()))
                .satisfies(e -> assertCode(e, ErrorCode.UNSUPPORTED))
                .hasMessageContaining("past_present_share_buffer");
    }

    @Test
    void tokenOutsideTheVocabularyIsRejected() {
        Path out = temp.resolve("exported");
        OnnxExporter.export(Golden.dir("qwen3"), Optional.empty(), out, ExportOptions.defaults());
        try (OnnxDecoderModel model = OnnxDecoderModel.load(out, SessionSettings.defaults()); JoinableDecoder d = model.newDecoder()) {
            assertThatThrownBy(() -> d.prefill(new int[][] {{1, 2, 256}}))
                    .satisfies(e -> assertCode(e, ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("256");
        }
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> SessionSettings.builder().intraOpThreads(-1).build())
                .satisfies(e -> assertCode(e, ErrorCode.INVALID_ARGUMENT)).hasMessageContaining("intraOpThreads");
        System.setProperty(SessionSettings.OPTIMIZATION_PROPERTY, "turbo");
        try {
            assertThatThrownBy(SessionSettings::fromSystemProperties)
                    .satisfies(e -> assertCode(e, ErrorCode.INVALID_CONFIG)).hasMessageContaining("kefu.onnx.optimization='turbo'");
        } finally {
            System.clearProperty(SessionSettings.OPTIMIZATION_PROPERTY);
        }
        assertThatThrownBy(() -> ExportOptions.Precision.parse("int8"))
                .satisfies(e -> assertCode(e, ErrorCode.INVALID_ARGUMENT)).hasMessageContaining("int8");
    }
}
