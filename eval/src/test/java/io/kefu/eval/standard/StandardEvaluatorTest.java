package io.kefu.eval.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ModelInfo;
import io.kefu.shop.rules.RulesChatModel;
import io.kefu.shop.checks.BusinessChecks;
import io.kefu.shop.checks.FactsText;
import io.kefu.eval.standard.ComparisonReport;
import io.kefu.data.Example;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandardEvaluatorTest {
    /** Answers every prompt with the reference answer of the example it belongs to: the perfect system. */
    static final class ReferenceModel implements ChatModel {
        private final Map<String, String> answers = new HashMap<>();
        final AtomicInteger calls = new AtomicInteger();
        final List<Integer> batchSizes = new ArrayList<>();
        int failAfter = Integer.MAX_VALUE;

        ReferenceModel(List<Example> examples) {
            examples.forEach(e -> answers.put(e.prompt().toString(), e.answer().orElseThrow()));
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            if (calls.incrementAndGet() > failAfter) {
                throw new IllegalStateException("simulated crash");
            }
            return ChatResponse.ofText(answers.get(request.messages().toString()), Duration.ofMillis(2));
        }

        @Override
        public List<ChatResponse> chatBatch(List<ChatRequest> requests) {
            batchSizes.add(requests.size());
            return ChatModel.super.chatBatch(requests);
        }

        @Override
        public ChatStream stream(ChatRequest request) {
            throw new IllegalStateException("the evaluator never streams");
        }

        @Override
        public ModelInfo info() {
            return new ModelInfo("reference", "test", List.of());
        }

        @Override
        public void close() {
        }
    }

    @Test
    void generatedReferenceAnswersPassTheBusinessChecks() {
        ShopTestSet test = ShopTestSet.generate(120, 3);
        BusinessChecks checks = BusinessChecks.defaults();
        List<String> flagged = new ArrayList<>();
        for (Example e : test.examples()) {
            var r = checks.check(e.answer().orElseThrow(), FactsText.fromPrompt(e.prompt()).orElse(null), e.intent(), e.strategy());
            if (!r.clean()) {
                flagged.add(e.intent() + "/" + e.strategy() + ": " + e.answer().orElseThrow() + " -> " + r.findings());
            }
        }
        assertThat(flagged).as("reference answers flagged").isEmpty();
    }

    @Test
    void perfectSystemScoresFullAndBatchesAsConfigured(@TempDir Path dir) {
        ShopTestSet test = ShopTestSet.generate(20, 5);
        ReferenceModel model = new ReferenceModel(test.examples());
        StandardEvaluator evaluator = new StandardEvaluator(EvaluationConfig.builder().batchSize(8).build());
        SystemReport report = evaluator.evaluate(model, test);
        assertThat(model.batchSizes).containsExactly(8, 8, 4);
        assertThat(report.metrics().get("bleu4_sacrebleu")).isCloseTo(100.0, within(1e-9));
        assertThat(report.metrics().get("rougeL_char")).isCloseTo(100.0, within(1e-9));
        assertThat(report.metrics().get("fact_accuracy")).isEqualTo(1.0);
        assertThat(report.byIntent()).isNotEmpty();
        assertThat(report.byIntent().values()).allSatisfy(m -> assertThat(m.get("rougeL_char")).isCloseTo(100.0, within(1e-9)));
    }

    @Test
    void interruptedEvaluationResumesWhereItStopped(@TempDir Path dir) throws Exception {
        ShopTestSet test = ShopTestSet.generate(20, 9);
        Path predictions = dir.resolve("predictions.jsonl");
        StandardEvaluator evaluator = new StandardEvaluator(EvaluationConfig.builder().batchSize(4).predictionsFile(predictions).build());
        ReferenceModel crashing = new ReferenceModel(test.examples());
        crashing.failAfter = 10; // crashes inside the third batch: two batches (8 answers) are on disk
        assertThatThrownBy(() -> evaluator.evaluate(crashing, test)).hasMessageContaining("simulated crash");
        assertThat(Files.readAllLines(predictions)).hasSize(8);
        Files.writeString(predictions, Files.readString(predictions) + "{\"index\":8,\"ke", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);

        ReferenceModel resumed = new ReferenceModel(test.examples());
        SystemReport report = evaluator.evaluate(resumed, test);
        assertThat(resumed.calls.get()).isEqualTo(12);
        assertThat(report.predictions()).hasSize(20);
        assertThat(Files.readAllLines(predictions)).hasSize(20);
        assertThat(report.metrics().get("rougeL_char")).isCloseTo(100.0, within(1e-9));

        ShopTestSet other = ShopTestSet.generate(20, 10);
        assertThatThrownBy(() -> evaluator.evaluate(new ReferenceModel(other.examples()), other))
                .hasMessageContaining("predictions.jsonl").hasMessageContaining("different example");
    }

    @Test
    void comparesRulesBaselineWithAPerfectSystemAndWritesReadableReport(@TempDir Path dir) throws Exception {
        ShopTestSet test = ShopTestSet.generate(40, 11);
        Map<String, ChatModel> systems = new LinkedHashMap<>();
        systems.put("rules", new RulesChatModel());
        systems.put("reference", new ReferenceModel(test.examples()));
        ComparisonReport report = StandardEvaluator.withDefaults().compare(systems, test, dir);
        SystemReport rules = report.systems().get(0);
        SystemReport reference = report.systems().get(1);
        assertThat(rules.metrics().get("rougeL_char")).isLessThan(reference.metrics().get("rougeL_char"));
        assertThat(rules.metrics().get("bleu4_sacrebleu")).isBetween(1.0, 99.0);
        for (String file : List.of("report.json", "report.md", "report.html", "chart-text-metrics.png", "chart-business.png",
                "chart-intent-rougeL_char.png", "predictions-rules.jsonl", "predictions-reference.jsonl")) {
            assertThat(dir.resolve(file)).as(file).exists().isNotEmptyFile();
        }
        assertThat(dir.resolve("report.md")).content().contains("| metric | rules | reference |", "bleu4_sacrebleu", "by intent", "strategy_followed by strategy", "gentle_nudge");
        assertThat(Files.readAllLines(dir.resolve("predictions-rules.jsonl"))).hasSize(40);
    }
}
