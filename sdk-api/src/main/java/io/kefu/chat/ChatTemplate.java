package io.kefu.chat;

import java.util.List;
import java.util.Map;

/**
 * Turns a conversation into the exact prompt text a model was trained on, as Hugging Face
 * transformers' {@code apply_chat_template} does with the model's own {@code chat_template}.
 * Training and serving use the same instance, so a tuned model sees the same text in both.
 */
public interface ChatTemplate {
    /**
     * Renders a conversation.
     *
     * @param messages the conversation
     * @param addGenerationPrompt whether to append the header that starts the assistant's turn
     * @return the prompt text, including special-token strings such as {@code <|im_start|>}
     */
    default String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders a conversation with extra template variables (for example {@code enable_thinking}
     * or {@code date_string}), as keyword arguments to {@code apply_chat_template} would.
     */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables);

    /**
     * @return the text that closes an assistant turn in this template (for example
     *     {@code <|eot_id|>} or {@code <|im_end|>}); generation stops on it
     */
    String endOfTurn();

    /** @return the Jinja source of the template */
    String source();
}
