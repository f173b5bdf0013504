package io.kefu.runtime.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LogitsRowsTest {
    @Test
    void handsOutTheSameArraysAgainAndGrowsForMoreRows() {
        LogitsRows rows = new LogitsRows(5);
        float[][] two = rows.take(2);
        assertThat(two).hasNumberOfRows(2);
        assertThat(two[0]).hasSize(5);
        float[][] three = rows.take(3);
        assertThat(three[0]).isSameAs(two[0]);
        assertThat(three[1]).isSameAs(two[1]);
        assertThat(three[2]).hasSize(5).isNotSameAs(two[0]).isNotSameAs(two[1]);
        float[][] one = rows.take(1);
        assertThat(one).hasNumberOfRows(1);
        assertThat(one[0]).isSameAs(two[0]);
    }

    @Test
    void theOuterArrayIsTheCallersOwn() {
        LogitsRows rows = new LogitsRows(4);
        float[][] first = rows.take(2);
        float[] kept = first[1];
        first[1] = null;
        assertThat(rows.take(2)[1]).isSameAs(kept);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new LogitsRows(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LogitsRows(3).take(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new LogitsRows(3).take(0)).isEmpty();
    }
}
