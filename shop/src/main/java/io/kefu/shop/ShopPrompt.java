package io.kefu.shop;

import io.kefu.chat.ChatMessage;
import java.util.List;

/**
 * Builds the prompt a shop's assistant answers: a system persona, then one user message holding the
 * customer's question and the rendered facts. Training examples have exactly this shape (Alpaca
 * {@code system} = persona, {@code instruction} = question, {@code input} = facts, joined by a newline
 * into the user message as LLaMA-Factory does), so serving and training prompts agree token for token.
 */
public final class ShopPrompt {
    private ShopPrompt() {
    }

    /** @return the system persona of the shop's assistant */
    public static String persona(String shopName) {
        return "你是" + shopName + "的客服,语气亲切简短,只依据【店铺信息】回答,不编造;投诉或处理不了的问题转人工客服。";
    }

    /** @return the user message: the question, a newline, the facts text (the question alone when facts are empty) */
    public static String userMessage(String question, String facts) {
        return facts.isEmpty() ? question : question + "\n" + facts;
    }

    /** @return [system persona, user question + facts], ready for {@code ChatRequest.of(...)} */
    public static List<ChatMessage> messages(String shopName, String question, String facts) {
        return List.of(ChatMessage.system(persona(shopName)), ChatMessage.user(userMessage(question, facts)));
    }

    /** @return the prompt for a question about these facts, rendered with {@link FactsRenderer} */
    public static List<ChatMessage> messages(ProductFacts facts, String question) {
        return messages(facts.shopName(), question, FactsRenderer.render(facts));
    }
}
