package io.kefu.eval.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kefu.chat.ChatResponse;
import io.kefu.chat.FinishReason;
import io.kefu.chat.TokenLogprob;
import io.kefu.chat.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodeComparisonTest {
    private static final List<Integer> PROMPT = List.of(1, 20, 30);

    private static ChatResponse response(List<Integer> prompt, List<Integer> ids, double[] logprobs, FinishReason finish) {
        List<TokenLogprob> lp = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            lp.add(new TokenLogprob(ids.get(i), "t" + ids.get(i), logprobs[i]));
        }
        return new ChatResponse("text of " + ids, finish, new Usage(prompt.size(), ids.size()), prompt, ids, lp, Duration.ZERO);
    }

    @Test
    void sameTokensWithinToleranceMatch() {
        ChatResponse reference = response(PROMPT, List.of(5, 6, 7), new double[] {-0.1, -0.2, -0.3}, FinishReason.STOP);
        ChatResponse candidate = response(PROMPT, List.of(5, 6, 7), new double[] {-0.1004, -0.2, -0.3002}, FinishReason.STOP);
        DecodeComparison c = DecodeComparison.of("q1", reference, candidate, 1e-3);
        assertThat(c.matches()).as(c.describe()).isTrue();
        assertThat(c.problems()).isEmpty();
        assertThat(c.comparedLogprobs()).isEqualTo(3);
        assertThat(c.maxLogprobDifference()).isCloseTo(4e-4, within(1e-12));
        assertThat(c.describe()).startsWith("q1: match (3 prompt tokens, 3 generated, stop");
    }

    @Test
    void aLogprobBeyondTheToleranceIsNamed() {
        ChatResponse reference = response(PROMPT, List.of(5, 6), new double[] {-0.1, -0.2}, FinishReason.LENGTH);
        ChatResponse candidate = response(PROMPT, List.of(5, 6), new double[] {-0.1, -0.25}, FinishReason.LENGTH);
        DecodeComparison c = DecodeComparison.of("q", reference, candidate, 1e-3);
        assertThat(c.matches()).isFalse();
        assertThat(c.problems()).singleElement().asString()
                .contains("log-probability of token 1 (id 6) differs by 5.000e-02", "reference -0.200000", "candidate -0.250000");
    }

    @Test
    void theFirstDifferentTokenIsNamedAndOnlyTheSharedPrefixIsCompared() {
        ChatResponse reference = response(PROMPT, List.of(5, 6, 7, 8), new double[] {-0.1, -0.2, -0.3, -0.4}, FinishReason.STOP);
        ChatResponse candidate = response(PROMPT, List.of(5, 6, 9), new double[] {-0.1, -0.2, -3.0}, FinishReason.LENGTH);
        DecodeComparison c = DecodeComparison.of("q", reference, candidate, 1e-3);
        assertThat(c.firstTokenDifference()).isEqualTo(2);
        assertThat(c.comparedLogprobs()).isEqualTo(2);
        assertThat(c.maxLogprobDifference()).isZero();
        // the finish reasons follow from the different tokens: only the first difference is reported
        assertThat(c.problems()).singleElement().asString()
                .contains("generated tokens differ at token 2 (the first 2 agree)", "reference id 7 't7' (logprob -0.3000)",
                        "candidate id 9 't9' (logprob -3.0000)");
    }

    @Test
    void oneDecodeEndingEarlierIsADifference() {
        ChatResponse reference = response(PROMPT, List.of(5, 6), new double[] {-0.1, -0.2}, FinishReason.STOP);
        ChatResponse candidate = response(PROMPT, List.of(5, 6, 7), new double[] {-0.1, -0.2, -0.3}, FinishReason.LENGTH);
        DecodeComparison c = DecodeComparison.of("q", reference, candidate, 1e-3);
        assertThat(c.firstTokenDifference()).isEqualTo(2);
        assertThat(c.problems()).singleElement().asString().contains("reference (stopped: stop)", "candidate id 7");
    }

    @Test
    void differentPromptsAndFinishReasonsAreNamed() {
        ChatResponse reference = response(PROMPT, List.of(5), new double[] {-0.1}, FinishReason.STOP);
        ChatResponse candidate = response(List.of(1, 20, 31), List.of(5), new double[] {-0.1}, FinishReason.LENGTH);
        DecodeComparison c = DecodeComparison.of("q", reference, candidate, 1e-3);
        assertThat(c.firstPromptDifference()).isEqualTo(2);
        assertThat(c.problems()).containsExactly("prompt token ids differ at position 2 of 3/3: reference id 30, candidate id 31",
                "finish reasons differ after the same tokens: reference stop, candidate length");
    }

    @Test
    void aSystemWithoutTokenIdsCannotBeCompared() {
        ChatResponse reference = response(PROMPT, List.of(5), new double[] {-0.1}, FinishReason.STOP);
        ChatResponse textOnly = ChatResponse.ofText("hello", Duration.ZERO);
        DecodeComparison c = DecodeComparison.of("q", reference, textOnly, 1e-3);
        assertThat(c.matches()).isFalse();
        assertThat(c.problems()).anySatisfy(p -> assertThat(p).contains("the candidate system exposes no token ids"));
    }

    @Test
    void reportCountsMismatches() {
        ChatResponse a = response(PROMPT, List.of(5), new double[] {-0.1}, FinishReason.STOP);
        ChatResponse b = response(PROMPT, List.of(6), new double[] {-0.1}, FinishReason.STOP);
        ParityReport report = new ParityReport(1e-3, 8, List.of(DecodeComparison.of("same", a, a, 1e-3),
                DecodeComparison.of("other", a, b, 1e-3)));
        assertThat(report.matches()).isFalse();
        assertThat(report.mismatches()).isEqualTo(1);
        assertThat(report.toText()).contains("same: match", "other: MISMATCH", "FAILED: 1 of 2 requests decode differently");
    }
}
