package com.example.shop;

import dev.langchain4j.model.chat.ChatModel;
import io.kefu.engine.remote.RemoteConfig;
import io.kefu.engine.remote.RemoteEngine;
import io.kefu.langchain4j.KefuChatModel;
import io.kefu.model.BaseModel;
import java.time.Duration;

/**
 * Asks a shop's customer-service model served elsewhere, through LangChain4j's {@code ChatModel}.
 *
 * <p>Run against any OpenAI-compatible server, e.g. {@code kefu serve} on port 8000:
 * {@code java com.example.shop.ShopClient http://127.0.0.1:8000/v1 "连衣裙有S码吗?"}
 */
public final class ShopClient {
    private ShopClient() {
    }

    /** Sends one question to the server at {@code baseUrl} (its API root, ending in /v1) and returns the answer. */
    public static String ask(String baseUrl, String question) {
        RemoteEngine engine = new RemoteEngine();
        RemoteConfig config = RemoteConfig.builder(baseUrl).requestTimeout(Duration.ofSeconds(30)).build();
        try (BaseModel endpoint = engine.load(config);
             io.kefu.chat.ChatModel kefu = engine.chatModel(endpoint)) {
            ChatModel langchain = KefuChatModel.of(kefu);
            return langchain.chat(question);
        }
    }

    public static void main(String[] args) {
        String baseUrl = args.length > 0 ? args[0] : "http://127.0.0.1:8000/v1";
        String question = args.length > 1 ? args[1] : "连衣裙有S码吗?";
        System.out.println(ask(baseUrl, question));
    }
}
