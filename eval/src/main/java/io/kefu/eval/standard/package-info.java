/**
 * The standard evaluator: runs a {@link io.kefu.chat.ChatModel} over a held-out set
 * ({@link io.kefu.eval.standard.StandardEvaluator}), scores every answer with the text metrics of
 * {@link io.kefu.eval.metrics} and the business checks of {@link io.kefu.shop.checks},
 * and reports overall, per intent and per strategy ({@link io.kefu.eval.standard.SystemReport},
 * {@link io.kefu.eval.standard.ComparisonReport}). Sub-packages: {@code baseline} (the rules
 * control arm), {@code rating} (blind human rating and Krippendorff's alpha), {@code ab} (A/B test
 * statistics), {@code csv} (CSV and atomic file writing).
 */
package io.kefu.eval.standard;
