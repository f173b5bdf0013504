package io.kefu.notebook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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

    @Test
    void stopsABusyLoopOnThisJdk() throws Exception {
        assertStops("long spins = 0;\nwhile (true) { MARK; spins++; }");
    }

    @Test
    void stopsALoopThatCatchesEveryException() throws Exception {
        assertStops("int rounds = 0;\nwhile (true) {\n  try { MARK; rounds++; } catch (Exception e) { }\n}");
    }

    @Test
    void stopsACallThatBlocks() throws Exception {
        assertStops("{ MARK; Thread.sleep(600_000); }");
    }

    @Test
    void stopsALoopInAMethodTheCellDeclared() throws Exception {
        assertStops("long spin(long n) { MARK; while (n >= 0) { n++; } return n; }\nspin(0)");
    }

    /**
     * Runs a cell that never ends by itself, stops it once it runs (its snippet that never ends
     * says so where the cell has {@code MARK}), and checks that the session goes on.
     */
    private static void assertStops(String cell) throws Exception {
        String marker = "kefu.test.cell." + System.nanoTime();
        CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> {
            try {
                return evaluator.eval(cell.replace("MARK", "System.setProperty(\"" + marker + "\", \"running\")"));
            } catch (CellFailure e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.getProperty(marker) == null && !run.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(System.getProperty(marker)).as("the cell started").isEqualTo("running");
        Thread.sleep(100);
        assertThat(run).as("the cell is still running before the stop").isNotDone();

        evaluator.stop();

        assertThatThrownBy(() -> run.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().cause().isInstanceOf(CellFailure.Interrupted.class);
        assertThat(evaluator.eval("1 + 1")).isEqualTo(2);
        System.clearProperty(marker);
    }
}
