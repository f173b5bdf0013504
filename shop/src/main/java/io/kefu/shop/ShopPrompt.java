package io.kefu.shop;

import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the prompt a shop's assistant answers: a system persona, then one user message holding the
 * customer's question and the rendered facts. Training examples have exactly this shape (Alpaca
 * {@code system} = persona, {@code instruction} = question, {@code input} = facts, joined by a newline
 * into the user message as LLaMA-Factory does), so serving and training prompts agree token for token.
 */
public final class ShopPrompt {
    /**
     * The request metadata key holding the customer's question as typed: the policies and the rules
     * baseline read the question from it rather than cutting it out of the prompt.
     */
    public static final String QUESTION = "question";

    private ShopPrompt() {
    }

    /**
     * An earlier turn of the conversation.
     *
     * @param question what the customer asked
     * @param answer what the shop answered
     */
    public record Turn(String question, String answer) {
    }

    /** @return the system persona of the shop's assistant ({@link Persona#DEFAULT}) */
    public static String persona(String shopName) {
        return Persona.DEFAULT.render(shopName);
    }

    /**
     * @return the user message: the question with imitations of the facts header neutralised
     *     ({@link CustomerText}), a newline, the facts text (the question alone when facts are empty)
     */
    public static String userMessage(String question, String facts) {
        String asked = CustomerText.neutralise(question);
        return facts.isEmpty() ? asked : asked + "\n" + facts;
    }

    /**
     * The request for a customer's question about a product, as a server sends it: persona, earlier
     * turns (their questions neutralised too), the question with the facts, and beside the prompt the
     * facts themselves (an attachment) and the question as typed ({@link #QUESTION} metadata), so the
     * policies never read either back out of text.
     *
     * @param history earlier turns, oldest first
     */
    public static ChatRequest.Builder request(ProductFacts facts, List<Turn> history, String question) {
        return request(Persona.DEFAULT, facts, history, question);
    }

    /** As {@link #request(ProductFacts, List, String)}, with the system message from {@code persona}. */
    public static ChatRequest.Builder request(Persona persona, ProductFacts facts, List<Turn> history, String question) {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(persona.render(facts.shopName())));
        for (Turn turn : history) {
            messages.add(ChatMessage.user(CustomerText.neutralise(turn.question())));
            messages.add(ChatMessage.assistant(turn.answer()));
        }
        messages.add(ChatMessage.user(userMessage(question, FactsRenderer.render(facts))));
        return ChatRequest.builder().messages(messages).attach(facts).metadata(QUESTION, question);
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
