package io.kefu.eval.ab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kefu.KefuException;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ExperimentReportTest {
    private static final ExperimentSplit SPLIT = new ExperimentSplit("launch", List.of(new ExperimentSplit.Arm("control", "rules", 20),
            new ExperimentSplit.Arm("base", "base", 30), new ExperimentSplit.Arm("tuned", "adapter:shop-lora", 50)));

    @Test
    void aSplitNeedsTwoDistinctArmsWithPositiveIntegerWeights() {
        assertThat(SPLIT.share(SPLIT.arms().get(1))).isEqualTo(0.3);
        assertThat(SPLIT.describe()).isEqualTo("control=rules:20,base=base:30,tuned=adapter:shop-lora:50");
        assertThat(SPLIT.weights()).containsExactly(java.util.Map.entry("control", 20.0), java.util.Map.entry("base", 30.0),
                java.util.Map.entry("tuned", 50.0));
        assertThatThrownBy(() -> new ExperimentSplit.Arm("a", "rules", 0)).isInstanceOf(KefuException.class)
                .hasMessageContaining("arm 'a'").hasMessageContaining("positive integer");
        assertThatThrownBy(() -> new ExperimentSplit.Arm("a b", "rules", 1)).hasMessageContaining("'a b'");
        assertThatThrownBy(() -> new ExperimentSplit("x", List.of(new ExperimentSplit.Arm("a", "rules", 1))))
                .hasMessageContaining("at least two arms");
        assertThatThrownBy(() -> new ExperimentSplit("x", List.of(new ExperimentSplit.Arm("a", "rules", 1),
                new ExperimentSplit.Arm("a", "base", 1)))).hasMessageContaining("'a' is used twice");
        assertThatThrownBy(() -> new ExperimentSplit(" ", SPLIT.arms())).hasMessageContaining("experiment name");
    }

    @Test
    void theSplitsAssignerFollowsTheWeights() {
        ArmAssigner assigner = SPLIT.assigner();
        int[] counts = new int[3];
        for (int i = 0; i < 30000; i++) {
            counts[assigner.arms().indexOf(assigner.assign("s" + i))]++;
        }
        // expected 6000 / 9000 / 15000; chi-square with 2 degrees of freedom has P(X > x) = exp(-x / 2)
        double chi2 = sq(counts[0] - 6000) / 6000 + sq(counts[1] - 9000) / 9000 + sq(counts[2] - 15000) / 15000;
        assertThat(Math.exp(-chi2 / 2)).isGreaterThan(1e-4);
    }

    @Test
    void armsComparisonsAndGuardrailsAreTheHandComputedOnes() {
        long[] controlLatencies = LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray(); // 100 .. 1, unsorted order
        long[] tunedLatencies = LongStream.rangeClosed(1, 20).map(i -> 10 * i).toArray(); // 10 .. 200
        List<ExperimentReport.ArmTally> tallies = List.of(
                new ExperimentReport.ArmTally("tuned", 500, 60, 20, 3, 2, tunedLatencies),
                new ExperimentReport.ArmTally("control", 200, 20, 100, 10, 0, controlLatencies),
                new ExperimentReport.ArmTally("stray", 1, 0, 0, 0, 0, new long[0]));
        ExperimentReport report = ExperimentReport.of(SPLIT, tallies, 0.95, null);

        assertThat(report.arms()).extracting(ExperimentReport.ArmResult::arm).containsExactly("control", "base", "tuned", "stray");
        ExperimentReport.ArmResult control = report.arms().get(0);
        assertThat(control.sessions()).isEqualTo(200);
        assertThat(control.share()).isEqualTo(200.0 / 701);
        assertThat(control.plannedShare()).isEqualTo(0.2);
        assertThat(control.rate()).isEqualTo(0.1);
        assertThat(report.arms().get(1).sessions()).isZero();
        assertThat(report.arms().get(3).system()).isEqualTo(ExperimentReport.NOT_IN_SPLIT);

        // base has no sessions yet: compared are tuned and stray against the control
        assertThat(report.comparisons()).extracting(ProportionComparison::treatment).containsExactly("tuned", "stray");
        ProportionComparison tuned = report.comparisons().get(0);
        double pooled = 80.0 / 700;
        double z = (0.12 - 0.10) / Math.sqrt(pooled * (1 - pooled) * (1.0 / 200 + 1.0 / 500));
        double se = Math.sqrt(0.1 * 0.9 / 200 + 0.12 * 0.88 / 500);
        assertThat(tuned.z()).isCloseTo(z, within(1e-12));
        assertThat(tuned.absoluteLift()).isCloseTo(0.02, within(1e-15));
        assertThat(tuned.ciLow()).isCloseTo(0.02 - 1.959963984540054 * se, within(1e-12));
        assertThat(tuned.ciHigh()).isCloseTo(0.02 + 1.959963984540054 * se, within(1e-12));

        assertThat(report.guardrails()).extracting(ExperimentReport.Guardrails::arm).containsExactly("control", "base", "tuned", "stray");
        ExperimentReport.Guardrails controlGuards = report.guardrails().get(0);
        assertThat(controlGuards.handoffRate()).isEqualTo(0.1);
        assertThat(controlGuards.latencyP95Ms()).isEqualTo(95L); // the 95th of 100 values
        ExperimentReport.Guardrails tunedGuards = report.guardrails().get(2);
        assertThat(tunedGuards.handoffRate()).isEqualTo(0.15);
        assertThat(tunedGuards.complianceBlocks()).isEqualTo(2);
        assertThat(tunedGuards.latencyP95Ms()).isEqualTo(190L); // rank ceil(0.95 * 20) = 19
        assertThat(report.guardrails().get(1).latencyP95Ms()).isNull();
        assertThat(report.toText()).contains("tuned vs control").contains("Guardrails").doesNotContain("Plan");
    }

    @Test
    void thePlanForTheArticlesEffectIsTheTwoProportionFormula() {
        List<ExperimentReport.ArmTally> tallies = List.of(new ExperimentReport.ArmTally("control", 1000, 125, 0, 0, 0, new long[0]),
                new ExperimentReport.ArmTally("tuned", 20000, 2700, 0, 0, 0, new long[0]));
        ExperimentReport report = ExperimentReport.of(SPLIT, tallies, 0.95, new ExperimentReport.PlannedEffect(0.125, 0.135, 0.05, 0.8));
        // n = (z(0.975) sqrt(2 pbar (1 - pbar)) + z(0.8) sqrt(p1 (1 - p1) + p2 (1 - p2)))^2 / (p2 - p1)^2, pbar = 0.13
        double root = 1.959963984540054 * Math.sqrt(2 * 0.13 * 0.87) + 0.8416212335729143 * Math.sqrt(0.125 * 0.875 + 0.135 * 0.865);
        double n = root * root / (0.01 * 0.01);
        assertThat(n).isCloseTo(17752.98, within(0.01));
        assertThat(report.plan().exact()).isCloseTo(n, within(1e-6));
        assertThat(report.plan().perArm()).isEqualTo(17753);
        assertThat(report.plan().stillNeeded()).containsExactly(java.util.Map.entry("control", 17753L - 1000),
                java.util.Map.entry("base", 17753L), java.util.Map.entry("tuned", 0L));
        assertThat(report.toText()).contains("needs 17753 sessions per arm");

        // without --p1 the control's observed rate (125 / 1000) is the baseline
        assertThat(ExperimentReport.of(SPLIT, tallies, 0.95, new ExperimentReport.PlannedEffect(null, 0.135, 0.05, 0.8)).plan().perArm())
                .isEqualTo(17753);
        List<ExperimentReport.ArmTally> noConversions = List.of(new ExperimentReport.ArmTally("control", 10, 0, 0, 0, 0, new long[0]));
        assertThatThrownBy(() -> ExperimentReport.of(SPLIT, noConversions, 0.95, new ExperimentReport.PlannedEffect(null, 0.1, 0.05, 0.8)))
                .hasMessageContaining("give --p1");
    }

    private static double sq(double x) {
        return x * x;
    }
}
