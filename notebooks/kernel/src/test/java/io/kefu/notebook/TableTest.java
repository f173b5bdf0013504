package io.kefu.notebook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void rendersEscapedHtmlAndAlignedText() {
        Table table = Table.of(List.of("intent", "n"), List.of(List.of("<size> & fit", 12), List.of("退货", 3)));

        assertThat(table.toHtml()).contains("<th>intent</th><th>n</th>")
                .contains("<td>&lt;size&gt; &amp; fit</td><td>12</td>");
        assertThat(table.toString()).isEqualTo("intent        n\n<size> & fit  12\n退货            3");
    }

    @Test
    void rejectsRowsOfTheWrongWidth() {
        assertThatThrownBy(() -> Table.of(List.of("a", "b"), List.of(List.of(1, 2), List.of(3))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table row 1 has 1 cells but there are 2 columns");
    }
}
