package io.kefu.eval.parity;

import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.GenerationParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Asks a reference and a candidate system the same requests, one at a time and greedily with
 * log-probabilities, and compares each pair of answers ({@link DecodeComparison}).
 */
public final class ParityCheck {
    private ParityCheck() {
    }

    /**
     * @param requests the requests by label, in report order; their decoding parameters are replaced
     *     by greedy decoding of at most {@code maxNewTokens} tokens with log-probabilities
     * @param reference the system the candidate must reproduce
     * @param candidate the system under test
     * @param maxNewTokens the longest answer compared, in tokens
     * @param tolerance the largest log-probability difference that still matches
     * @param progress told each comparison as it is made
     */
    public static ParityReport run(Map<String, ChatRequest> requests, ChatModel reference, ChatModel candidate,
                                   int maxNewTokens, double tolerance, Consumer<DecodeComparison> progress) {
        GenerationParameters greedy = GenerationParameters.builder().maxNewTokens(maxNewTokens).logprobs(true).build();
        List<DecodeComparison> comparisons = new ArrayList<>();
        for (Map.Entry<String, ChatRequest> e : requests.entrySet()) {
            ChatRequest request = e.getValue().toBuilder().parameters(greedy).build();
            DecodeComparison comparison = DecodeComparison.of(e.getKey(), reference.chat(request), candidate.chat(request), tolerance);
            progress.accept(comparison);
            comparisons.add(comparison);
        }
        return new ParityReport(tolerance, maxNewTokens, comparisons);
    }
}
