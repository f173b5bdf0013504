package io.kefu.chat;

/**
 * Token counts of one request.
 *
 * @param promptTokens tokens in the rendered prompt
 * @param completionTokens tokens generated
 */
public record Usage(int promptTokens, int completionTokens) {
    /** @return prompt plus completion tokens */
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
