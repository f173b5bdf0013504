package io.kefu.chat;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A finished answer.
 *
 * @param text the answer, without end-of-turn tokens or stop sequences
 * @param finishReason why generation ended
 * @param usage token counts
 * @param promptTokenIds the rendered prompt's token ids (empty when the engine does not expose them)
 * @param tokenIds the generated token ids, excluding the stop token (empty when not exposed)
 * @param logprobs per-token log-probabilities when requested, else empty
 * @param latency wall time from request to last token
 */
public record ChatResponse(String text, FinishReason finishReason, Usage usage, List<Integer> promptTokenIds,
                           List<Integer> tokenIds, List<TokenLogprob> logprobs, Duration latency) {
    /** Copies the lists and checks for nulls. */
    public ChatResponse {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        promptTokenIds = List.copyOf(promptTokenIds);
        tokenIds = List.copyOf(tokenIds);
        logprobs = List.copyOf(logprobs);
        Objects.requireNonNull(latency, "latency");
    }

    /** @return a response carrying only text (for models that do not deal in tokens, such as rules) */
    public static ChatResponse ofText(String text, Duration latency) {
        return new ChatResponse(text, FinishReason.STOP, new Usage(0, 0), List.of(), List.of(), List.of(), latency);
    }

    /** @return generated tokens per second, or 0 when unknown */
    public double tokensPerSecond() {
        double seconds = latency.toNanos() / 1e9;
        return seconds > 0 ? usage.completionTokens() / seconds : 0;
    }
}
