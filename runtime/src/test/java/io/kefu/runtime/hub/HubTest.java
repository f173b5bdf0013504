package io.kefu.runtime.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.model.ModelRef;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubTest {
    @TempDir
    Path dir;

    private HubClient offline() {
        return HubClient.builder()
                .settings(new HubSettings(URI.create("http://127.0.0.1:9"), Optional.empty(), dir.resolve("cache"), true))
                .build();
    }

    @Test
    void anExistingFolderIsUsedAsItIs() {
        assertThat(Hub.resolve(ModelRef.of(dir), offline())).isEqualTo(dir);
    }

    @Test
    void aMissingPathThatIsNoHubIdIsNotFound() {
        assertThatThrownBy(() -> Hub.resolve(ModelRef.of(dir.resolve("no/such/model")), offline()))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("neither an existing folder nor a hub id");
    }

    @Test
    void aMistypedRelativeFolderSaysItWasAlsoTriedAsAHubId() {
        assertThatThrownBy(() -> Hub.resolve(ModelRef.of("modles/qwen"), offline()))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageStartingWith("model 'modles/qwen' is no local folder, so it was looked up as a hub id")
                .hasMessageContaining("modles/qwen@main");
    }
}
