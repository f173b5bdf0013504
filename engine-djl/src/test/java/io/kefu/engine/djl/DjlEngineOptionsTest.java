package io.kefu.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.model.Engine;
import io.kefu.model.EngineOptions;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.train.TrainingConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Engine options first, then kefu.djl.threads, then libtorch's choice; and closing. */
class DjlEngineOptionsTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(DjlSettings.THREADS_PROPERTY);
    }

    @Test
    void optionsWinOverTheSystemProperty() {
        System.setProperty(DjlSettings.THREADS_PROPERTY, "3");
        assertThat(DjlSettings.of(EngineOptions.builder().threads(2).build()).threads()).hasValue(2);
        assertThat(DjlSettings.of(EngineOptions.defaults()).threads()).hasValue(3);
    }

    @Test
    void theEngineSetsLibtorchThreadsFromItsOptions() {
        int before = Torch.threads();
        int wanted = before == 1 ? 2 : 1;
        System.setProperty(DjlSettings.THREADS_PROPERTY, String.valueOf(wanted + 1));
        try (Engine engine = Engines.get("djl", EngineOptions.builder().threads(wanted).device("auto").build())) {
            assertThat(Torch.threads()).isEqualTo(wanted);
            assertThat(engine.id()).isEqualTo("djl");
        } finally {
            Torch.threads(before);
        }
    }

    @Test
    void defaultsWhenNeitherIsSet() {
        assertThat(DjlSettings.of(EngineOptions.defaults()).threads()).isEmpty();
        assertThat(DjlSettings.of(EngineOptions.defaults()).device()).isEqualTo(ai.djl.Device.cpu());
    }

    @Test
    void autoIsTheCpuWhereLibtorchSeesNoGpu() {
        // this build ships libtorch's CPU build, so auto finds no GPU
        assertThat(DjlSettings.of(EngineOptions.builder().device("auto").build()).device()).isEqualTo(ai.djl.Device.cpu());
        assertThat(DjlSettings.of(EngineOptions.builder().device("cpu").build()).device()).isEqualTo(ai.djl.Device.cpu());
    }

    @Test
    void whatTheEngineCannotDoIsRefused() {
        assertThatThrownBy(() -> DjlSettings.of(EngineOptions.builder().device("cuda:0").build()))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("device cuda:0")
                .hasMessageContaining("CPU build (ai.djl.pytorch:pytorch-native-cpu), so no CUDA GPU can be used");
        assertThatThrownBy(() -> Engines.get("djl", EngineOptions.builder().device("cuda:1").build()))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("device cuda:1");
        assertThatThrownBy(() -> DjlSettings.of(EngineOptions.builder().session("precision", "bf16").build()))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("precision");
        System.setProperty(DjlSettings.THREADS_PROPERTY, "many");
        assertThatThrownBy(() -> DjlSettings.of(EngineOptions.defaults()))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("kefu.djl.threads='many'");
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFails() {
        Engine engine = Engines.get("djl", EngineOptions.defaults());
        engine.close();
        engine.close();
        for (Runnable use : new Runnable[] {
                () -> engine.load(ModelRef.of(Path.of("no-such-model"))),
                () -> engine.trainer(TrainingConfig.builder().build()),
                () -> engine.measureMatmul(8, Duration.ofMillis(1))}) {
            assertThatThrownBy(use::run)
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED))
                    .hasMessageContaining("engine 'djl' is closed");
        }
        assertThat(Engines.get("djl").measureMatmul(8, Duration.ofMillis(1)).gflops()).isPositive();
    }
}
