/**
 * Whether two systems decode alike: the same prompt token ids, the same greedy tokens, the same
 * finish reason and log-probabilities within a tolerance ({@link io.kefu.eval.parity.DecodeComparison}),
 * over a set of requests ({@link io.kefu.eval.parity.ParityCheck}, {@link io.kefu.eval.parity.ParityReport}).
 * What {@code kefu verify} runs before production switches from a checkpoint to its export, and what
 * the cross-engine parity tests assert.
 */
package io.kefu.eval.parity;
