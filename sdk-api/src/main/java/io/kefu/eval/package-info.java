/**
 * Scoring a model: an {@link io.kefu.eval.Evaluator} runs a {@link io.kefu.chat.ChatModel} over a
 * held-out {@link io.kefu.data.Dataset} and returns an {@link io.kefu.eval.EvaluationReport}.
 * {@link io.kefu.eval.Evaluator#standard()} comes from the {@code io.kefu:eval} module, whose own
 * packages ({@code io.kefu.eval.metrics} and its siblings) are not part of this API.
 */
package io.kefu.eval;
