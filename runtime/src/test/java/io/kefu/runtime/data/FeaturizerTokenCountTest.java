package io.kefu.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.ChatFeaturizer;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.runtime.tokenize.TrainingFeatures;
import io.kefu.data.Example;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Length checks with the real Qwen 3 chat template and tokenizer as the pluggable token counter. */
class FeaturizerTokenCountTest {
    @TempDir
    Path dir;

    @Test
    void overlongIsMeasuredInTemplateTokens() {
        Path model = Path.of(System.getProperty("kefu.tokenizers.dir"), "qwen3");
        List<String> lines = new ArrayList<>(TestFiles.alpacaLines(3));
        lines.add("{\"instruction\": \"" + "这件衣服的面料怎么样".repeat(20) + "\", \"output\": \"棉的亲亲~\"}");
        Path file = TestFiles.write(dir, "train.jsonl", lines.toArray(String[]::new));
        try (HfTokenizer tokenizer = HfTokenizer.load(model)) {
            ChatFeaturizer untruncated = ChatFeaturizer.builder(tokenizer, HfChatTemplate.fromModelDir(model))
                    .maxLength(Integer.MAX_VALUE).build();
            ToIntFunction<Example> tokens = e -> untruncated.featurize(e).map(TrainingFeatures::length).orElseThrow();
            int shortLength = tokens.applyAsInt(TestFiles.load(file).get(0));
            assertThat(shortLength).isBetween(10, 60);

            ValidationReport report = new DatasetValidator(ValidationOptions.builder().minExamples(0)
                    .maxLength(tokens, 100, OverlongPolicy.ERROR).build()).validate(file);
            assertThat(report.examples()).isEqualTo(3);
            assertThat(report.problems()).singleElement().satisfies(problem -> {
                assertThat(problem.line()).isEqualTo(4);
                assertThat(problem.reason()).matches("\\d+ tokens after rendering with the chat template, more than the maximum length 100; .*");
                int measured = Integer.parseInt(problem.reason().substring(0, problem.reason().indexOf(' ')));
                assertThat(measured).isGreaterThan(100);
            });
        }
    }
}
