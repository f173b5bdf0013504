package io.kefu.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.KefuException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code kefu bench decode} finds the Java 21+ JDK that runs Jlama, and what it says when there is none. */
class JlamaBenchTest {
    @TempDir
    Path jvms;

    @Test
    void picksTheNewestJdk21OrLaterBesideTheRunningOne() throws IOException {
        Path running = jdk("jdk-17", "17.0.15");
        jdk("jdk-21", "21.0.4");
        Path newest = jdk("jdk-25", "25");
        jdk("jre-8", "1.8.0_402");
        assertThat(JlamaBench.java21(null, running)).isEqualTo(newest.resolve("bin/java"));
    }

    @Test
    void theRunningJdkIsUsedWhenItIs21OrLater() throws IOException {
        Path running = jdk("jdk-22", "22.0.1");
        jdk("jdk-25", "25");
        assertThat(JlamaBench.java21(null, running)).isEqualTo(running.resolve("bin/java"));
    }

    @Test
    void withoutAJdk21TheMessageListsEveryPlaceSearched() throws IOException {
        Path running = jdk("jdk-17", "17.0.15");
        Files.createDirectories(jvms.resolve("default-java"));
        assertThatThrownBy(() -> JlamaBench.java21(null, running))
                .isInstanceOf(KefuException.class)
                .hasMessageContaining("Jlama needs Java 21+")
                .hasMessageContaining("java.home " + running + " is Java 17")
                .hasMessageContaining(jvms.toRealPath() + " holds default-java (no release file), jdk-17 (Java 17)")
                .hasMessageContaining("-Dkefu.jlama.java");
    }

    @Test
    void aConfiguredJavaOlderThan21IsRejected() throws IOException {
        Path old = jdk("jdk-17", "17.0.15").resolve("bin/java");
        assertThatThrownBy(() -> JlamaBench.java21(old.toString(), old.getParent().getParent()))
                .isInstanceOf(KefuException.class)
                .hasMessageContaining("-Dkefu.jlama.java=" + old)
                .hasMessageContaining("found Java 17");
    }

    private Path jdk(String name, String version) throws IOException {
        Path home = jvms.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Files.createFile(home.resolve("bin/java"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        return home.toRealPath();
    }
}
