package io.kefu.chat;

import java.util.List;

/**
 * A piece of a streamed answer. Text deltas never split a UTF-8 character: a token that ends
 * inside a multi-byte character is held back until the character is complete.
 *
 * @param text the new text (may be empty when a token only started a character)
 * @param tokenIds the tokens this chunk covers
 * @param logprobs their log-probabilities when requested, else empty
 */
public record ChatChunk(String text, List<Integer> tokenIds, List<TokenLogprob> logprobs) {
    /** Copies the lists. */
    public ChatChunk {
        java.util.Objects.requireNonNull(text, "text");
        tokenIds = List.copyOf(tokenIds);
        logprobs = List.copyOf(logprobs);
    }
}
