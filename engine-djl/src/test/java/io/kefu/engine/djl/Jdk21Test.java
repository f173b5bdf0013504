package io.kefu.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Jdk21Test {
    @TempDir
    Path tmp;

    @Test
    void picksTheNewestJdk21OrNewerAndSkipsOlderOnesAndFoldersWithoutJava() throws IOException {
        Path jdk17 = jdk("jdk-17", "17.0.15");
        Path jdk21 = jdk("jdk-21", "21.0.8");
        Path jdk25 = jdk("temurin-25", "25.0.3");
        Path noJava = tmp.resolve("jdk-26-broken");
        Files.createDirectories(noJava);
        Files.writeString(noJava.resolve("release"), "JAVA_VERSION=\"26\"\n");

        assertThat(Jdk21.find(List.of(jdk17, jdk21, jdk25, noJava))).contains(jdk25);
        assertThat(Jdk21.find(List.of(jdk17, jdk21))).contains(jdk21);
        assertThat(Jdk21.find(List.of(jdk17, noJava))).isEmpty();
    }

    @Test
    void readsTheFeatureVersionOfOldAndNewVersionStrings() throws IOException {
        assertThat(Jdk21.version(jdk("a", "1.8.0_402"))).isEqualTo(8);
        assertThat(Jdk21.version(jdk("b", "21"))).isEqualTo(21);
        assertThat(Jdk21.version(jdk("c", "25-ea"))).isEqualTo(25);
        assertThat(Jdk21.version(tmp.resolve("missing"))).isZero();
    }

    private Path jdk(String name, String version) throws IOException {
        Path home = tmp.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Path java = home.resolve("bin").resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }
}
