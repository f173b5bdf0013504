package io.kefu.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.data.Example;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetValidatorTest {
    /** A real, if simple, length measure: code points of all message texts. */
    private static final ToIntFunction<Example> CHARACTERS = e -> e.messages().stream()
            .mapToInt(m -> m.content().codePointCount(0, m.content().length())).sum();

    @TempDir
    Path dir;

    private Path twelveWithRepeats() {
        List<String> lines = new ArrayList<>(TestFiles.alpacaLines(10));
        lines.add(lines.get(0));
        lines.add(lines.get(1).replace("\"连衣裙", "\" 连衣裙").replace("吗?\"", "吗? \\t\""));
        return TestFiles.write(dir, "repeats.jsonl", lines.toArray(String[]::new));
    }

    @Test
    void duplicatesAreProblemsByDefaultNamingBothLines() {
        ValidationReport report = new DatasetValidator().validate(twelveWithRepeats());
        assertThat(report.problems()).extracting(p -> p.line() + " " + p.reason()).containsExactly(
                "11 duplicate of line 1 (the same conversation); remove one, or drop repeats (duplicate policy DROP)",
                "12 duplicate of line 2 (the same conversation after normalising whitespace); remove one, or drop repeats (duplicate policy DROP)");
        assertThat(report.examples()).isEqualTo(10);
    }

    @Test
    void duplicatesCanBeDroppedWithANoticeOrKept() {
        Path file = twelveWithRepeats();
        ValidationReport dropped = new DatasetValidator(ValidationOptions.builder().duplicates(DuplicatePolicy.DROP).build())
                .validate(file);
        assertThat(dropped.ok()).isTrue();
        assertThat(dropped.examples()).isEqualTo(10);
        assertThat(dropped.dropped()).isEqualTo(2);
        assertThat(dropped.notices()).extracting(Problem::line).containsExactly(11L, 12L);
        ValidationReport kept = new DatasetValidator(ValidationOptions.builder().duplicates(DuplicatePolicy.KEEP).build())
                .validate(file);
        assertThat(kept.ok()).isTrue();
        assertThat(kept.examples()).isEqualTo(12);
        assertThat(kept.noticeCount()).isZero();
    }

    @Test
    void overlongExamplesFollowThePolicy() {
        List<String> lines = new ArrayList<>(TestFiles.alpacaLines(3));
        lines.add("{\"instruction\": \"" + "长".repeat(50) + "\", \"output\": \"好的\"}");
        Path file = TestFiles.write(dir, "long.jsonl", lines.toArray(String[]::new));
        ValidationOptions.Builder options = ValidationOptions.builder().minExamples(0);

        ValidationReport error = new DatasetValidator(options.maxLength(CHARACTERS, 40, OverlongPolicy.ERROR).build()).validate(file);
        assertThat(error.problems()).extracting(Problem::format).containsExactly(file
                + ":4: record: 52 tokens after rendering with the chat template, more than the maximum length 40;"
                + " shorten it, or choose the overlong policy truncate or drop");

        List<Example> kept = new ArrayList<>();
        ValidationReport drop = new DatasetValidator(options.maxLength(CHARACTERS, 40, OverlongPolicy.DROP).build())
                .validate(file, kept::add);
        assertThat(drop.ok()).isTrue();
        assertThat(drop.dropped()).isEqualTo(1);
        assertThat(kept).hasSize(3);
        assertThat(drop.notices()).extracting(Problem::reason)
                .containsExactly("dropped: 52 tokens after rendering with the chat template, more than the maximum length 40");

        ValidationReport truncate = new DatasetValidator(options.maxLength(CHARACTERS, 40, OverlongPolicy.TRUNCATE).build())
                .validate(file);
        assertThat(truncate.ok()).isTrue();
        assertThat(truncate.examples()).isEqualTo(4);
        assertThat(truncate.truncated()).isEqualTo(1);
    }

    @Test
    void aTokenCounterThatCannotRenderAnExampleReportsItsLine() {
        Path file = TestFiles.write(dir, "a.jsonl", TestFiles.alpacaLines(2).toArray(String[]::new));
        ToIntFunction<Example> failing = e -> {
            if (e.provenance().line() == 2) {
                throw new KefuException(ErrorCode.INVALID_REQUEST, "template raised: roles must alternate");
            }
            return 1;
        };
        ValidationReport report = new DatasetValidator(ValidationOptions.builder().minExamples(0)
                .maxLength(failing, 10, OverlongPolicy.ERROR).build()).validate(file);
        assertThat(report.problems()).extracting(Problem::format)
                .containsExactly(file + ":2: record: cannot be rendered and tokenized: template raised: roles must alternate");
    }

    @Test
    void tooFewExamplesIsAFileProblemWithAConfigurableMinimum() {
        Path file = TestFiles.write(dir, "few.jsonl", TestFiles.alpacaLines(4).toArray(String[]::new));
        assertThat(new DatasetValidator().validate(file).problems()).extracting(Problem::format).containsExactly(
                file + ": file: only 4 examples; at least 10 are needed (lower the minimum number of examples if this is intended)");
        assertThat(new DatasetValidator(ValidationOptions.builder().minExamples(4).build()).validate(file).ok()).isTrue();
        Path empty = TestFiles.write(dir, "empty.jsonl", "");
        assertThat(new DatasetValidator().validate(empty).problems()).extracting(Problem::reason)
                .containsExactly("no examples; at least 10 are needed (lower the minimum number of examples if this is intended)");
    }

    @Test
    void theExceptionListsTheFirstProblemsAndCountsTheRest() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            lines.add("{\"instruction\": \"q" + i + "\"}");
        }
        Path file = TestFiles.write(dir, "many.jsonl", lines.toArray(String[]::new));
        KefuException e = catchThrowableOfType(KefuException.class, () -> DatasetLoader.load(file));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DATA);
        String[] messageLines = e.getMessage().split("\n");
        assertThat(messageLines[0]).isEqualTo(file + ": 30 problems in 30 records:");
        assertThat(messageLines).hasSize(1 + DatasetLoader.LISTED_PROBLEMS + 1);
        assertThat(messageLines[1]).isEqualTo("  " + file + ":1: output: missing");
        assertThat(messageLines[20]).isEqualTo("  " + file + ":20: output: missing");
        assertThat(messageLines[21]).isEqualTo("  ... and 10 more");
    }

    @Test
    void storedProblemsAreCappedButCounted() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            lines.add("not json " + i);
        }
        Path file = TestFiles.write(dir, "garbage.jsonl", lines.toArray(String[]::new));
        ValidationReport report = new DatasetValidator(ValidationOptions.builder().minExamples(0).maxStoredProblems(5).build())
                .validate(file);
        assertThat(report.problemCount()).isEqualTo(50);
        assertThat(report.problems()).hasSize(5);
        assertThat(report.records()).isEqualTo(50);
    }

    @Test
    void aMissingFileIsNotFound() {
        Path missing = dir.resolve("nope.jsonl");
        KefuException e = catchThrowableOfType(KefuException.class, () -> new DatasetValidator().validate(missing));
        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(e.getMessage()).isEqualTo(missing + ": file not found");
    }
}
