package io.kefu.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kefu serve} started as a user would, answering over HTTP from a store it creates and loads itself. */
class ServeCommandIT {
    @TempDir
    Path dir;

    @Test
    void servesTheShopWithAKey() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("key"), "k-123\n");
        Path shop = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "shop");
        StringWriter out = new StringWriter();
        Thread serve = new Thread(() -> KefuCli.run(new String[] {"serve", "--engine", "rules", "--port", String.valueOf(port),
                "--store", "jdbc:h2:file:" + dir.resolve("store/shop"), "--shop", shop.toString(), "--api-key-file", dir.resolve("key").toString()},
                new PrintWriter(out, true), new PrintWriter(out, true)), "kefu-serve-it");
        serve.setDaemon(true);
        serve.start();
        HttpClient client = HttpClient.newHttpClient();
        URI base = URI.create("http://127.0.0.1:" + port);
        long deadline = System.currentTimeMillis() + 60_000;
        while (!out.toString().contains("listening on") && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(out.toString()).contains("listening on http://127.0.0.1:" + port);
        HttpRequest chat = HttpRequest.newBuilder(base.resolve("/chat")).header("Authorization", "Bearer k-123")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\": \"雾蓝M码有货吗?\", \"productId\": \"1001\"}", StandardCharsets.UTF_8)).build();
        HttpResponse<String> r = client.send(chat, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("雾蓝M码有货");
        HttpResponse<String> noKey = client.send(HttpRequest.newBuilder(base.resolve("/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(Files.exists(dir.resolve("store/shop.mv.db"))).isTrue();
    }
}
