package io.kefu.shop.checks;

import java.util.List;

/**
 * The business checks of one answer.
 *
 * @param findings the problems found; empty for a clean answer
 * @param factsFound whether the prompt had a facts block (fact checks are skipped without one)
 * @param handoffExpected whether the reference strategy/intent asks for a human
 * @param handoffGiven whether the answer hands off
 * @param strategyFollowed whether the answer shows the expected strategy's cues, or null when the strategy has no cues
 * @param length answer length in characters (code points)
 */
public record CheckResult(List<Finding> findings, boolean factsFound, boolean handoffExpected, boolean handoffGiven,
                          Boolean strategyFollowed, int length) {
    /** Copies the list. */
    public CheckResult {
        findings = List.copyOf(findings);
    }

    /** @return whether any finding is of this kind */
    public boolean has(Finding.Kind kind) {
        return findings.stream().anyMatch(f -> f.kind() == kind);
    }

    /** @return true when there are no findings */
    public boolean clean() {
        return findings.isEmpty();
    }
}
