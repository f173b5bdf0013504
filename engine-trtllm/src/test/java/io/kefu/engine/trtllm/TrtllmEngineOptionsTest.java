package io.kefu.engine.trtllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.engine.trtllm.internal.TestDouble;
import io.kefu.model.EngineOptions;
import io.kefu.model.ModelRef;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Engine options first, then the kefu.trtllm.* system properties, then the defaults; and closing. */
class TrtllmEngineOptionsTest {
    @TempDir
    Path tmp;

    @AfterEach
    void clearProperties() {
        System.clearProperty("kefu.trtllm.maxQueueSize");
        System.clearProperty("kefu.trtllm.maxBatchSize");
    }

    @Test
    void optionsWinOverSystemProperties() {
        System.setProperty("kefu.trtllm.maxQueueSize", "5");
        System.setProperty("kefu.trtllm.maxBatchSize", "3");
        TrtllmSettings settings = TrtllmSettings.of(EngineOptions.builder().session("maxQueueSize", "7")
                .session("kvCacheBlockReuse", "false").session("drainTimeoutSeconds", "2").device("cuda").build());
        assertThat(settings.maxQueueSize()).isEqualTo(7);
        assertThat(settings.maxBatchSize()).isEqualTo(3);
        assertThat(settings.kvCacheBlockReuse()).isFalse();
        assertThat(settings.drainTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void defaultsWhenNeitherIsSet() {
        TrtllmSettings settings = TrtllmSettings.of(EngineOptions.defaults());
        TrtllmSettings defaults = TrtllmSettings.builder().build();
        assertThat(settings).hasToString(defaults.toString());
        assertThat(settings.maxQueueSize()).isEqualTo(64);
    }

    @Test
    void devicesAndOptionsTheEngineCannotUseAreRefused() {
        for (String device : new String[] {"cpu", "cuda:1"}) {
            assertThatThrownBy(() -> TrtllmSettings.of(EngineOptions.builder().device(device).build()))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                    .hasMessageContaining(device).hasMessageContaining("CUDA_VISIBLE_DEVICES");
        }
        assertThatThrownBy(() -> TrtllmSettings.of(EngineOptions.builder().session("maxQueue", "1").build()))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("maxQueue");
        assertThatThrownBy(() -> TrtllmSettings.of(EngineOptions.builder().session("kvCacheFreeGpuMemoryFraction", "1.5").build()))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG));
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFails() {
        TrtllmEngine engine = new TrtllmEngine(TestDouble.library(), TrtllmSettings.of(EngineOptions.defaults()));
        engine.close();
        engine.close();
        assertThatThrownBy(() -> engine.load(ModelRef.of(tmp)))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED))
                .hasMessageContaining("engine 'trtllm' is closed");
    }
}
