package io.kefu.eval.parity;

import io.kefu.chat.ChatResponse;
import io.kefu.chat.FinishReason;
import io.kefu.chat.TokenLogprob;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One request answered by a reference and a candidate system, compared token by token.
 *
 * <p>Log-probabilities are compared only where both systems saw the same context: over the generated
 * tokens before the first token that differs. The problems name the first difference of each kind
 * (prompt ids, generated ids, finish reason, a log-probability beyond the tolerance), so a reader sees
 * where the two systems part.
 *
 * @param label what was asked, for the report
 * @param promptTokens the reference's prompt length in tokens
 * @param referenceTokens tokens the reference generated
 * @param candidateTokens tokens the candidate generated
 * @param firstPromptDifference the first prompt position whose ids differ (or where one prompt ends), -1 when equal
 * @param firstTokenDifference the first generated position whose ids differ (or where one decode ends), -1 when equal
 * @param referenceFinishReason why the reference stopped
 * @param candidateFinishReason why the candidate stopped
 * @param comparedLogprobs how many log-probabilities were compared
 * @param maxLogprobDifference the largest |reference - candidate| log-probability over those, 0 when none
 * @param tolerance the largest log-probability difference that still matches
 * @param matches whether there is no problem
 * @param problems what differs, first difference of each kind, empty when the decodes match
 */
public record DecodeComparison(String label, int promptTokens, int referenceTokens, int candidateTokens,
                               int firstPromptDifference, int firstTokenDifference, FinishReason referenceFinishReason,
                               FinishReason candidateFinishReason, int comparedLogprobs, double maxLogprobDifference,
                               double tolerance, boolean matches, List<String> problems) {
    /** Copies the problems. */
    public DecodeComparison {
        problems = List.copyOf(problems);
    }

    /**
     * @param label what was asked, for the report
     * @param reference the reference system's greedy answer, with token ids and log-probabilities
     * @param candidate the candidate system's answer to the same request
     * @param tolerance the largest log-probability difference that still matches (at least 0)
     */
    public static DecodeComparison of(String label, ChatResponse reference, ChatResponse candidate, double tolerance) {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance " + tolerance + " must be at least 0");
        }
        List<String> problems = new ArrayList<>();
        tokenIdsExposed("reference", reference, problems);
        tokenIdsExposed("candidate", candidate, problems);

        int promptDifference = firstDifference(reference.promptTokenIds(), candidate.promptTokenIds());
        if (promptDifference >= 0) {
            problems.add(String.format(Locale.ROOT, "prompt token ids differ at position %d of %d/%d: reference %s, candidate %s",
                    promptDifference, reference.promptTokenIds().size(), candidate.promptTokenIds().size(),
                    idAt(reference.promptTokenIds(), promptDifference), idAt(candidate.promptTokenIds(), promptDifference)));
        }
        int tokenDifference = firstDifference(reference.tokenIds(), candidate.tokenIds());
        if (tokenDifference >= 0) {
            problems.add(String.format(Locale.ROOT, "generated tokens differ at token %d (the first %d agree): reference %s,"
                    + " candidate %s; reference answer \"%s\", candidate answer \"%s\"", tokenDifference, tokenDifference,
                    tokenAt(reference, tokenDifference), tokenAt(candidate, tokenDifference),
                    shorten(reference.text()), shorten(candidate.text())));
        } else if (reference.finishReason() != candidate.finishReason()) {
            problems.add("finish reasons differ after the same tokens: reference " + reference.finishReason().wireName()
                    + ", candidate " + candidate.finishReason().wireName());
        }

        int comparable = tokenDifference >= 0 ? tokenDifference : reference.tokenIds().size();
        logprobsPresent("reference", reference, problems);
        logprobsPresent("candidate", candidate, problems);
        comparable = Math.min(comparable, Math.min(reference.logprobs().size(), candidate.logprobs().size()));
        double max = 0;
        int worst = -1;
        for (int i = 0; i < comparable; i++) {
            double difference = Math.abs(reference.logprobs().get(i).logprob() - candidate.logprobs().get(i).logprob());
            if (!(difference <= max)) {
                max = difference;
                worst = i;
            }
        }
        if (worst >= 0 && !(max <= tolerance)) {
            problems.add(String.format(Locale.ROOT, "log-probability of token %d (id %d) differs by %.3e, over the tolerance %.1e:"
                    + " reference %.6f, candidate %.6f", worst, reference.logprobs().get(worst).tokenId(), max, tolerance,
                    reference.logprobs().get(worst).logprob(), candidate.logprobs().get(worst).logprob()));
        }
        return new DecodeComparison(label, reference.promptTokenIds().size(), reference.tokenIds().size(),
                candidate.tokenIds().size(), promptDifference, tokenDifference, reference.finishReason(),
                candidate.finishReason(), comparable, max, tolerance, problems.isEmpty(), problems);
    }

    /** @return the label and either "match" with the largest difference, or every problem on its own line */
    public String describe() {
        StringBuilder sb = new StringBuilder(label).append(": ");
        if (matches) {
            return sb.append(String.format(Locale.ROOT, "match (%d prompt tokens, %d generated, %s; max |logprob diff| %.3e)",
                    promptTokens, referenceTokens, referenceFinishReason.wireName(), maxLogprobDifference)).toString();
        }
        sb.append("MISMATCH");
        problems.forEach(p -> sb.append("\n  - ").append(p));
        return sb.toString();
    }

    private static void tokenIdsExposed(String side, ChatResponse response, List<String> problems) {
        if (response.promptTokenIds().isEmpty() || (response.tokenIds().isEmpty() && !response.text().isEmpty())) {
            problems.add("the " + side + " system exposes no token ids; comparing decodes needs an engine that does (djl, onnx)");
        }
    }

    private static void logprobsPresent(String side, ChatResponse response, List<String> problems) {
        if (response.logprobs().size() != response.tokenIds().size()) {
            problems.add("the " + side + " system returned " + response.logprobs().size() + " log-probabilities for "
                    + response.tokenIds().size() + " tokens");
        }
    }

    /** @return the first index where the lists differ, or where the shorter one ends; -1 when equal */
    static int firstDifference(List<Integer> a, List<Integer> b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            if (!a.get(i).equals(b.get(i))) {
                return i;
            }
        }
        return a.size() == b.size() ? -1 : n;
    }

    private static String idAt(List<Integer> ids, int i) {
        return i < ids.size() ? "id " + ids.get(i) : "(ended)";
    }

    private static String tokenAt(ChatResponse response, int i) {
        if (i >= response.tokenIds().size()) {
            return "(stopped: " + response.finishReason().wireName() + ")";
        }
        String id = "id " + response.tokenIds().get(i);
        if (i < response.logprobs().size()) {
            TokenLogprob t = response.logprobs().get(i);
            return String.format(Locale.ROOT, "%s %s (logprob %.4f)", id, quote(t.token()), t.logprob());
        }
        return id;
    }

    private static String quote(String token) {
        StringBuilder sb = new StringBuilder("'");
        token.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.append('\'').toString();
    }

    private static String shorten(String text) {
        String oneLine = text.replace("\n", "\\n");
        return oneLine.codePointCount(0, oneLine.length()) <= 60 ? oneLine
                : oneLine.substring(0, oneLine.offsetByCodePoints(0, 60)) + "...";
    }
}
