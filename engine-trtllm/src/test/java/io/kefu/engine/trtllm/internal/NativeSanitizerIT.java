package io.kefu.engine.trtllm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs native/test-double/run-asan.sh: the test double driven by several threads (enqueue, await,
 * cancel, drain, destroy with requests running) under AddressSanitizer and UBSan, then ThreadSanitizer, so a use after
 * free of the response buffers, an overflow, a leak or a data race fails the build.
 */
class NativeSanitizerIT {
    @TempDir
    Path tmp;

    @Test
    void theDoubleRunsCleanUnderAddressSanitizer() throws Exception {
        Path script = Path.of(System.getProperty("kefu.repo.dir"), "engine-trtllm", "native", "test-double", "run-asan.sh");
        Process p = new ProcessBuilder("bash", script.toString(), tmp.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("run-asan.sh finished").isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("200 requests, 200 final responses, 0 failed checks")
                .contains("AddressSanitizer/UBSan run clean").contains("ThreadSanitizer run clean");
    }
}
