package io.kefu.engine.djl.torch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class GradModeTest {
    @Test
    void scopesSetTheModeAndRestoreTheThreadsOwn() throws Exception {
        Torch.engine();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            pool.submit(() -> {
                assertThat(JniUtils.isGradMode()).as("libtorch's default on a new thread").isTrue();
                try (GradMode off = GradMode.off()) {
                    assertThat(JniUtils.isGradMode()).isFalse();
                    try (GradMode on = GradMode.on()) {
                        assertThat(JniUtils.isGradMode()).isTrue();
                    }
                    assertThat(JniUtils.isGradMode()).isFalse();
                    off.close();
                    assertThat(JniUtils.isGradMode()).isTrue();
                }
                assertThat(JniUtils.isGradMode()).as("closing twice changes nothing").isTrue();
                return null;
            }).get();
        } finally {
            pool.shutdown();
        }
        boolean here = JniUtils.isGradMode();
        try (GradMode on = GradMode.on()) {
            assertThat(JniUtils.isGradMode()).isTrue();
        }
        assertThat(JniUtils.isGradMode()).isEqualTo(here);
    }
}
