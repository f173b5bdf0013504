package io.kefu.runtime.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentHashTest {
    @TempDir
    Path dir;

    @Test
    void etagsAreNormalizedAsHuggingfaceHubNamesBlobs() {
        assertThat(ContentHash.normalizeEtag("W/\"abc\"")).isEqualTo("abc");
        assertThat(ContentHash.normalizeEtag("\"abc\"")).isEqualTo("abc");
        assertThat(ContentHash.normalizeEtag(" abc ")).isEqualTo("abc");
    }

    @Test
    void lfsEtagsAreSha256AndGitEtagsAreBlobIds() throws IOException {
        Path file = dir.resolve("f");
        Files.writeString(file, "hello\n", StandardCharsets.UTF_8);
        // independent values: `sha256sum` and `git hash-object` of "hello\n"
        assertThat(ContentHash.SHA256.digest(file))
                .isEqualTo("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
        assertThat(ContentHash.GIT_SHA1.digest(file)).isEqualTo("ce013625030ba8dba906f756967f9e9ca394464a");
        assertThat(ContentHash.of("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")).contains(ContentHash.SHA256);
        assertThat(ContentHash.of("ce013625030ba8dba906f756967f9e9ca394464a")).contains(ContentHash.GIT_SHA1);
        assertThat(ContentHash.of("d41d8cd98f00b204e9800998ecf8427e")).isEqualTo(Optional.empty());
    }
}
