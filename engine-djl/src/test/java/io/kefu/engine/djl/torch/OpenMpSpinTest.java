package io.kefu.engine.djl.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OpenMpSpinTest {
    @Test
    void libgompGetsAShortSpinWhenTheUserChoseNone() {
        assumeTrue(System.getenv(OpenMpSpin.VARIABLE) == null && System.getenv("OMP_WAIT_POLICY") == null,
                "the test JVM was started with an OpenMP spin setting of its own");
        Torch.engine();
        assertThat(OpenMpSpin.nativeValue(OpenMpSpin.VARIABLE)).isEqualTo(OpenMpSpin.DEFAULT_SPINS);
    }

    @Test
    void theUsersOwnSettingIsLeftAlone() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Probe.class.getName())).redirectErrorStream(true);
        builder.environment().put(OpenMpSpin.VARIABLE, "123");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("spin=123");
    }

    /** Loads the engine and prints the spin count libgomp saw. */
    public static final class Probe {
        public static void main(String[] args) {
            Torch.engine();
            System.out.println("spin=" + OpenMpSpin.nativeValue(OpenMpSpin.VARIABLE));
        }
    }
}
