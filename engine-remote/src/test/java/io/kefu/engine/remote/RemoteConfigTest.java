package io.kefu.engine.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteConfigTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        RemoteConfig c = RemoteConfig.builder("http://127.0.0.1:8000/v1").build();

        assertThat(c.baseUrl()).hasToString("http://127.0.0.1:8000/v1");
        assertThat(c.model()).isEmpty();
        assertThat(c.hasApiKey()).isFalse();
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.streamIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.maxAttempts()).isEqualTo(4);
        assertThat(c.initialBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.maxBackoff()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.jitter()).isEqualTo(0.5);
        assertThat(c.retrySeed()).isZero();
        assertThat(c.maxRetryAfter()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.maxParallelism()).isEqualTo(4);
        assertThat(c.streamUsage()).isTrue();
    }

    @Test
    void baseUrlGetsV1WhenItHasNoPathAndLosesTrailingSlashes() {
        assertThat(RemoteConfig.builder("http://localhost:8000").build().baseUrl()).hasToString("http://localhost:8000/v1");
        assertThat(RemoteConfig.builder("HTTP://localhost:8000/").build().baseUrl()).hasToString("http://localhost:8000/v1");
        assertThat(RemoteConfig.builder("https://api.example.com/openai/v1/").build().baseUrl())
                .hasToString("https://api.example.com/openai/v1");
    }

    @Test
    void badBaseUrlsAreRefusedWithoutEchoingSecrets() {
        assertInvalid(() -> RemoteConfig.builder("ftp://host/v1").build(), "must be an http:// or https:// URL");
        assertInvalid(() -> RemoteConfig.builder("Qwen/Qwen2.5-0.5B").build(), "must be an http:// or https:// URL");
        assertThatThrownBy(() -> RemoteConfig.builder("http://user:sk-secret@host/v1").build())
                .hasMessageContaining("must not carry user info").hasMessageNotContaining("sk-secret");
        assertThatThrownBy(() -> RemoteConfig.builder("http://host/v1?key=sk-secret").build())
                .hasMessageNotContaining("sk-secret");
    }

    @Test
    void buildValidatesEachField() {
        String url = "http://127.0.0.1:8000/v1";
        assertInvalid(() -> RemoteConfig.builder(url).maxAttempts(0).build(), "maxAttempts=0 must be at least 1");
        assertInvalid(() -> RemoteConfig.builder(url).maxParallelism(0).build(), "maxParallelism=0");
        assertInvalid(() -> RemoteConfig.builder(url).jitter(1.5).build(), "jitter=1.5 must be in [0, 1]");
        assertInvalid(() -> RemoteConfig.builder(url).requestTimeout(Duration.ZERO).build(), "requestTimeout=PT0S must be a positive");
        assertInvalid(() -> RemoteConfig.builder(url).initialBackoff(Duration.ofSeconds(30)).build(),
                "maxBackoff=PT20S must not be shorter than initialBackoff=PT30S");
    }

    @Test
    void settingsComeFromSystemPropertiesThenEnvironment(@TempDir Path dir) throws IOException {
        Path keyFile = dir.resolve("key");
        Files.writeString(keyFile, "sk-from-file\n");
        Properties props = new Properties();
        props.setProperty("kefu.remote.maxAttempts", "7");
        props.setProperty("kefu.remote.requestTimeout", "2m");
        props.setProperty("kefu.remote.apiKeyFile", keyFile.toString());
        Map<String, String> env = Map.of(
                "KEFU_REMOTE_MAX_ATTEMPTS", "9",
                "KEFU_REMOTE_MODEL", "Qwen/Qwen2.5-7B-Instruct",
                "KEFU_REMOTE_STREAM_IDLE_TIMEOUT", "PT5S",
                "KEFU_REMOTE_INITIAL_BACKOFF", "250ms",
                "KEFU_REMOTE_MAX_PARALLELISM", "16",
                "KEFU_REMOTE_STREAM_USAGE", "false",
                "KEFU_REMOTE_API_KEY", "sk-from-env");

        RemoteConfig c = RemoteConfig.builder("http://h:1/v1").apply(new Settings(props, env)).build();

        assertThat(c.maxAttempts()).isEqualTo(7);
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.model()).contains("Qwen/Qwen2.5-7B-Instruct");
        assertThat(c.streamIdleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.initialBackoff()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.maxParallelism()).isEqualTo(16);
        assertThat(c.streamUsage()).isFalse();
        assertThat(c.apiKey().orElseThrow().authorizationHeader()).isEqualTo("Bearer sk-from-file");
        assertThat(c.toString()).doesNotContain("sk-from");

        RemoteConfig fromEnv = RemoteConfig.builder("http://h:1/v1").apply(new Settings(new Properties(), env)).build();
        assertThat(fromEnv.apiKey().orElseThrow().authorizationHeader()).isEqualTo("Bearer sk-from-env");
        assertThat(fromEnv.maxAttempts()).isEqualTo(9);
    }

    @Test
    void theApiKeyIsNeverReadFromASystemProperty() {
        Properties props = new Properties();
        props.setProperty("KEFU_REMOTE_API_KEY", "sk-visible-in-ps");
        props.setProperty("kefu.remote.apiKey", "sk-visible-in-ps");

        RemoteConfig c = RemoteConfig.builder("http://h:1/v1").apply(new Settings(props, Map.of())).build();

        assertThat(c.hasApiKey()).isFalse();
    }

    @Test
    void badSettingsNameTheirSource(@TempDir Path dir) {
        Properties props = new Properties();
        props.setProperty("kefu.remote.maxAttempts", "many");
        assertInvalid(() -> RemoteConfig.builder("http://h:1/v1").apply(new Settings(props, Map.of())),
                "system property kefu.remote.maxAttempts='many' is not a whole number");
        assertInvalid(() -> RemoteConfig.builder("http://h:1/v1")
                        .apply(new Settings(new Properties(), Map.of("KEFU_REMOTE_CONNECT_TIMEOUT", "soon"))),
                "environment variable KEFU_REMOTE_CONNECT_TIMEOUT='soon' is not a duration");
        Path missing = dir.resolve("absent-key");
        assertInvalid(() -> RemoteConfig.builder("http://h:1/v1").apiKeyFile(missing), "API key file " + missing + " cannot be read");
    }

    @Test
    void environmentNamesAreUpperSnakeCase() {
        assertThat(Settings.environmentName("kefu.remote.maxRetryAfter")).isEqualTo("KEFU_REMOTE_MAX_RETRY_AFTER");
        assertThat(Settings.environmentName("kefu.remote.apiKeyFile")).isEqualTo("KEFU_REMOTE_API_KEY_FILE");
    }

    private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOf(KefuException.class).hasMessageContaining(message)
                .extracting(e -> ((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG);
    }
}
