/**
 * The regression gate of the monthly loop: whether a retrained candidate may replace the system in
 * production. The candidate and the baseline are scored on the same held-out examples; for each chosen
 * metric (business checks, BLEU, ROUGE; {@link io.kefu.eval.gate.GateMetric}) a seeded paired bootstrap
 * ({@link io.kefu.eval.gate.PairedBootstrap}) gives an interval of candidate minus baseline, and the
 * gate ({@link io.kefu.eval.gate.RegressionGate}) refuses the candidate when any interval lies entirely
 * on the worse side of the margin ({@link io.kefu.eval.gate.GateReport}).
 */
package io.kefu.eval.gate;
