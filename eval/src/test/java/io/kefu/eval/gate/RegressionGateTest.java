package io.kefu.eval.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kefu.KefuException;
import io.kefu.chat.ChatRequest;
import io.kefu.data.Example;
import io.kefu.eval.metrics.TextMetrics;
import io.kefu.eval.standard.Prediction;
import io.kefu.eval.standard.ScoredPrediction;
import io.kefu.eval.standard.SystemReport;
import io.kefu.shop.DialogGenerator;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopDialog;
import io.kefu.shop.checks.BusinessChecks;
import io.kefu.shop.checks.FactsText;
import io.kefu.shop.rules.RulesChatModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gate on answers to generated shop dialogs: the references, the rules baseline's answers, and shuffled references. */
class RegressionGateTest {
    private static List<Example> examples;
    private static SystemReport references;
    private static SystemReport rules;
    private static SystemReport shuffled;

    @BeforeAll
    static void scoreThreeSystems() {
        ShopCatalog catalog = ShopCatalog.load(Path.of(System.getProperty("kefu.repo.dir", "..")).resolve("examples/shop"));
        examples = new ArrayList<>();
        for (ShopDialog d : new DialogGenerator(DialogGenerator.Config.builder().seed(5).trainCount(1).testCount(60).build())
                .generate(catalog).test()) {
            examples.add(d.toExample());
        }
        references = report("references", i -> examples.get(i).answer().orElseThrow());
        try (RulesChatModel model = new RulesChatModel()) {
            rules = report("rules", i -> model.chat(ChatRequest.of(examples.get(i).prompt())).text());
        }
        // each answer is another example's reference: fluent shop talk, wrong for the question and its facts
        shuffled = report("shuffled", i -> examples.get((i + 7) % examples.size()).answer().orElseThrow());
    }

    private static SystemReport report(String system, IntFunction<String> answer) {
        List<ScoredPrediction> scored = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            String text = answer.apply(i);
            Prediction p = new Prediction(i, "key" + i, "test:" + (i + 1), e.intent(), e.strategy(), e.question().orElse(""),
                    e.answer().orElseThrow(), text, 1, 0, "stop");
            scored.add(new ScoredPrediction(p, TextMetrics.scorePair(text, p.reference()),
                    BusinessChecks.defaults().check(text, FactsText.fromPrompt(e.prompt()).orElse(null), e.intent(), e.strategy())));
        }
        return new SystemReport(system, scored);
    }

    @Test
    void everyGateMetricOnTheWholeSetIsTheReportedValue() {
        int[] once = new int[examples.size()];
        Arrays.fill(once, 1);
        for (SystemReport report : List.of(references, rules, shuffled)) {
            for (String name : GateMetric.names()) {
                Double reported = report.metrics().get(name);
                double recomputed = GateMetric.named(name).statistic(report.predictions()).of(once);
                if (reported == null) {
                    assertThat(recomputed).as(report.system() + " " + name).isNaN();
                } else {
                    assertThat(recomputed).as(report.system() + " " + name).isCloseTo(reported, within(1e-9));
                }
            }
        }
    }

    @Test
    void aCandidateTrainedOnShuffledAnswersIsRefusedWithAReasonPerMetric() {
        GateReport gate = RegressionGate.judge(references, shuffled, GateConfig.defaults());
        assertThat(gate.ship()).isFalse();
        assertThat(gate.decision()).isEqualTo("do not ship");
        Map<String, MetricVerdict> byName = new java.util.HashMap<>();
        gate.metrics().forEach(m -> byName.put(m.metric(), m));
        assertThat(byName.keySet()).containsExactlyInAnyOrderElementsOf(GateMetric.DEFAULTS);
        for (String metric : List.of("fact_accuracy", "bleu4_sacrebleu", "rougeL_char")) {
            MetricVerdict v = byName.get(metric);
            assertThat(v.verdict()).as(v.explanation()).isEqualTo(MetricVerdict.Verdict.WORSE);
            assertThat(v.upper()).isLessThan(0);
            assertThat(v.explanation()).contains(metric, "worse beyond noise", "95% CI of candidate - baseline", "lies entirely below");
        }
        String text = gate.toText();
        assertThat(text).contains("candidate 'shuffled' against baseline 'references' on 60 examples", "1000 resamples, seed 0")
                .contains("do not ship: 'shuffled' is worse than 'references' beyond noise on fact_accuracy");
    }

    @Test
    void theSameSystemShipsAndABetterOneShipsWithTheMetricsItImproves() {
        GateReport same = RegressionGate.judge(rules, rules, GateConfig.defaults());
        assertThat(same.ship()).isTrue();
        assertThat(same.metrics()).allSatisfy(m -> {
            if (m.verdict() != MetricVerdict.Verdict.NOT_MEASURED) {
                assertThat(m.verdict()).isEqualTo(MetricVerdict.Verdict.NO_CLEAR_DIFFERENCE);
                assertThat(m.lower()).isZero();
                assertThat(m.upper()).isZero();
            }
        });
        GateReport better = RegressionGate.judge(shuffled, references, GateConfig.defaults());
        assertThat(better.ship()).isTrue();
        assertThat(better.toText()).contains("ship: 'references' is not worse than 'shuffled'", "better on", "rougeL_char");
    }

    @Test
    void aWideMarginForgivesASmallLoss() {
        // rules against the references loses ROUGE-L by tens of points; a margin of 100 points forgives any loss
        GateConfig strict = GateConfig.builder().metrics(List.of("rougeL_char")).build();
        GateConfig lenient = GateConfig.builder().metrics(List.of("rougeL_char")).marginPoints(100).build();
        assertThat(RegressionGate.judge(references, rules, strict).ship()).isFalse();
        GateReport forgiven = RegressionGate.judge(references, rules, lenient);
        assertThat(forgiven.ship()).isTrue();
        assertThat(forgiven.metrics().get(0).verdict()).isEqualTo(MetricVerdict.Verdict.NO_CLEAR_DIFFERENCE);
    }

    @Test
    void aRateOfFaultsIsWorseWhenItRises() {
        GateMetric invented = GateMetric.named("invented_promotion_rate");
        assertThat(invented.higherIsBetter()).isFalse();
        assertThat(invented.pointsPerUnit()).isEqualTo(100);
        assertThat(GateMetric.named("clean_rate").higherIsBetter()).isTrue();
        assertThat(GateMetric.named("bleu4_sacrebleu").pointsPerUnit()).isEqualTo(1);
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> GateConfig.builder().metrics(List.of("accuracy")).build()).isInstanceOf(KefuException.class)
                .hasMessageContaining("no gate metric 'accuracy'").hasMessageContaining("fact_accuracy");
        assertThatThrownBy(() -> GateConfig.builder().marginPoints(-1).build()).isInstanceOf(KefuException.class)
                .hasMessageContaining("margin -1.0");
        SystemReport fewer = new SystemReport("fewer", references.predictions().subList(0, 10));
        assertThatThrownBy(() -> RegressionGate.judge(references, fewer, GateConfig.defaults())).isInstanceOf(KefuException.class)
                .hasMessageContaining("'references' answered 60, 'fewer' 10");
    }
}
