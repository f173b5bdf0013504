package io.kefu.runtime.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.chat.GenerationParameters;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class StopConditionTest {
    @Test
    void collectsEosAndEndOfTurnIds() {
        assertThat(StopCondition.stopTokenIds(List.of(128001, 128009), OptionalInt.of(128009)))
                .containsExactlyInAnyOrder(128001, 128009);
        StopCondition c = StopCondition.of(GenerationParameters.builder().maxNewTokens(5).build(),
                StopCondition.stopTokenIds(List.of(151643), OptionalInt.of(151645)));
        assertThat(c.isStopToken(151645)).isTrue();
        assertThat(c.isStopToken(151643)).isTrue();
        assertThat(c.isStopToken(1)).isFalse();
        assertThat(c.maxNewTokens()).isEqualTo(5);
    }

    @Test
    void findsTheEarliestStopStringIncludingAcrossTheSearchBoundary() {
        StopCondition c = new StopCondition(List.of(), List.of("###", "顾客："), 10);
        assertThat(c.findStopString("您好##", 0)).isEqualTo(-1);
        assertThat(c.findStopString("您好###再见", 4)).isEqualTo(2); // match began before the new text
        assertThat(c.findStopString("好的。顾客：还有", 5)).isEqualTo(3);
    }

    @Test
    void holdsBackTextThatMayBecomeAStopString() {
        StopCondition c = new StopCondition(List.of(), List.of("###", "顾客："), 10);
        assertThat(c.pendingStopPrefix("hello #")).isEqualTo(1);
        assertThat(c.pendingStopPrefix("hello ##")).isEqualTo(2);
        assertThat(c.pendingStopPrefix("hello")).isZero();
        assertThat(c.pendingStopPrefix("好的。顾客")).isEqualTo(2);
        assertThat(new StopCondition(List.of(), List.of(), 1).pendingStopPrefix("###")).isZero();
    }
}
