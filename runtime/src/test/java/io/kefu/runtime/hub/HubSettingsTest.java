package io.kefu.runtime.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.KefuException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubSettingsTest {
    @TempDir
    Path home;

    @Test
    void defaultsMatchHuggingfaceHub() {
        HubSettings s = HubSettings.fromEnvironment(Map.of(), home);
        assertThat(s.endpoint()).hasToString("https://huggingface.co");
        assertThat(s.cacheDir()).isEqualTo(home.resolve(".cache/huggingface/hub"));
        assertThat(s.token()).isEmpty();
        assertThat(s.offline()).isFalse();
    }

    @Test
    void environmentVariablesOverrideTheDefaults() {
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "https://mirror.example/",
                "HF_HOME", "/data/hf", "HF_TOKEN", " hf_abc \n", "HF_HUB_OFFLINE", "YES"), home);
        assertThat(s.endpoint()).hasToString("https://mirror.example");
        assertThat(s.cacheDir()).isEqualTo(Path.of("/data/hf/hub"));
        assertThat(s.token()).contains("hf_abc");
        assertThat(s.offline()).isTrue();
        assertThat(s.toString()).doesNotContain("hf_abc");

        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", "/data/hf", "HF_HUB_CACHE", "/fast/hub"), home).cacheDir())
                .isEqualTo(Path.of("/fast/hub"));
        assertThat(HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg"), home).cacheDir())
                .isEqualTo(Path.of("/xdg/huggingface/hub"));
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), home).offline()).isFalse();
    }

    @Test
    void theTokenComesFromTheTokenFileWhenHfTokenIsUnset() throws IOException {
        Path hfHome = home.resolve("hf");
        Files.createDirectories(hfHome);
        Files.writeString(hfHome.resolve("token"), "hf_from_login\n");
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString()), home).token()).contains("hf_from_login");

        Path other = home.resolve("elsewhere.txt");
        Files.writeString(other, "hf_from_path");
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN_PATH", other.toString()), home)
                .token()).contains("hf_from_path");
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN", "hf_env"), home)
                .token()).contains("hf_env");
    }

    @Test
    void aNonHttpEndpointIsAConfigError() {
        assertThatThrownBy(() -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "ftp://x"), home))
                .isInstanceOf(KefuException.class).hasMessageContaining("HF_ENDPOINT");
    }

    @Test
    void hubIdsParseWithAndWithoutRevision() {
        assertThat(HubModelId.parse("Qwen/Qwen2.5-0.5B-Instruct"))
                .isEqualTo(new HubModelId("Qwen/Qwen2.5-0.5B-Instruct", "main"));
        HubModelId pinned = HubModelId.parse("meta-llama/Llama-3.2-1B@0123456789abcdef0123456789abcdef01234567");
        assertThat(pinned.isCommit()).isTrue();
        assertThat(pinned.cacheFolderName()).isEqualTo("models--meta-llama--Llama-3.2-1B");
        assertThatThrownBy(() -> HubModelId.parse("no-slash")).isInstanceOf(KefuException.class);
        assertThatThrownBy(() -> HubModelId.parse("a/b@../x")).isInstanceOf(KefuException.class);
    }
}
