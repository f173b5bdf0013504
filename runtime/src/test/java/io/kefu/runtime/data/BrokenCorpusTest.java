package io.kefu.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.data.Dataset;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in {@code data/broken/} fails {@link Dataset#load} with exactly the message in the
 * {@code .expected} file beside it (the directory is left out of the file names).
 */
class BrokenCorpusTest {
    static Path corpus() throws URISyntaxException {
        return Path.of(BrokenCorpusTest.class.getResource("/data/broken").toURI());
    }

    static Stream<Path> brokenFiles() throws Exception {
        try (Stream<Path> files = Files.list(corpus())) {
            return files.filter(f -> !f.getFileName().toString().endsWith(".expected")).sorted().toList().stream();
        }
    }

    static String expectedMessage(Path file) throws IOException {
        String name = file.getFileName().toString();
        Path expected = file.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".expected");
        return Files.readString(expected, StandardCharsets.UTF_8).strip();
    }

    @Test
    void corpusHasAtLeastTwelveFilesEachWithItsExpectedMessage() throws Exception {
        List<Path> files = brokenFiles().toList();
        assertThat(files).hasSizeGreaterThanOrEqualTo(12);
        for (Path file : files) {
            assertThat(expectedMessage(file)).as(file.toString()).isNotBlank();
        }
    }

    @Test
    void theSameRecordsWithBomAndCrlfLoadClean() throws Exception {
        Path good = Path.of(BrokenCorpusTest.class.getResource("/data/good/bom-crlf.jsonl").toURI());
        byte[] bytes = Files.readAllBytes(good);
        assertThat(bytes).startsWith(0xEF, 0xBB, 0xBF);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\r\n");
        Dataset data = Dataset.load(good);
        assertThat(data.size()).isEqualTo(12);
        assertThat(data.examples().get(11).provenance().line()).isEqualTo(12);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void loadFailsWithTheLocatedMessage(Path file) throws Exception {
        String directory = file.getParent().toString() + file.getFileSystem().getSeparator();
        assertThatThrownBy(() -> Dataset.load(file))
                .isInstanceOfSatisfying(KefuException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DATA);
                    try {
                        assertThat(e.getMessage().replace(directory, "")).isEqualTo(expectedMessage(file));
                    } catch (IOException io) {
                        throw new AssertionError(io);
                    }
                });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void everyProblemNamesFileFieldAndReason(Path file) {
        ValidationReport report = new DatasetValidator().validate(file);
        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).isNotEmpty().allSatisfy(problem -> {
            assertThat(problem.file()).isEqualTo(file.toString());
            assertThat(problem.field()).isNotBlank();
            assertThat(problem.reason()).isNotBlank();
            if (!problem.field().equals(Problem.FILE)) {
                assertThat(problem.line()).isPositive();
            }
        });
    }
}
