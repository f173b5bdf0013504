package io.kefu.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

class GenerationParametersTest {
    @Test
    void defaultsMatchTheJavadoc() {
        GenerationParameters p = GenerationParameters.builder().build();
        assertThat(p.maxNewTokens()).isEqualTo(256);
        assertThat(p.temperature()).isZero();
        assertThat(p.topK()).isZero();
        assertThat(p.topP()).isEqualTo(1.0);
        assertThat(p.repetitionPenalty()).isEqualTo(1.0);
        assertThat(p.seed()).isZero();
        assertThat(p.stopSequences()).isEmpty();
        assertThat(p.logprobs()).isFalse();
        assertThat(p).isEqualTo(GenerationParameters.greedy());
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("maxNewTokens", (UnaryOperator<GenerationParameters.Builder>) b -> b.maxNewTokens(0)),
                Arguments.of("temperature", (UnaryOperator<GenerationParameters.Builder>) b -> b.temperature(-1)),
                Arguments.of("topK", (UnaryOperator<GenerationParameters.Builder>) b -> b.topK(-1)),
                Arguments.of("topP", (UnaryOperator<GenerationParameters.Builder>) b -> b.topP(0)),
                Arguments.of("repetitionPenalty", (UnaryOperator<GenerationParameters.Builder>) b -> b.repetitionPenalty(0)),
                Arguments.of("stopSequences", (UnaryOperator<GenerationParameters.Builder>) b -> b.stopSequences(List.of(""))),
                Arguments.of("stopSequences", (UnaryOperator<GenerationParameters.Builder>) b -> b.stopSequences(List.of("a", "b", "c", "d", "e"))),
                Arguments.of("stopSequences", (UnaryOperator<GenerationParameters.Builder>) b -> b.stopSequences(List.of("x".repeat(65)))));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void outOfRangeFieldsAreNamed(String field, UnaryOperator<GenerationParameters.Builder> change) {
        assertThatThrownBy(() -> change.apply(GenerationParameters.builder()).build())
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining(field);
    }

    @Test
    void fourStopSequencesOfSixtyFourCharactersAreTheLimit() {
        List<String> stops = List.of("a".repeat(64), "b", "c", "d");
        assertThat(GenerationParameters.builder().stopSequences(stops).build().stopSequences()).isEqualTo(stops);
    }

    @Test
    void toBuilderRoundTrips() {
        GenerationParameters p = GenerationParameters.builder().maxNewTokens(9).temperature(0.8).topK(5).topP(0.9)
                .repetitionPenalty(1.1).seed(7).stopSequences(List.of("END")).logprobs(true).build();
        assertThat(p.toBuilder().build()).isEqualTo(p).hasSameHashCodeAs(p);
        assertThat(p.isGreedy()).isFalse();
    }
}
