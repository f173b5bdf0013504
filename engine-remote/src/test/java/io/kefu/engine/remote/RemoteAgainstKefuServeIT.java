package io.kefu.engine.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.shop.rules.RulesChatModel;
import io.kefu.shop.FactsRenderer;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopPrompt;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.server.KefuServer;
import io.kefu.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote engine against a real Kefu server on loopback, answering with the rules baseline from
 * an H2 store: chat, streams, batches, model discovery, error mapping, the API key and cancellation.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemoteAgainstKefuServeIT {
    private static final Path SHOP = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "shop");
    private static final String KEY = "k-remote-it-5e1f";

    @TempDir
    static Path temp;
    static TricklingModel trickling;
    static KefuServer open;
    static KefuServer keyed;

    @BeforeAll
    static void start() {
        trickling = new TricklingModel(new RulesChatModel());
        open = KefuServer.start(ServerConfig.builder().baseModel(trickling).storeUrl("jdbc:h2:file:" + temp.resolve("open/shop"))
                .shopFolder(SHOP).port(0).build());
        keyed = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl("jdbc:h2:file:" + temp.resolve("keyed/shop"))
                .shopFolder(SHOP).port(0).apiKey(KEY).build());
    }

    @AfterAll
    static void stop() {
        if (open != null) {
            open.close();
        }
        if (keyed != null) {
            keyed.close();
        }
    }

    private static String url(KefuServer server) {
        return "http://127.0.0.1:" + server.port() + "/v1";
    }

    private static ChatRequest question(String text, String productId) {
        String facts = FactsRenderer.render(ShopCatalog.load(SHOP).factsFor(productId, LocalDate.of(2026, 11, 20)));
        return ChatRequest.of(ShopPrompt.userMessage(text, facts));
    }

    private static RemoteConfig.Builder config(KefuServer server) {
        return RemoteConfig.builder(url(server)).maxAttempts(1);
    }

    @Test
    void loadsThroughTheEngineRegistryDiscoversTheModelAndChats() {
        Engine engine = Engines.get("remote");
        try (BaseModel base = engine.load(ModelRef.of(url(open))); ChatModel model = engine.chatModel(base)) {
            assertThat(((RemoteEndpoint) base).model()).isEqualTo("rules");
            assertThat(model.info().id()).isEqualTo("rules");
            assertThat(model.info().engine()).isEqualTo("remote");
            ChatRequest request = question("有什么优惠?", "1001");
            ChatResponse answer = model.chat(request);
            assertThat(answer.text()).contains("满299减50").isEqualTo(new RulesChatModel().chat(request).text());
            assertThat(answer.finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    @Test
    void aStreamArrivesInPiecesThatMakeTheWholeAnswer() {
        ChatRequest request = question("雾蓝M码有货吗?", "1001");
        try (RemoteEndpoint base = (RemoteEndpoint) new RemoteEngine().load(config(open).build());
                ChatModel model = new RemoteEngine().chatModel(base)) {
            String whole = model.chat(request).text();
            StringBuilder text = new StringBuilder();
            int pieces = 0;
            try (ChatStream stream = model.stream(request)) {
                for (ChatChunk chunk : stream) {
                    text.append(chunk.text());
                    pieces++;
                }
                assertThat(stream.isDone()).isTrue();
                ChatResponse response = stream.response();
                assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
                assertThat(response.text()).isEqualTo(whole);
            }
            assertThat(whole).contains("有货");
            assertThat(text.toString()).isEqualTo(whole);
            assertThat(pieces).isGreaterThan(1);
        }
    }

    @Test
    void aBatchComesBackInRequestOrder() {
        List<ChatRequest> requests = List.of(question("有什么优惠?", "1001"), question("雾蓝M码有货吗?", "1001"),
                question("发货快吗?", "1003"));
        try (RemoteEndpoint base = (RemoteEndpoint) new RemoteEngine().load(config(open).build());
                ChatModel model = new RemoteEngine().chatModel(base)) {
            List<ChatResponse> answers = model.chatBatch(requests);
            RulesChatModel rules = new RulesChatModel();
            assertThat(answers).extracting(ChatResponse::text)
                    .containsExactlyElementsOf(requests.stream().map(r -> rules.chat(r).text()).toList());
        }
    }

    @Test
    void anUnknownAdapterIsNotFoundWithTheServersMessage() {
        try (RemoteEndpoint base = (RemoteEndpoint) new RemoteEngine().load(config(open).build());
                ChatModel model = new RemoteEngine().chatModel(base)) {
            ChatRequest request = question("有什么优惠?", "1001").toBuilder().adapter("no-such-adapter").build();
            KefuException e = catchThrowableOfType(() -> model.chat(request), KefuException.class);
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(e.getMessage()).contains("HTTP 404").contains("'no-such-adapter' is not served here; available: rules");
        }
        KefuException named = catchThrowableOfType(() -> {
            try (ChatModel model = new RemoteEngine().chatModel(new RemoteEngine().load(config(open).model("no-such-model").build()))) {
                model.chat(question("有什么优惠?", "1001"));
            }
        }, KefuException.class);
        assertThat(named.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(named.getMessage()).contains("'no-such-model' is not served here");
    }

    @Test
    void theServersApiKeyIsRequiredAndAccepted() {
        KefuException discovery = catchThrowableOfType(() -> new RemoteEngine().load(config(keyed).build()), KefuException.class);
        assertThat(discovery.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(discovery.getMessage()).contains("HTTP 401").contains("Authorization").contains(RemoteConfig.API_KEY_ENV);

        KefuException chat = catchThrowableOfType(() -> {
            try (ChatModel model = new RemoteEngine().chatModel(new RemoteEngine().load(config(keyed).model("rules").build()))) {
                model.chat(question("有什么优惠?", "1001"));
            }
        }, KefuException.class);
        assertThat(chat.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);

        KefuException wrong = catchThrowableOfType(() -> new RemoteEngine().load(config(keyed).apiKey("wrong").build()), KefuException.class);
        assertThat(wrong.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(wrong.getMessage()).doesNotContain("wrong");

        try (RemoteEndpoint base = (RemoteEndpoint) new RemoteEngine().load(config(keyed).apiKey(KEY).build());
                ChatModel model = new RemoteEngine().chatModel(base)) {
            assertThat(base.model()).isEqualTo("rules");
            assertThat(model.chat(question("有什么优惠?", "1001")).text()).contains("满299减50");
            StringBuilder streamed = new StringBuilder();
            try (ChatStream stream = model.stream(question("有什么优惠?", "1001"))) {
                stream.forEach(c -> streamed.append(c.text()));
                assertThat(stream.response().finishReason()).isEqualTo(FinishReason.STOP);
            }
            assertThat(streamed.toString()).contains("满299减50");
        }
    }

    @Test
    void cancellingAStreamEndsItHereAndStopsGenerationOnTheServer() throws Exception {
        trickling.pause = Duration.ofMillis(200);
        try (RemoteEndpoint base = (RemoteEndpoint) new RemoteEngine().load(config(open).build());
                ChatModel model = new RemoteEngine().chatModel(base)) {
            ChatRequest request = question("有什么优惠?", "1001");
            String whole = new RulesChatModel().chat(request).text();
            try (ChatStream stream = model.stream(request)) {
                Iterator<ChatChunk> chunks = stream.iterator();
                StringBuilder received = new StringBuilder();
                while (received.isEmpty()) {
                    received.append(chunks.next().text());
                }
                long start = System.nanoTime();
                stream.cancel();
                while (chunks.hasNext()) {
                    received.append(chunks.next().text());
                }
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(5);
                assertThat(stream.isDone()).isTrue();
                assertThat(stream.response().finishReason()).isEqualTo(FinishReason.CANCELLED);
                assertThat(received.length()).isLessThan(whole.length());
                assertThat(whole).startsWith(received.toString());
            }
            // the closed connection makes the server cancel the generation it was running for us
            assertThat(trickling.cancelled.await(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            trickling.pause = Duration.ZERO;
        }
    }
}
