package io.kefu.engine.trtllm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The C test double built by the Maven build into target/native. */
public final class TestDouble {
    /** The token that makes the double fail a request after two tokens. */
    public static final int FAIL_TOKEN = 2_000_000_000;

    private TestDouble() {
    }

    /** @return the folder the build put the double in */
    public static Path nativeDir() {
        String dir = System.getProperty("kefu.trtllm.test.native.dir");
        assertThat(dir).as("system property kefu.trtllm.test.native.dir (set by the POM)").isNotNull();
        return Path.of(dir);
    }

    /** @return the double, loaded through the same path as production code */
    public static TrtllmNative library() {
        NativeLoader.Probe probe = NativeLoader.probe(nativeDir().resolve("libkefu_trtllm_double.so").toString(), Map.of());
        assertThat(probe.usable()).as(probe.message()).isTrue();
        return probe.library();
    }

    /** Writes an engine folder the double accepts, with one token taking {@code stepMicros}. */
    public static Path engineDir(Path parent, String name, long stepMicros) {
        try {
            Path dir = Files.createDirectories(parent.resolve(name));
            Files.writeString(dir.resolve("kefu-double-step-us"), Long.toString(stepMicros));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return executor settings with a batch and queue size */
    public static ExecutorSettings settings(int maxBatchSize, int maxQueueSize) {
        return new ExecutorSettings(maxBatchSize, 0, maxQueueSize, 0.9f, 0, true, 0);
    }
}
