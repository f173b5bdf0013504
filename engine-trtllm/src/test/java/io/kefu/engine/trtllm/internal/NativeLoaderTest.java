package io.kefu.engine.trtllm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Why the engine can or cannot load, in words a user can act on. */
class NativeLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void findsTheLibraryNamedByTheSystemProperty() {
        NativeLoader.Probe probe = NativeLoader.probe(TestDouble.nativeDir().resolve("libkefu_trtllm_double.so").toString(), Map.of());
        assertThat(probe.usable()).isTrue();
        assertThat(probe.message()).contains("test double").contains("ABI 1");
    }

    @Test
    void notFoundNamesTheSettingsAndEveryPathSearched() {
        NativeLoader.Probe probe = NativeLoader.probe(null, Map.of("LD_LIBRARY_PATH", tmp + ":/nonexistent/lib"));
        assertThat(probe.usable()).isFalse();
        assertThat(probe.message())
                .contains("libkefu_trtllm.so not found")
                .contains("kefu.trtllm.library").contains("KEFU_TRTLLM_LIBRARY")
                .contains(tmp.resolve("libkefu_trtllm.so").toString())
                .contains("/nonexistent/lib/libkefu_trtllm.so");
    }

    @Test
    void aMissingFileNamedByTheEnvironmentIsReportedAsSuch() {
        NativeLoader.Probe probe = NativeLoader.probe(null, Map.of("KEFU_TRTLLM_LIBRARY", tmp.resolve("nope.so").toString()));
        assertThat(probe.usable()).isFalse();
        assertThat(probe.message()).contains(tmp.resolve("nope.so").toString()).contains("environment variable KEFU_TRTLLM_LIBRARY")
                .contains("does not exist");
    }

    @Test
    void anAbiMismatchSaysWhichVersionWasExpectedAndFound() {
        Path abi99 = TestDouble.nativeDir().resolve("libkefu_trtllm_double_abi99.so");
        NativeLoader.Probe probe = NativeLoader.probe(abi99.toString(), Map.of());
        assertThat(probe.usable()).isFalse();
        assertThat(probe.message()).contains("ABI version mismatch").contains("implements kefu_trtllm ABI 99")
                .contains("expects ABI 1").contains(abi99.toString());
    }

    @Test
    void aFileThatIsNotALibrarySaysSo() throws Exception {
        Path fake = java.nio.file.Files.writeString(tmp.resolve("libkefu_trtllm.so"), "not an ELF file");
        NativeLoader.Probe probe = NativeLoader.probe(null, Map.of("LD_LIBRARY_PATH", tmp.toString()));
        assertThat(probe.usable()).isFalse();
        assertThat(probe.message()).contains(fake.toString()).contains("cannot be loaded");
    }
}
