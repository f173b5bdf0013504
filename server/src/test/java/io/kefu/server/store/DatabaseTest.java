package io.kefu.server.store;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseTest {
    @Test
    void theDefaultStoreLivesInTheUsersKefuFolderNotTheWorkingFolder() {
        Path workingFolder = Path.of("").toAbsolutePath();
        Path store = Database.defaultDirectory();
        assertThat(store).isEqualTo(Path.of(System.getProperty("user.home"), ".kefu", "store"));
        assertThat(store.toAbsolutePath().startsWith(workingFolder)).as(store + " under " + workingFolder).isFalse();
        assertThat(Database.h2Url(store)).isEqualTo("jdbc:h2:file:" + store.toAbsolutePath().resolve("shop"));
    }
}
