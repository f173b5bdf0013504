package io.kefu.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.model.Engine;
import io.kefu.model.EngineOptions;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Engine options first, then the kefu.onnx.* system properties, then the defaults; and closing. */
class OnnxEngineOptionsTest {
    @TempDir
    Path temp;

    @AfterEach
    void clearProperties() {
        for (String p : new String[] {SessionSettings.THREADS_PROPERTY, SessionSettings.OPTIMIZATION_PROPERTY,
                SessionSettings.SPINNING_PROPERTY, SessionSettings.DEVICE_PROPERTY}) {
            System.clearProperty(p);
        }
    }

    @Test
    void optionsWinOverSystemProperties() {
        System.setProperty(SessionSettings.THREADS_PROPERTY, "3");
        System.setProperty(SessionSettings.OPTIMIZATION_PROPERTY, "basic");
        System.setProperty(SessionSettings.DEVICE_PROPERTY, "cuda");
        EngineOptions options = EngineOptions.builder().threads(2).device("cpu")
                .session(SessionSettings.OPTIMIZATION_OPTION, "extended").build();
        try (Engine engine = Engines.get("onnx", options)) {
            SessionSettings settings = ((OnnxEngine) engine).settings();
            assertThat(settings.intraOpThreads()).isEqualTo(2);
            assertThat(settings.optimization()).isEqualTo(SessionSettings.Optimization.EXTENDED);
            assertThat(settings.device()).isEqualTo(SessionSettings.Device.CPU);
        }
    }

    @Test
    void systemPropertiesFillWhatOptionsLeaveUnset() {
        System.setProperty(SessionSettings.THREADS_PROPERTY, "3");
        System.setProperty(SessionSettings.SPINNING_PROPERTY, "false");
        SessionSettings settings = SessionSettings.of(EngineOptions.builder().session(SessionSettings.ARENA_OPTION, "false")
                .session(SessionSettings.INTER_OP_THREADS_OPTION, "2").device("cuda:1").build());
        assertThat(settings.intraOpThreads()).isEqualTo(3);
        assertThat(settings.spinning()).isFalse();
        assertThat(settings.memoryArena()).isFalse();
        assertThat(settings.interOpThreads()).isEqualTo(2);
        assertThat(settings.device()).isEqualTo(SessionSettings.Device.CUDA);
        assertThat(settings.cudaDevice()).isEqualTo(1);
    }

    @Test
    void defaultsWhenNeitherIsSet() {
        assertThat(SessionSettings.of(EngineOptions.defaults())).hasToString(SessionSettings.defaults().toString());
        try (Engine engine = Engines.get("onnx", EngineOptions.defaults())) {
            assertThat(((OnnxEngine) engine).settings()).hasToString(SessionSettings.defaults().toString());
        }
    }

    @Test
    void unknownOrBadSessionOptionsAreRefusedByName() {
        assertThatThrownBy(() -> Engines.get("onnx", EngineOptions.builder().session("optimisation", "all").build()))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("optimisation").hasMessageContaining("optimization");
        assertThatThrownBy(() -> SessionSettings.of(EngineOptions.builder().session(SessionSettings.OPTIMIZATION_OPTION, "max").build()))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("optimization='max'");
        assertThatThrownBy(() -> SessionSettings.of(EngineOptions.builder().session(SessionSettings.INTER_OP_THREADS_OPTION, "0").build()))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG));
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFails() {
        Engine engine = Engines.get("onnx", EngineOptions.defaults());
        engine.close();
        engine.close();
        assertThat(engine.id()).isEqualTo("onnx");
        for (Runnable use : new Runnable[] {
                () -> engine.load(ModelRef.of(Golden.dir("qwen2"))),
                () -> engine.measureMatmul(8, Duration.ofMillis(1)),
                () -> engine.export(Golden.dir("qwen2"), Optional.empty(), temp.resolve("out"), Map.of())}) {
            assertThatThrownBy(use::run)
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED))
                    .hasMessageContaining("engine 'onnx' is closed");
        }
        assertThat(temp.resolve("out")).doesNotExist();
        assertThat(Engines.get("onnx").measureMatmul(8, Duration.ofMillis(1)).gflops()).isPositive();
    }
}
