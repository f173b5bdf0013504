package io.kefu.engine.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.EngineOptions;
import io.kefu.model.ModelRef;
import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Engine options first, then kefu.remote.* system properties and environment variables, then the defaults; and closing. */
class RemoteEngineOptionsTest {
    private FakeOpenAiServer server;

    @BeforeEach
    void start() throws IOException {
        server = new FakeOpenAiServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Properties properties(String... nameValues) {
        Properties p = new Properties();
        for (int i = 0; i < nameValues.length; i += 2) {
            p.setProperty(nameValues[i], nameValues[i + 1]);
        }
        return p;
    }

    private RemoteConfig loadedConfig(Engine engine) {
        try (BaseModel base = engine.load(ModelRef.of(server.baseUrl()))) {
            return ((RemoteEndpoint) base).config();
        }
    }

    @Test
    void optionsWinOverSystemPropertiesAndEnvironment() {
        Properties props = properties("kefu.remote.model", "from-property", "kefu.remote.maxAttempts", "2");
        Map<String, String> env = Map.of("KEFU_REMOTE_MAX_PARALLELISM", "3", "KEFU_REMOTE_API_KEY", "sk-default",
                "SHOP_KEY", "sk-shop");
        EngineOptions options = EngineOptions.builder().session("maxAttempts", "5").session("maxParallelism", "6")
                .apiKeyVariable("SHOP_KEY").build();
        RemoteConfig config = loadedConfig(new RemoteEngine(new Settings(props, env, options)));
        assertThat(config.maxAttempts()).isEqualTo(5);
        assertThat(config.maxParallelism()).isEqualTo(6);
        assertThat(config.model()).contains("from-property");
        assertThat(config.toString()).doesNotContain("sk-shop");
        assertThat(options.toString()).contains("SHOP_KEY").doesNotContain("sk-shop");

        try (Engine engine = new RemoteEngine(new Settings(props, env, options));
             BaseModel base = engine.load(ModelRef.of(server.baseUrl()));
             ChatModel chat = engine.chatModel(base)) {
            chat.chat("在吗");
        }
        assertThat(server.received()).last().extracting(FakeOpenAiServer.Received::authorization).isEqualTo("Bearer sk-shop");
    }

    @Test
    void propertiesAndEnvironmentFillWhatOptionsLeaveUnset() {
        RemoteConfig config = loadedConfig(new RemoteEngine(new Settings(properties("kefu.remote.maxAttempts", "2"),
                Map.of("KEFU_REMOTE_MAX_PARALLELISM", "3", "KEFU_REMOTE_MODEL", "shop-model"), EngineOptions.defaults())));
        assertThat(config.maxAttempts()).isEqualTo(2);
        assertThat(config.maxParallelism()).isEqualTo(3);
    }

    @Test
    void defaultsWhenNeitherIsSet() {
        RemoteConfig config = loadedConfig(new RemoteEngine(new Settings(new Properties(), Map.of(), EngineOptions.defaults())));
        RemoteConfig defaults = RemoteConfig.builder(server.baseUrl()).model("shop-model").build();
        assertThat(config.maxAttempts()).isEqualTo(defaults.maxAttempts()).isEqualTo(4);
        assertThat(config.requestTimeout()).isEqualTo(defaults.requestTimeout());
        assertThat(config.hasApiKey()).isFalse();
    }

    @Test
    void aBaseUrlOptionLetsLoadTakeAModelName() {
        EngineOptions options = EngineOptions.builder().baseUrl(server.baseUrl()).build();
        try (Engine engine = new RemoteEngine(new Settings(properties("kefu.remote.model", "other"), Map.of(), options));
             BaseModel base = engine.load(ModelRef.of("shop-model"))) {
            assertThat(((RemoteEndpoint) base).model()).isEqualTo("shop-model");
            assertThat(((RemoteEndpoint) base).config().baseUrl().toString()).isEqualTo(server.baseUrl());
        }
        Engine withoutBaseUrl = new RemoteEngine(new Settings(new Properties(), Map.of(), EngineOptions.defaults()));
        assertThatThrownBy(() -> withoutBaseUrl.load(ModelRef.of("shop-model")))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("baseUrl");
    }

    @Test
    void wrongOptionsAreRefusedByName() {
        assertThatThrownBy(() -> new Settings(new Properties(), Map.of(), EngineOptions.builder().session("retries", "3").build()))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("retries");
        Engine badNumber = new RemoteEngine(new Settings(new Properties(), Map.of(),
                EngineOptions.builder().session("maxAttempts", "many").build()));
        assertThatThrownBy(() -> badNumber.load(ModelRef.of(server.baseUrl())))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("engine session option maxAttempts='many'");
        Engine missingKey = new RemoteEngine(new Settings(new Properties(), Map.of(),
                EngineOptions.builder().apiKeyVariable("NOT_SET_ANYWHERE").build()));
        assertThatThrownBy(() -> missingKey.load(ModelRef.of(server.baseUrl())))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("NOT_SET_ANYWHERE");
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFails() {
        Engine engine = new RemoteEngine(new Settings(new Properties(), Map.of(), EngineOptions.defaults()));
        BaseModel base = engine.load(ModelRef.of(server.baseUrl()));
        engine.close();
        engine.close();
        for (Runnable use : new Runnable[] {() -> engine.load(ModelRef.of(server.baseUrl())), () -> engine.chatModel(base)}) {
            assertThatThrownBy(use::run)
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED))
                    .hasMessageContaining("engine 'remote' is closed");
        }
        base.close();
    }
}
