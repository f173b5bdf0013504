package io.kefu.engine.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.GenerationParameters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults injected by a fake OpenAI server on loopback: retries, backoff, Retry-After, timeouts,
 * broken streams, cancellation, error mapping and the API key's secrecy. Timing assertions are
 * lower bounds on the gaps the server measured between attempts, never upper bounds on speed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteFaultsIT {
    private static final String KEY = "sk-test-7f3c9a0e5d1b4c2a";
    private static final ChatRequest QUESTION = ChatRequest.of("Is the red dress in stock?");

    private FakeOpenAiServer server;

    @BeforeEach
    void start() throws IOException {
        server = new FakeOpenAiServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RemoteConfig.Builder config() {
        return RemoteConfig.builder(server.baseUrl()).model("shop-model")
                .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2)).jitter(0.5).retrySeed(7);
    }

    private static RemoteChatModel model(RemoteConfig config) {
        return new RemoteChatModel(config, config.model().orElseThrow(), List.of());
    }

    private List<Long> gapsMillis() {
        List<FakeOpenAiServer.Received> received = server.received();
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < received.size(); i++) {
            gaps.add(TimeUnit.NANOSECONDS.toMillis(received.get(i).nanoTime() - received.get(i - 1).nanoTime()));
        }
        return gaps;
    }

    @Test
    void retries429WithoutRetryAfterUsingExponentialBackoffThenSucceeds() {
        server.then(FakeOpenAiServer.status(429, "slow down"), FakeOpenAiServer.status(429, "slow down"),
                FakeOpenAiServer.status(429, "slow down"));
        RemoteConfig config = config().maxAttempts(4).build();
        try (RemoteChatModel model = model(config)) {
            ChatResponse response = model.chat(QUESTION);
            assertThat(response.text()).isEqualTo("Echo: Is the red dress in stock?");
        }
        assertThat(server.received()).hasSize(4);
        Backoff backoff = Backoff.of(config);
        List<Long> gaps = gapsMillis();
        for (int retry = 1; retry <= 3; retry++) {
            long lowerBound = Math.round(backoff.nominal(retry).toMillis() * (1 - config.jitter()));
            assertThat(gaps.get(retry - 1)).as("gap before retry %d", retry).isGreaterThanOrEqualTo(lowerBound);
        }
        // exponential: the nominal delays double
        assertThat(backoff.nominal(3)).isEqualTo(backoff.nominal(1).multipliedBy(4));
    }

    @Test
    void honoursRetryAfterInSeconds() {
        server.then(FakeOpenAiServer.status(429, "busy", Map.of("Retry-After", "1")));
        try (RemoteChatModel model = model(config().initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(10)).build())) {
            model.chat(QUESTION);
        }
        assertThat(server.received()).hasSize(2);
        assertThat(gapsMillis().get(0)).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void honoursRetryAfterAsAnHttpDate() {
        ZonedDateTime when = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(when);
        server.then(FakeOpenAiServer.status(503, "warming up", Map.of("Retry-After", date)));
        long before = System.currentTimeMillis();
        try (RemoteChatModel model = model(config().initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(10)).build())) {
            model.chat(QUESTION);
        }
        assertThat(server.received()).hasSize(2);
        // the retry is sent no earlier than the date (second precision), i.e. at least 1 s after the first try
        assertThat(gapsMillis().get(0)).isGreaterThanOrEqualTo(when.toInstant().toEpochMilli() - before - 1000);
        assertThat(gapsMillis().get(0)).isGreaterThanOrEqualTo(900);
    }

    @Test
    void retryAfterLongerThanTheLimitFailsAtOnce() {
        server.then(FakeOpenAiServer.status(429, "quota exceeded", Map.of("Retry-After", "3600")));
        try (RemoteChatModel model = model(config().build())) {
            KefuException e = catchThrowableOfType(KefuException.class, () -> model.chat(QUESTION));
            assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
            assertThat(e.getMessage()).contains("3600 s").contains("quota exceeded").contains("kefu.remote.maxRetryAfter");
        }
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void persistent429EndsAsResourceExhaustedWithTheServersMessage() {
        for (int i = 0; i < 3; i++) {
            server.then(FakeOpenAiServer.status(429, "rate limit reached for shop-model"));
        }
        try (RemoteChatModel model = model(config().maxAttempts(3).build())) {
            KefuException e = catchThrowableOfType(KefuException.class, () -> model.chat(QUESTION));
            assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
            assertThat(e.getMessage()).contains("HTTP 429").contains("after 3 attempts").contains("rate limit reached for shop-model");
        }
        assertThat(server.received()).hasSize(3);
    }

    @Test
    void serverErrorIsRetriedThenMappedToRemote() {
        server.then(FakeOpenAiServer.status(500, "CUDA out of memory"));
        try (RemoteChatModel model = model(config().maxAttempts(2).build())) {
            assertThat(model.chat(QUESTION).text()).startsWith("Echo:");
        }
        server.then(FakeOpenAiServer.status(500, "CUDA out of memory"), FakeOpenAiServer.status(502, "bad gateway"));
        try (RemoteChatModel model = model(config().maxAttempts(2).build())) {
            KefuException e = catchThrowableOfType(KefuException.class, () -> model.chat(QUESTION));
            assertThat(e.code()).isEqualTo(ErrorCode.REMOTE);
            assertThat(e.getMessage()).contains("HTTP 502").contains("bad gateway");
        }
        assertThat(server.received()).hasSize(4);
    }

    @Test
    void clientErrorsAreMappedWithoutRetrying() {
        assertMapped(400, "max_tokens must be at least 1", ErrorCode.INVALID_REQUEST);
        assertMapped(401, "invalid API key", ErrorCode.UNAUTHENTICATED);
        assertMapped(403, "forbidden", ErrorCode.UNAUTHENTICATED);
        assertMapped(404, "The model `nope` does not exist.", ErrorCode.NOT_FOUND);
        assertMapped(422, "messages: field required", ErrorCode.INVALID_REQUEST);
        assertThat(server.received()).hasSize(5);
    }

    private void assertMapped(int status, String message, ErrorCode code) {
        server.then(FakeOpenAiServer.status(status, message));
        try (RemoteChatModel model = model(config().build())) {
            KefuException e = catchThrowableOfType(KefuException.class, () -> model.chat(QUESTION));
            assertThat(e.code()).as("HTTP %d", status).isEqualTo(code);
            assertThat(e.getMessage()).contains("HTTP " + status).contains(message);
        }
    }

    @Test
    void streamsAreRetriedBeforeTheirFirstEvent() {
        server.then(FakeOpenAiServer.status(429, "busy"), FakeOpenAiServer.status(503, "loading"));
        try (RemoteChatModel model = model(config().build()); ChatStream stream = model.stream(QUESTION)) {
            StringBuilder text = new StringBuilder();
            stream.forEach(chunk -> text.append(chunk.text()));
            assertThat(text).hasToString("Echo: Is the red dress in stock?");
            assertThat(stream.response().usage().completionTokens()).isEqualTo(7);
        }
        assertThat(server.received()).hasSize(3);
        assertThat(server.received().get(2).body().path("stream").asBoolean()).isTrue();
        assertThat(server.received().get(2).body().path("stream_options").path("include_usage").asBoolean()).isTrue();
    }

    @Test
    void connectionRefusedIsRetriedThenReportedAsIo() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RemoteConfig config = RemoteConfig.builder("http://127.0.0.1:" + port + "/v1").model("m")
                .maxAttempts(3).initialBackoff(Duration.ofMillis(20)).build();
        long start = System.nanoTime();
        try (RemoteChatModel model = model(config)) {
            KefuException e = catchThrowableOfType(KefuException.class, () -> model.chat(QUESTION));
            assertThat(e.code()).isEqualTo(ErrorCode.IO);
            assertThat(e.getMessage()).contains("cannot reach remote server").contains("after 3 attempts");
        }
        // two backoffs happened: at least (1 - jitter) * (20 + 40) ms
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(30);
    }

    @Test
    void slowAnswerTimesOut() {
        server.then(FakeOpenAiServer.slow(Duration.ofSeconds(3)));
        try (RemoteChatModel model = model(config().requestTimeout(Duration.ofMillis(300)).build())) {
            KefuException e = catchThrowableOfType(KefuException.class, () -> model.chat(QUESTION));
            assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(e.getMessage()).contains("kefu.remote.requestTimeout=300 ms");
        }
    }

    @Test
    void streamThatFallsSilentTimesOut() {
        server.then(FakeOpenAiServer.stallAfterFirstEvent(Duration.ofSeconds(3)));
        try (RemoteChatModel model = model(config().streamIdleTimeout(Duration.ofMillis(300)).build());
             ChatStream stream = model.stream(QUESTION)) {
            Iterator<ChatChunk> chunks = stream.iterator();
            assertThat(chunks.next().text()).isEqualTo("Hello");
            KefuException e = catchThrowableOfType(KefuException.class, chunks::hasNext);
            assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(e.getMessage()).contains("kefu.remote.streamIdleTimeout=300 ms");
            assertThatThrownBy(stream::response).isInstanceOf(KefuException.class)
                    .extracting(t -> ((KefuException) t).code()).isEqualTo(ErrorCode.TIMEOUT);
        }
    }

    @Test
    void streamCutOffBeforeDoneIsARemoteError() {
        server.then(FakeOpenAiServer.cutOffAfter(2));
        try (RemoteChatModel model = model(config().build()); ChatStream stream = model.stream(QUESTION)) {
            List<String> pieces = new ArrayList<>();
            KefuException e = catchThrowableOfType(KefuException.class, () -> stream.forEach(c -> pieces.add(c.text())));
            assertThat(pieces).containsExactly(" piece0", " piece1");
            assertThat(e.code()).isEqualTo(ErrorCode.REMOTE);
            assertThat(e.getMessage()).contains("stream ended before [DONE]");
        }
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void anErrorEventMidStreamIsARemoteErrorWithTheServersMessage() {
        server.then(FakeOpenAiServer.errorEventAfterFirst("generation aborted: KV cache exhausted"));
        try (RemoteChatModel model = model(config().build()); ChatStream stream = model.stream(QUESTION)) {
            Iterator<ChatChunk> chunks = stream.iterator();
            assertThat(chunks.next().text()).isEqualTo("Hello");
            KefuException e = catchThrowableOfType(KefuException.class, chunks::hasNext);
            assertThat(e.code()).isEqualTo(ErrorCode.REMOTE);
            assertThat(e.getMessage()).contains("mid-stream").contains("KV cache exhausted");
        }
    }

    @Test
    void cancelStopsTheServerSideStream() throws InterruptedException {
        int maxChunks = 2000;
        server.then(FakeOpenAiServer.endlessStream(Duration.ofMillis(10), maxChunks));
        try (RemoteChatModel model = model(config().build())) {
            ChatStream stream = model.stream(QUESTION);
            Iterator<ChatChunk> chunks = stream.iterator();
            for (int i = 0; i < 3; i++) {
                assertThat(chunks.next().text()).isEqualTo(" more");
            }
            stream.cancel();

            assertThat(stream.response().finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(stream.response().text()).startsWith(" more more more");
            assertThat(server.endlessStreamAbortedByClient.await(10, TimeUnit.SECONDS))
                    .as("the server noticed the client went away").isTrue();
        }
        assertThat(server.endlessChunksWritten.get()).isLessThan(maxChunks);
    }

    @Test
    void closingTheModelCancelsOpenStreams() throws InterruptedException {
        server.then(FakeOpenAiServer.endlessStream(Duration.ofMillis(10), 2000));
        RemoteChatModel model = model(config().build());
        ChatStream stream = model.stream(QUESTION);
        stream.iterator().next();
        model.close();
        assertThat(stream.response().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(server.endlessStreamAbortedByClient.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void batchKeepsAtMostMaxParallelismRequestsInFlight() {
        server.answerDelay(Duration.ofMillis(150));
        List<ChatRequest> requests = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            requests.add(ChatRequest.of("Question " + i + "?"));
        }
        try (RemoteChatModel model = model(config().maxParallelism(3).build())) {
            List<ChatResponse> answers = model.chatBatch(requests);
            for (int i = 0; i < requests.size(); i++) {
                assertThat(answers.get(i).text()).isEqualTo("Echo: Question " + i + "?");
            }
        }
        assertThat(server.maxInFlight()).isBetween(2, 3);
    }

    @Test
    void apiKeyIsSentAsBearerAndNeverShownInMessagesOrLogs() {
        // the server echoes the key in its error, as some hosted APIs do
        server.then(FakeOpenAiServer.status(500, "upstream rejected key " + KEY),
                FakeOpenAiServer.status(401, "Incorrect API key provided: " + KEY));
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        KefuException e;
        RemoteConfig config = config().apiKey(KEY).build();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try (RemoteChatModel model = model(config)) {
                e = catchThrowableOfType(KefuException.class, () -> model.chat(QUESTION));
            }
        } finally {
            System.setErr(originalErr);
        }
        assertThat(server.received()).extracting(FakeOpenAiServer.Received::authorization)
                .containsOnly("Bearer " + KEY);
        assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(e.getMessage()).contains("Incorrect API key provided: [redacted]").doesNotContain(KEY);
        assertThat(e.toString()).doesNotContain(KEY);
        assertThat(config.toString()).doesNotContain(KEY);
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).contains("upstream rejected key [redacted]").doesNotContain(KEY);
    }

    @Test
    void generationParametersReachTheServer() {
        ChatRequest request = ChatRequest.builder().addSystem("You are a shop assistant.").addUser("Hi?")
                .parameters(GenerationParameters.builder().maxNewTokens(5).temperature(0.7).topP(0.9).topK(40)
                        .repetitionPenalty(1.1).seed(42).stopSequences(List.of("END")).logprobs(true).build())
                .build();
        try (RemoteChatModel model = model(config().build())) {
            ChatResponse response = model.chat(request);
            assertThat(response.logprobs()).hasSize(response.usage().completionTokens());
            assertThat(response.logprobs()).allSatisfy(lp -> assertThat(lp.tokenId()).isEqualTo(-1));
        }
        var body = server.received().get(0).body();
        assertThat(body.path("model").asText()).isEqualTo("shop-model");
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(5);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.7);
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.path("top_k").asInt()).isEqualTo(40);
        assertThat(body.path("repetition_penalty").asDouble()).isEqualTo(1.1);
        assertThat(body.path("seed").asLong()).isEqualTo(42);
        assertThat(body.path("stop").get(0).asText()).isEqualTo("END");
        assertThat(body.path("logprobs").asBoolean()).isTrue();
        assertThat(body.has("stream")).isFalse();
    }

    @Test
    void stopSequencesAndLengthMapToFinishReasons() {
        try (RemoteChatModel model = model(config().build())) {
            ChatResponse stopped = model.chat(ChatRequest.builder().addUser("Is it red or blue?")
                    .parameters(GenerationParameters.builder().stopSequences(List.of(" red")).build()).build());
            assertThat(stopped.text()).isEqualTo("Echo: Is it");
            assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);

            ChatResponse cut = model.chat(ChatRequest.builder().addUser("tell me more")
                    .parameters(GenerationParameters.builder().maxNewTokens(4).build()).build());
            assertThat(cut.text()).isEqualTo("tell me more tell");
            assertThat(cut.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(cut.usage().completionTokens()).isEqualTo(4);
            assertThat(cut.usage().promptTokens()).isEqualTo(3);
        }
    }

    @Test
    void adapterIsSentAsTheModelName() {
        try (RemoteChatModel model = model(config().build())) {
            model.chat(ChatRequest.builder().addUser("Hi?").adapter("shop-lora").build());
        }
        assertThat(server.received().get(0).body().path("model").asText()).isEqualTo("shop-lora");
    }
}
