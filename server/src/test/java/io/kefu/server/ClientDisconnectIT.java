package io.kefu.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole (not streamed) answer whose client hangs up stops being generated at once, not at the request timeout, and
 * frees its place in the batch; watching for that leaves ordinary keep-alive connections working.
 */
class ClientDisconnectIT {
    static final String COMPLETION = "{\"messages\": [{\"role\": \"user\", \"content\": \"M码有货吗?\"}]}";
    static final String CHAT = "{\"question\": \"M码有货吗?\", \"productId\": \"1001\"}";

    @TempDir
    Path temp;

    KefuServer start(SlowModel model) {
        return KefuServer.start(ServerConfig.builder().baseModel(model).storeUrl("jdbc:h2:file:" + temp.resolve("db/shop"))
                .shopFolder(RulesServerIT.SHOP).port(0).maxBatch(1).queueCapacity(4).requestTimeout(Duration.ofMinutes(5))
                .drainTimeout(Duration.ofSeconds(5)).build());
    }

    @Test
    void aCompletionWhoseClientHangsUpIsCancelledAtOnce() throws Exception {
        hangUpWhileGenerating("/v1/chat/completions", COMPLETION);
    }

    @Test
    void aShopChatWhoseClientHangsUpIsCancelledAtOnce() throws Exception {
        hangUpWhileGenerating("/chat", CHAT);
    }

    private void hangUpWhileGenerating(String path, String body) throws Exception {
        SlowModel model = new SlowModel();
        model.chatDelay = Duration.ofMinutes(2);
        try (KefuServer server = start(model)) {
            Http http = new Http(server.port());
            try (Socket socket = connect(server)) {
                send(socket, path, body);
                awaitTrue(() -> model.started.get() == 1, "the request to be generating");
            }
            awaitTrue(() -> HttpSurfaceIT.running(http) == 0, "the generation to stop after the client hung up");
            assertThat(model.interrupted.get()).isEqualTo(1);
            assertThat(http.get("/metrics").body()).contains("kefu_requests_total{endpoint=\"" + path + "\",status=\"499\"} 1");
            // the place is free again: the next request is answered
            model.chatDelay = Duration.ZERO;
            Http.Reply next = http.post(path, body);
            assertThat(next.status()).as(next.body()).isEqualTo(200);
        }
    }

    @Test
    void aKeepAliveConnectionStillCarriesOneRequestAfterAnother() throws Exception {
        SlowModel model = new SlowModel();
        model.chatDelay = Duration.ofMillis(300);
        try (KefuServer server = start(model); Socket socket = connect(server)) {
            BufferedReader in = reader(socket);
            for (int i = 0; i < 3; i++) {
                send(socket, "/v1/chat/completions", COMPLETION);
                Response response = Response.read(in);
                assertThat(response.status).as(response.head.toString()).isEqualTo(200);
                assertThat(response.body).contains("chat.completion");
                assertThat(response.head).noneMatch(h -> h.equalsIgnoreCase("Connection: close"));
            }
            assertThat(model.interrupted.get()).isZero();
        }
    }

    @Test
    void aRequestPipelinedWhileTheFirstIsGeneratedClosesTheConnectionAfterTheFirstAnswer() throws Exception {
        SlowModel model = new SlowModel();
        model.chatDelay = Duration.ofMillis(1500);
        try (KefuServer server = start(model); Socket socket = connect(server)) {
            Http http = new Http(server.port());
            send(socket, "/v1/chat/completions", COMPLETION);
            awaitTrue(() -> model.started.get() == 1, "the first request to be generating");
            send(socket, "/v1/chat/completions", COMPLETION);
            BufferedReader in = reader(socket);
            Response first = Response.read(in);
            assertThat(first.status).isEqualTo(200);
            assertThat(first.head).anyMatch(h -> h.equalsIgnoreCase("Connection: close"));
            assertThat(in.readLine()).as("the connection closes after the first answer").isNull();
            assertThat(model.interrupted.get()).isZero();
        }
    }

    static Socket connect(KefuServer server) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setSoTimeout(60_000);
        return socket;
    }

    static void send(Socket socket, String path, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + socket.getPort() + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.write(bytes);
        out.flush();
    }

    static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s for " + what).isLessThan(until);
            Thread.sleep(20);
        }
    }

    /** One HTTP/1.1 answer with a Content-Length body, read off a kept-alive connection. */
    record Response(int status, List<String> head, String body) {
        static Response read(BufferedReader in) throws IOException {
            List<String> head = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                head.add(line);
            }
            assertThat(head).as("an answer").isNotEmpty();
            int length = head.stream().filter(h -> h.regionMatches(true, 0, "Content-Length:", 0, 15))
                    .mapToInt(h -> Integer.parseInt(h.substring(15).trim())).findFirst().orElseThrow();
            char[] body = new char[length];
            for (int read = 0; read < length; ) {
                int n = in.read(body, read, length - read);
                assertThat(n).as("body bytes").isPositive();
                read += n;
            }
            String text = new String(new String(body).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            return new Response(Integer.parseInt(head.get(0).split(" ", 3)[1]), head, text);
        }
    }
}
