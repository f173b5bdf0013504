package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.shop.rules.RulesChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hardened HTTP surface over real HTTP on loopback (rules baseline, H2 store): JSON-only bodies, the Host check,
 * request ids, generic engine errors, valid SSE to the end, and whole answers cancelled at their timeout.
 */
class HttpSurfaceIT {
    /** What an engine's failure may carry that a client must never see. */
    static final String SECRET_URL = "http://10.9.8.7:8000/v1";
    static final String SECRET_ENV = "KEFU_REMOTE_API_KEY";

    @TempDir
    static Path temp;
    static KefuServer server;
    static Http http;
    static int stores;

    @BeforeAll
    static void start() {
        server = start(new RulesChatModel(), b -> b.allowedHost("shop.example.com"));
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static KefuServer start(io.kefu.chat.ChatModel model, Consumer<ServerConfig.Builder> settings) {
        ServerConfig.Builder b = ServerConfig.builder().baseModel(model).storeUrl("jdbc:h2:file:" + temp.resolve("db" + stores++ + "/shop"))
                .shopFolder(RulesServerIT.SHOP).port(0).drainTimeout(Duration.ofSeconds(5));
        settings.accept(b);
        return KefuServer.start(b.build());
    }

    /** Sends one raw HTTP/1.1 request (so that Host can be anything) and reads the whole answer. */
    static String raw(int port, String head, String body) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write((head + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int status(String response) {
        return Integer.parseInt(response.split(" ", 3)[1]);
    }

    static JsonNode jsonBody(String response) throws IOException {
        return Http.JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    static String chatWithHost(String host) throws IOException {
        String head = "POST /chat HTTP/1.1\r\n" + (host == null ? "" : "Host: " + host + "\r\n") + "Content-Type: application/json\r\n";
        return raw(server.port(), head, "{\"question\": \"M码有货吗?\", \"productId\": \"1001\"}");
    }

    @Test
    void aBodyMustBeJson() {
        Http.Reply form = http.send(http.request("/chat").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\": \"M码有货吗?\"}")).build());
        assertThat(form.status()).as(form.body()).isEqualTo(415);
        assertThat(form.json().at("/error/param").asText()).isEqualTo("Content-Type");
        assertThat(form.json().at("/error/message").asText()).contains("application/json").contains("application/x-www-form-urlencoded");

        Http.Reply plain = http.send(http.request("/v1/chat/completions").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(plain.status()).isEqualTo(415);
        Http.Reply none = http.send(http.request("/events").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(none.status()).isEqualTo(415);
        assertThat(none.json().at("/error/message").asText()).contains("got none");

        Http.Reply json = http.send(http.request("/chat").header("Content-Type", "application/json; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\": \"M码有货吗?\", \"productId\": \"1001\"}")).build());
        assertThat(json.status()).as(json.body()).isEqualTo(200);
    }

    @Test
    void theHostHeaderMustNameThisServer() throws IOException {
        int port = server.port();
        assertThat(status(chatWithHost("127.0.0.1:" + port))).isEqualTo(200);
        assertThat(status(chatWithHost("localhost:" + port))).isEqualTo(200);
        assertThat(status(chatWithHost("shop.example.com"))).as("a configured name").isEqualTo(200);
        assertThat(status(chatWithHost("SHOP.example.com:443"))).isEqualTo(200);

        // DNS rebinding: the attacker's name resolves to 127.0.0.1, the browser sends it in Host
        String rebound = chatWithHost("attacker.example:" + port);
        assertThat(status(rebound)).isEqualTo(421);
        JsonNode error = jsonBody(rebound).get("error");
        assertThat(error.get("param").asText()).isEqualTo("Host");
        assertThat(error.get("message").asText()).contains("attacker.example").contains("--allowed-host");
        assertThat(status(chatWithHost("127.0.0.1:" + (port == 65535 ? 1 : port + 1)))).as("another port").isEqualTo(421);
        assertThat(status(chatWithHost("127.0.0.1"))).as("no port").isEqualTo(421);
        assertThat(status(chatWithHost("localhost.attacker.example:" + port))).isEqualTo(421);
        assertThat(status(raw(port, "GET /health HTTP/1.1\r\nHost: attacker.example:" + port + "\r\n", ""))).isEqualTo(421);

        String noHost = raw(port, "POST /chat HTTP/1.0\r\nContent-Type: application/json\r\n", "{\"question\": \"M码有货吗?\"}");
        assertThat(status(noHost)).isEqualTo(400);
        assertThat(jsonBody(noHost).at("/error/param").asText()).isEqualTo("Host");
    }

    @Test
    void everyAnswerCarriesItsOwnRequestId() {
        Http.Reply a = http.get("/health");
        Http.Reply b = http.post("/chat", "{\"question\": 1}");
        String idA = a.raw().headers().firstValue("X-Request-Id").orElseThrow();
        String idB = b.raw().headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(idA).matches("[0-9a-f]{32}");
        assertThat(idB).matches("[0-9a-f]{32}").isNotEqualTo(idA);
    }

    @Test
    void anEngineFailureIs502AndAnUnavailableEngine503WithoutItsDetail() {
        SlowModel model = new SlowModel();
        try (KefuServer failing = start(model, b -> { })) {
            Http client = new Http(failing.port());
            model.failure = new KefuException(ErrorCode.REMOTE, "request to " + SECRET_URL + " failed: 500; is " + SECRET_ENV + " set?");
            Http.Reply chat = client.post("/chat", RulesServerIT.ask("M码有货吗?", "1001", null));
            assertGeneric(chat, 502, "engine_error");
            Http.Reply completion = client.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "hi"))));
            assertGeneric(completion, 502, "engine_error");

            model.failure = new KefuException(ErrorCode.ENGINE_UNAVAILABLE, "cannot reach " + SECRET_URL + "; set " + SECRET_ENV);
            assertGeneric(client.post("/chat", RulesServerIT.ask("M码有货吗?", "1001", null)), 503, "unavailable");
        }
    }

    static void assertGeneric(Http.Reply reply, int status, String type) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        String id = reply.raw().headers().firstValue("X-Request-Id").orElseThrow();
        JsonNode error = reply.json().get("error");
        assertThat(error.get("type").asText()).isEqualTo(type);
        assertThat(error.get("message").asText()).contains("request id " + id);
        assertThat(reply.body()).doesNotContain("10.9.8.7").doesNotContain(SECRET_ENV).doesNotContain("Exception");
    }

    @Test
    void anErrorAfterTheStreamBeganEndsItWithAnErrorEventAndDone() throws IOException {
        SlowModel model = new SlowModel();
        model.failAfterChunks = 2;
        model.failure = new KefuException(ErrorCode.ENGINE_FAILURE, "CUDA error at " + SECRET_URL);
        try (KefuServer failing = start(model, b -> { })) {
            Http.Reply sse = new Http(failing.port()).post("/v1/chat/completions", Map.of("stream", true,
                    "messages", List.of(Map.of("role", "user", "content", "M码有货吗?"))));
            assertThat(sse.status()).isEqualTo(200);
            List<JsonNode> events = assertValidSse(sse.body());
            JsonNode error = events.get(events.size() - 1).get("error");
            assertThat(error.get("type").asText()).isEqualTo("engine_error");
            assertThat(error.get("code").asInt()).isEqualTo(502);
            assertThat(error.get("message").asText()).contains("request id " + sse.raw().headers().firstValue("X-Request-Id").orElseThrow());
            assertThat(sse.body()).doesNotContain("10.9.8.7").doesNotContain("CUDA");
            assertThat(events.subList(0, events.size() - 1)).allSatisfy(e -> assertThat(e.has("error")).isFalse());
            assertThat(events).noneSatisfy(e -> assertThat(e.at("/choices/0/finish_reason").isTextual()).isTrue());
        }
    }

    @Test
    void aStreamCutByTheDeadlineSaysSoInItsLastEvent() throws IOException {
        SlowModel model = new SlowModel();
        model.endless = true;
        model.chunkDelay = Duration.ofMillis(50);
        try (KefuServer slow = start(model, b -> b.requestTimeout(Duration.ofSeconds(1)))) {
            Http.Reply sse = new Http(slow.port()).post("/v1/chat/completions", Map.of("stream", true,
                    "messages", List.of(Map.of("role", "user", "content", "M码有货吗?"))));
            List<JsonNode> events = assertValidSse(sse.body());
            assertThat(events.size()).as("some content came before the deadline").isGreaterThan(2);
            JsonNode last = events.get(events.size() - 1);
            assertThat(last.at("/error/type").asText()).isEqualTo("timeout");
            assertThat(last.at("/error/code").asInt()).isEqualTo(504);
            assertThat(events).as("no chunk claims the answer ended normally")
                    .noneSatisfy(e -> assertThat(e.at("/choices/0/finish_reason").isTextual()).isTrue());
            assertThat(model.cancelled.get()).as("the generation was cancelled").isEqualTo(1);
        }
    }

    /** @return the events' JSON, [DONE] last and left out; every line is a data line or blank */
    static List<JsonNode> assertValidSse(String body) throws IOException {
        assertThat(body).endsWith("data: [DONE]\n\n");
        List<String> lines = body.lines().toList();
        assertThat(lines).allSatisfy(l -> assertThat(l.isEmpty() || l.startsWith("data: ")).as(l).isTrue());
        List<String> data = lines.stream().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(data.stream().filter(d -> d.equals("[DONE]")).count()).isEqualTo(1);
        java.util.ArrayList<JsonNode> events = new java.util.ArrayList<>();
        for (String d : data.subList(0, data.size() - 1)) {
            events.add(Http.JSON.readTree(d));
        }
        return events;
    }

    @Test
    void aWholeAnswerPastItsTimeoutIsCancelledAndFreesItsPlace() throws Exception {
        SlowModel model = new SlowModel();
        model.chatDelay = Duration.ofSeconds(60);
        try (KefuServer slow = start(model, b -> b.maxBatch(1).queueCapacity(1).requestTimeout(Duration.ofMillis(500)))) {
            Http client = new Http(slow.port());
            Map<String, Object> body = Map.of("messages", List.of(Map.of("role", "user", "content", "M码有货吗?")));
            long start = System.nanoTime();
            Http.Reply late = client.post("/v1/chat/completions", body);
            assertThat(late.status()).as(late.body()).isEqualTo(504);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
            // the generation was stopped, so its place in the batch is free again long before the model's 60 s
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (running(client) > 0 && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(running(client)).isZero();
            assertThat(model.interrupted.get()).isEqualTo(1);
            model.chatDelay = Duration.ZERO;
            Http.Reply next = client.post("/v1/chat/completions", body);
            assertThat(next.status()).as(next.body()).isEqualTo(200);
        }
    }

    static int running(Http client) {
        return client.get("/metrics").body().lines().filter(l -> l.startsWith("kefu_generations_running "))
                .mapToInt(l -> (int) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElseThrow();
    }
}
