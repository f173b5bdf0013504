package io.kefu.notebook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CellEvaluatorTest {
    private static CellEvaluator evaluator;

    @BeforeAll
    static void start() {
        evaluator = new CellEvaluator();
    }

    @AfterAll
    static void stop() {
        evaluator.close();
    }

    @Test
    void splitsACellIntoSnippetsWithTheirOffsets() {
        String cell = "int a = 1;\n\nint twice(int x) {\n  return 2 * x;\n}\ntwice(a)";
        List<CellEvaluator.Piece> pieces = evaluator.split(cell);

        assertThat(pieces).extracting(CellEvaluator.Piece::start).containsExactly(0, 12, cell.indexOf("twice(a)"));
        assertThat(CellEvaluator.lineOf(cell, pieces.get(2).start())).isEqualTo(6);
    }

    @Test
    void returnsTheObjectOfATrailingExpressionAndNoValueOtherwise() throws Exception {
        assertThat(evaluator.eval("var list = List.of(1, 2);\nlist")).isEqualTo(List.of(1, 2));
        assertThat(evaluator.eval("int unused = 3;")).isSameAs(CellEvaluator.NO_VALUE);
        assertThat(evaluator.eval("String nothing = null;\nnothing")).isNull();
    }

    @Test
    void compileErrorsNameTheCellLine() {
        assertThatThrownBy(() -> evaluator.eval("int ok = 1;\n\nboolean b = \"text\";"))
                .isInstanceOf(CellFailure.CompilationError.class)
                .hasMessageStartingWith("line 3: incompatible types");
    }

    @Test
    void completenessTellsAnOpenBlockFromAFinishedOne() {
        assertThat(evaluator.completeness("for (int i = 0; i < 3; i++) {")).isEqualTo(Completeness.DEFINITELY_INCOMPLETE);
        assertThat(evaluator.completeness("int done = 1;")).isEqualTo(Completeness.COMPLETE);
    }
}
