package io.kefu.runtime.generate;

import io.kefu.chat.GenerationParameters;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * When one sequence ends: on a stop token (the checkpoint's {@code generation_config.json} EOS ids
 * and the chat template's end-of-turn id), on a stop string found in the decoded text, or after
 * {@code maxNewTokens}. Immutable and thread-safe.
 */
public final class StopCondition {
    private final Set<Integer> stopTokenIds;
    private final List<String> stopStrings;
    private final int maxNewTokens;
    private final int longestStopString;

    /**
     * @param stopTokenIds token ids that end the answer (not part of it)
     * @param stopStrings strings that end the answer when they appear in its text (cut off with what follows)
     * @param maxNewTokens the most tokens to generate, at least 1
     */
    public StopCondition(Collection<Integer> stopTokenIds, List<String> stopStrings, int maxNewTokens) {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens=" + maxNewTokens + " must be at least 1");
        }
        this.stopTokenIds = Set.copyOf(new TreeSet<>(stopTokenIds));
        this.stopStrings = List.copyOf(stopStrings);
        this.maxNewTokens = maxNewTokens;
        int longest = 0;
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
            longest = Math.max(longest, s.length());
        }
        this.longestStopString = longest;
    }

    /**
     * @param params the request's max new tokens and stop sequences
     * @param stopTokenIds the model's EOS ids plus the template's end-of-turn id (see {@link #stopTokenIds})
     */
    public static StopCondition of(GenerationParameters params, Collection<Integer> stopTokenIds) {
        return new StopCondition(stopTokenIds, params.stopSequences(), params.maxNewTokens());
    }

    /**
     * Gathers the ids generation stops on: the checkpoint's EOS ids ({@code generation_config.json},
     * else config.json) and the id of the template's end-of-turn token, when the tokenizer has one.
     */
    public static Set<Integer> stopTokenIds(Collection<Integer> eosTokenIds, java.util.OptionalInt endOfTurnId) {
        TreeSet<Integer> ids = new TreeSet<>(eosTokenIds);
        endOfTurnId.ifPresent(ids::add);
        return Set.copyOf(ids);
    }

    /** @return whether the token ends the answer */
    public boolean isStopToken(int tokenId) {
        return stopTokenIds.contains(tokenId);
    }

    /** @return the stop token ids */
    public Set<Integer> stopTokenIds() {
        return stopTokenIds;
    }

    /** @return the stop strings */
    public List<String> stopStrings() {
        return stopStrings;
    }

    /** @return the most tokens to generate */
    public int maxNewTokens() {
        return maxNewTokens;
    }

    /**
     * Finds the earliest stop string in {@code text}, looking only at matches that end at or after
     * {@code searchFrom} (text before it was already checked).
     *
     * @return the index where the earliest stop string starts, or -1
     */
    public int findStopString(String text, int searchFrom) {
        int from = Math.max(0, searchFrom - longestStopString + 1);
        int best = -1;
        for (String stop : stopStrings) {
            int i = text.indexOf(stop, from);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /**
     * @return how many trailing characters of streamed text to hold back because they might be the
     *     beginning of a stop string (the longest suffix of {@code text} that is a proper prefix of one)
     */
    public int pendingStopPrefix(String text) {
        int hold = 0;
        for (String stop : stopStrings) {
            for (int len = Math.min(stop.length() - 1, text.length()); len > hold; len--) {
                if (text.regionMatches(text.length() - len, stop, 0, len)) {
                    hold = len;
                    break;
                }
            }
        }
        return hold;
    }
}
