package io.kefu.engine.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.EngineStatus;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RemoteEngineTest {
    private FakeOpenAiServer server;

    @BeforeEach
    void start() throws IOException {
        server = new FakeOpenAiServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void isFoundThroughTheServiceLoader() {
        assertThat(Engines.available()).contains(new EngineStatus("remote", true,
                "OpenAI-compatible server over HTTP (vLLM, trtllm-serve, kefu serve)"));
        Engine engine = Engines.get("remote");
        assertThat(engine.id()).isEqualTo("remote");
        assertThat(engine.capabilities()).contains(Engine.Capability.CHAT).doesNotContain(Engine.Capability.TRAIN);
    }

    @Test
    void loadAsksTheServerForItsModelAndAdapters() {
        server.modelsJson("{\"data\":[{\"id\":\"Qwen/Qwen2.5-7B-Instruct\",\"parent\":null},"
                + "{\"id\":\"shop-lora\",\"parent\":\"Qwen/Qwen2.5-7B-Instruct\"}]}");
        Engine engine = new RemoteEngine(new Settings(new Properties(), Map.of()));
        try (BaseModel base = engine.load(ModelRef.of(server.baseUrl()));
             ChatModel chat = engine.chatModel(base)) {
            assertThat(chat.info().id()).isEqualTo("Qwen/Qwen2.5-7B-Instruct");
            assertThat(chat.info().engine()).isEqualTo("remote");
            assertThat(chat.info().adapters()).containsExactly("shop-lora");
            assertThat(base.architecture()).isEqualTo("remote");
        }
        assertThat(server.received()).extracting(FakeOpenAiServer.Received::path).containsExactly("/v1/models");
    }

    @Test
    void aConfiguredModelNeedsNoRequestAtLoad() {
        Properties props = new Properties();
        props.setProperty("kefu.remote.model", "shop-model");
        Engine engine = new RemoteEngine(new Settings(props, Map.of()));
        try (BaseModel base = engine.load(ModelRef.of(server.baseUrl()))) {
            assertThat(((RemoteEndpoint) base).model()).isEqualTo("shop-model");
        }
        assertThat(server.received()).isEmpty();
    }

    @Test
    void severalModelsWithoutAChoiceIsAConfigError() {
        server.modelsJson("{\"data\":[{\"id\":\"a\"},{\"id\":\"b\"}]}");
        Engine engine = new RemoteEngine(new Settings(new Properties(), Map.of()));
        assertThatThrownBy(() -> engine.load(ModelRef.of(server.baseUrl())))
                .hasMessageContaining("lists 2 models (a, b)").hasMessageContaining("kefu.remote.model")
                .extracting(e -> ((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG);
    }

    @Test
    void refusesWhatItCannotDo() {
        Engine engine = new RemoteEngine(new Settings(new Properties(), Map.of()));
        assertThatThrownBy(() -> engine.load(ModelRef.of("Qwen/Qwen2.5-0.5B-Instruct")))
                .hasMessageContaining("loads the URL of an OpenAI-compatible server")
                .extracting(e -> ((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);

        BaseModel base = engine.load(ModelRef.of(server.baseUrl()));
        for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                base::directory, base::template, () -> base.save(Path.of("out")))) {
            assertThatThrownBy(call).extracting(e -> ((KefuException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED);
        }
        assertThatThrownBy(() -> engine.chatModel(base, List.of(new io.kefu.train.Adapter() {
            @Override public io.kefu.train.LoraConfig config() { return io.kefu.train.LoraConfig.builder().build(); }
            @Override public String baseModel() { return "base"; }
            @Override public List<String> tensorNames() { return List.of(); }
            @Override public void save(Path dir) { }
        }))).extracting(e -> ((KefuException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED);
        assertThatThrownBy(() -> engine.trainer(null)).extracting(e -> ((KefuException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED);

        base.close();
        base.close();
        assertThatThrownBy(() -> engine.chatModel(base)).extracting(e -> ((KefuException) e).code()).isEqualTo(ErrorCode.CLOSED);
    }
}
