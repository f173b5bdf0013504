package io.kefu.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.KefuCli;
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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kefu serve --config serve.yaml} started as a user would, over real HTTP on loopback: the file sets every kind
 * of setting, the command line overrides some, the effective configuration is printed with secrets masked, and the
 * file's banned claims, hand-off keywords and served model name change what the server answers.
 */
class ServeConfigIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "k-config-789";

    @TempDir
    Path dir;

    record Served(URI base, StringWriter out) {
    }

    /** Starts {@code kefu serve ARGS} on a daemon thread (it runs until the JVM ends) and waits until it listens. */
    static Served serve(String... args) throws Exception {
        StringWriter out = new StringWriter();
        Thread serve = new Thread(() -> KefuCli.run(args, new PrintWriter(out, true), new PrintWriter(out, true)), "kefu-serve-config-it");
        serve.setDaemon(true);
        serve.start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (!out.toString().contains("listening on") && serve.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        String printed = out.toString();
        assertThat(printed).contains("listening on http://127.0.0.1:");
        String port = printed.substring(printed.indexOf("listening on http://127.0.0.1:") + "listening on http://127.0.0.1:".length()).split("[ \\n]")[0];
        return new Served(URI.create("http://127.0.0.1:" + port), out);
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static HttpResponse<String> send(URI uri, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + KEY);
        b = json == null ? b.GET() : b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static JsonNode chat(URI base, String question) throws Exception {
        HttpResponse<String> r = send(base.resolve("/chat"), JSON.writeValueAsString(java.util.Map.of("question", question, "productId", "1001")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void theFileConfiguresTheServerFlagsOverrideItAndSecretsAreNotPrinted() throws Exception {
        Files.writeString(dir.resolve("key"), KEY + "\n");
        int filePort = freePort();
        int flagPort = freePort();
        Path config = dir.resolve("serve.yaml");
        Files.writeString(config, String.join("\n",
                "# kefu serve settings",
                "engine: rules",
                "shop: " + ServeCommandIT.SHOP,
                "store: \"jdbc:h2:file:" + dir.resolve("store/shop") + ";PASSWORD=s3cret-pw\"",
                "port: " + filePort,
                "max-batch: 4",
                "timeout: 30",
                "retention-days: 30",
                "api-key-file: " + dir.resolve("key"),
                "allowed-host: [shop.example.com, kefu.internal]",
                "served-model-name: [zhiyu-kefu, kefu]",
                "min-logprob: -3.5",
                "assistant:",
                "  persona: \"你是{shop}的小助手,回答简短。\"",
                "  history-turns: 4",
                "compliance:",
                "  banned-claims:",
                "    当前活动: 正在进行的活动",
                "    绝无仅有: ~",
                "handoff:",
                "  keywords: [退货地址]",
                "  desk-hours: \"00:00-23:59\"",
                "  desk-time-zone: Asia/Shanghai",
                ""));

        Served served = serve("serve", "--config", config.toString(), "--port", String.valueOf(flagPort), "--max-batch", "2");
        String printed = served.out().toString();

        assertThat(served.base().getPort()).as("the flag wins over the file").isEqualTo(flagPort);
        assertThat(printed).contains("# kefu serve: effective configuration (--config " + config)
                .contains("  port: " + flagPort + "    # flag")
                .contains("  max-batch: 2    # flag")
                .contains("  timeout: 30    # file")
                .contains("  retention-days: 30    # file")
                .contains("  queue: 64    # default")
                .contains("  engine: \"rules\"    # file")
                .contains("  allowed-host: [\"shop.example.com\", \"kefu.internal\"]    # file")
                .contains("  served-model-name: [\"zhiyu-kefu\", \"kefu\"]    # file")
                .contains("  min-logprob: -3.5    # file")
                .contains("PASSWORD=<redacted>")
                .contains("    persona: \"你是{shop}的小助手,回答简短。\"")
                .contains("    history-turns: 4")
                .contains("    \"当前活动\": \"正在进行的活动\"")
                .contains("    \"绝无仅有\": ~")
                .contains("    \"最低价\": ~")
                .contains("    keywords: [\"举报\", \"虚假宣传\", \"投诉\"")
                .contains("\"退货地址\"]")
                .contains("    desk-hours: \"00:00-23:59\"")
                .contains("    desk-time-zone: Asia/Shanghai");
        assertThat(printed).doesNotContain("s3cret-pw").doesNotContain(KEY);

        // the file's rules at work
        JsonNode promotion = chat(served.base(), "有什么优惠活动吗?");
        assertThat(promotion.get("answer").asText()).contains("正在进行的活动").doesNotContain("当前活动");
        JsonNode report = chat(served.base(), "我要举报你们虚假宣传");
        assertThat(report.get("handoff").asBoolean()).isTrue();
        assertThat(report.get("reason").asText()).isEqualTo("complaint");
        assertThat(chat(served.base(), "退货地址发我一下").get("handoff").asBoolean()).isTrue();
        assertThat(chat(served.base(), "面料是什么?").get("handoff").asBoolean()).isFalse();

        HttpResponse<String> models = send(served.base().resolve("/v1/models"), null);
        List<String> ids = new ArrayList<>();
        JSON.readTree(models.body()).get("data").forEach(m -> ids.add(m.get("id").asText()));
        assertThat(ids).containsExactly("zhiyu-kefu", "kefu");
        HttpResponse<String> completion = send(served.base().resolve("/v1/chat/completions"),
                "{\"model\": \"kefu\", \"messages\": [{\"role\": \"user\", \"content\": \"发货快吗\"}]}");
        assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(served.base().resolve("/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("the key from the file's api-key-file").isEqualTo(401);
    }
}
