package io.kefu.eval.parity;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.GenerationParameters;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks a reference and a candidate system the same requests, one at a time and greedily with
 * log-probabilities, and compares each pair of answers ({@link DecodeComparison}). The two systems
 * answer one after the other, so only one needs to be loaded at a time.
 */
public final class ParityCheck {
    private ParityCheck() {
    }

    /**
     * @param model the system to ask
     * @param requests the requests; their decoding parameters are replaced by greedy decoding of at
     *     most {@code maxNewTokens} tokens with log-probabilities
     * @return the answers, in request order
     */
    public static List<ChatResponse> answer(ChatModel model, List<ChatRequest> requests, int maxNewTokens) {
        GenerationParameters greedy = GenerationParameters.builder().maxNewTokens(maxNewTokens).logprobs(true).build();
        List<ChatResponse> answers = new ArrayList<>();
        for (ChatRequest request : requests) {
            answers.add(model.chat(request.toBuilder().parameters(greedy).build()));
        }
        return answers;
    }

    /**
     * @param labels what each request asked, for the report
     * @param reference the reference's answers, from {@link #answer}
     * @param candidate the candidate's answers to the same requests
     * @param maxNewTokens the longest answer compared, in tokens
     * @param tolerance the largest log-probability difference that still matches
     */
    public static ParityReport compare(List<String> labels, List<ChatResponse> reference, List<ChatResponse> candidate,
                                       int maxNewTokens, double tolerance) {
        if (labels.size() != reference.size() || labels.size() != candidate.size()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, labels.size() + " requests but " + reference.size()
                    + " reference and " + candidate.size() + " candidate answers");
        }
        List<DecodeComparison> comparisons = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            comparisons.add(DecodeComparison.of(labels.get(i), reference.get(i), candidate.get(i), tolerance));
        }
        return new ParityReport(tolerance, maxNewTokens, comparisons);
    }
}
