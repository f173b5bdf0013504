package io.kefu.runtime.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.FinishReason;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.TokenLogprob;
import io.kefu.chat.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/** One row of a batch being generated: its sampler, stop condition, text and tokens so far. */
final class SequenceState {
    private final int[] prompt;
    private final GenerationParameters params;
    private final Sampler sampler;
    private final StopCondition stop;
    private final IncrementalDetokenizer detokenizer;
    private final IntFunction<String> tokenText;
    private final List<Integer> tokenIds = new ArrayList<>();
    private final List<TokenLogprob> logprobs = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    private boolean cutAlready;
    private int completionTokens;
    private int lastToken;
    private FinishReason finishReason;
    private long endNanos;

    SequenceState(int[] prompt, GenerationParameters params, java.util.Set<Integer> stopTokenIds,
                  Function<int[], String> decode, IntFunction<String> tokenText, int spellableIds) {
        this.prompt = prompt.clone();
        this.params = params;
        this.sampler = new Sampler(params, prompt, spellableIds);
        this.stop = StopCondition.of(params, stopTokenIds);
        this.detokenizer = new IncrementalDetokenizer(decode);
        this.tokenText = tokenText;
        this.lastToken = prompt[prompt.length - 1];
    }

    /**
     * A row for a prompt, after checking that a decoder with this vocabulary and length can take it.
     *
     * @param label how error messages name the prompt, e.g. {@code "prompt 3"}
     * @throws KefuException {@link ErrorCode#INVALID_REQUEST} on an empty or overlong prompt or an id
     *     outside the vocabulary
     */
    static SequenceState checked(String label, int[] prompt, GenerationParameters params, GenerationLoop loop,
                                 int vocabSize, int maxSequenceLength) {
        if (prompt == null || prompt.length == 0) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, label + " has no tokens");
        }
        if (prompt.length >= maxSequenceLength) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, label + " has " + prompt.length
                    + " tokens; the model holds at most " + maxSequenceLength + " positions, leaving no room for an answer");
        }
        for (int id : prompt) {
            if (id < 0 || id >= vocabSize) {
                throw new KefuException(ErrorCode.INVALID_REQUEST, label + " holds token id " + id
                        + ", outside the vocabulary of " + vocabSize);
            }
        }
        return new SequenceState(prompt, params, loop.stopTokenIds(), loop.decodeFunction(), loop.tokenText(), loop.spellableIds());
    }

    int[] promptIds() {
        return prompt.clone();
    }

    boolean isFinished() {
        return finishReason != null;
    }

    int lastToken() {
        return lastToken;
    }

    /** @return positions this row occupies in the cache after its last sampled token is fed */
    int positionsAfterNextStep() {
        return prompt.length + completionTokens;
    }

    /**
     * Samples the next token from the row's logits and applies the stop rules.
     *
     * @param maxSequenceLength the decoder's limit on prompt plus generated positions
     * @return the chunk to stream (may be null when nothing new is visible)
     */
    ChatChunk advance(float[] logits, int maxSequenceLength) {
        Sampler.Sample sample = sampler.next(logits);
        int id = sample.tokenId();
        completionTokens++;
        lastToken = id;
        if (stop.isStopToken(id)) {
            return finish(FinishReason.STOP, List.of(), List.of());
        }
        tokenIds.add(id);
        List<TokenLogprob> chunkLogprobs = List.of();
        if (params.logprobs()) {
            TokenLogprob lp = new TokenLogprob(id, tokenText.apply(id), sample.logprob());
            logprobs.add(lp);
            chunkLogprobs = List.of(lp);
        }
        int before = text.length();
        text.append(detokenizer.add(id));
        if (cutAtStopString(before)) {
            return finish(FinishReason.STOP, List.of(id), chunkLogprobs);
        }
        if (tokenIds.size() >= stop.maxNewTokens() || positionsAfterNextStep() >= maxSequenceLength) {
            return finish(FinishReason.LENGTH, List.of(id), chunkLogprobs);
        }
        return chunk(false, List.of(id), chunkLogprobs);
    }

    /** Ends the row as cancelled (or failed), keeping the text so far. */
    ChatChunk end(FinishReason reason) {
        return finish(reason, List.of(), List.of());
    }

    /** Ends the row with {@link FinishReason#ERROR} without decoding what is held back (for when decoding failed). */
    void abandon() {
        finishReason = FinishReason.ERROR;
        endNanos = System.nanoTime();
    }

    private ChatChunk finish(FinishReason reason, List<Integer> chunkTokens, List<TokenLogprob> chunkLogprobs) {
        FinishReason why = reason;
        if (!cutAlready) {
            int before = text.length();
            text.append(detokenizer.flush());
            if (cutAtStopString(before) && reason == FinishReason.LENGTH) {
                why = FinishReason.STOP; // the released tail completed a stop string
            }
        }
        finishReason = why;
        endNanos = System.nanoTime();
        return chunk(true, chunkTokens, chunkLogprobs);
    }

    /** Cuts the text at the earliest stop string ending after {@code searchFrom}; @return whether it was cut (now or before) */
    private boolean cutAtStopString(int searchFrom) {
        if (cutAlready || stop.stopStrings().isEmpty()) {
            return cutAlready;
        }
        int at = stop.findStopString(text.toString(), searchFrom);
        if (at < 0) {
            return false;
        }
        text.setLength(Math.max(at, emitted));
        cutAlready = true;
        return true;
    }

    /** @return a chunk with the text that is safe to show now, or null when there is nothing to send */
    private ChatChunk chunk(boolean last, List<Integer> chunkTokens, List<TokenLogprob> chunkLogprobs) {
        int visible = text.length();
        if (!last) {
            visible -= stop.pendingStopPrefix(text.toString());
            if (visible > emitted && Character.isHighSurrogate(text.charAt(visible - 1))) {
                visible--;
            }
        }
        String delta = visible > emitted ? text.substring(emitted, visible) : "";
        emitted = Math.max(emitted, visible);
        if (delta.isEmpty() && chunkTokens.isEmpty()) {
            return null;
        }
        return new ChatChunk(delta, chunkTokens, chunkLogprobs);
    }

    ChatResponse response(long startNanos) {
        List<Integer> promptList = new ArrayList<>(prompt.length);
        for (int id : prompt) {
            promptList.add(id);
        }
        long end = finishReason == null ? System.nanoTime() : endNanos;
        return new ChatResponse(text.toString(), finishReason == null ? FinishReason.ERROR : finishReason,
                new Usage(prompt.length, completionTokens), promptList, tokenIds, logprobs,
                Duration.ofNanos(Math.max(0, end - startNanos)));
    }
}
