package io.kefu.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL's programs are found wherever the system keeps them, of whatever version. */
class PostgresServerTest {
    @TempDir
    Path tmp;

    @Test
    void prefersPgConfigThenThePathThenTheNewestDebianVersion() throws IOException {
        Path debian = tmp.resolve("postgresql");
        Path v9 = programs(debian.resolve("9/bin"));
        Path v16 = programs(debian.resolve("16/bin"));
        Files.createDirectories(debian.resolve("17/bin")); // an empty leftover of another version
        Path onPath = programs(tmp.resolve("local/bin"));
        Path fromPgConfig = programs(tmp.resolve("pgconfig/bin"));

        assertThat(PostgresServer.findBin(null, null, debian)).isEqualTo(v16);
        assertThat(PostgresServer.findBin(null, tmp.resolve("nothing") + ":" + onPath, debian)).isEqualTo(onPath);
        assertThat(PostgresServer.findBin(fromPgConfig, onPath.toString(), debian)).isEqualTo(fromPgConfig);
        assertThat(PostgresServer.findBin(tmp.resolve("gone"), null, debian)).isEqualTo(v16);
        assertThat(v9).exists();
    }

    @Test
    void withoutPostgresItNamesAFolderThatHasNoPrograms() {
        Path bin = PostgresServer.findBin(null, "", tmp.resolve("absent"));
        assertThat(bin.resolve("initdb")).doesNotExist();
    }

    private static Path programs(Path bin) throws IOException {
        Files.createDirectories(bin);
        for (String name : new String[] {"initdb", "pg_ctl"}) {
            Files.writeString(bin.resolve(name), "#!/bin/sh\n");
            Files.setPosixFilePermissions(bin.resolve(name), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }
}
