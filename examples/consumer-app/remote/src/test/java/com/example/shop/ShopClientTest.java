package com.example.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs {@link ShopClient} against a tiny OpenAI-compatible server on loopback (the JDK's HTTP server). */
class ShopClientTest {
    private static final String ANSWER = "亲,S码有货哦~";

    @Test
    void asksTheServerThroughLangChain4j() throws IOException {
        List<String> requests = Collections.synchronizedList(new ArrayList<>());
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/models", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            reply(exchange, "{\"object\":\"list\",\"data\":[{\"id\":\"shop-model\",\"object\":\"model\"}]}");
        });
        server.createContext("/v1/chat/completions", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + body);
            reply(exchange, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"shop-model\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + ANSWER + "\"},"
                    + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4,\"total_tokens\":9}}");
        });
        server.start();
        try {
            String answer = ShopClient.ask("http://127.0.0.1:" + server.getAddress().getPort() + "/v1", "连衣裙有S码吗?");
            System.out.println("answer: " + answer);
            assertEquals(ANSWER, answer);
            assertTrue(requests.stream().anyMatch(r -> r.startsWith("POST /v1/chat/completions") && r.contains("连衣裙有S码吗?")),
                    () -> "the question went to /v1/chat/completions: " + requests);
        } finally {
            server.stop(0);
        }
    }

    private static void reply(HttpExchange exchange, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
