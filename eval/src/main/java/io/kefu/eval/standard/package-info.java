/**
 * The standard evaluator: runs a {@link io.kefu.chat.ChatModel} over a held-out set
 * ({@link io.kefu.eval.standard.StandardEvaluator}), scores every answer with the text metrics of
 * {@link io.kefu.eval.metrics} and the business checks of {@link io.kefu.shop.checks},
 * and reports overall, per intent and per strategy ({@link io.kefu.eval.standard.SystemReport},
 * {@link io.kefu.eval.standard.ComparisonReport}, with PNG charts). Sibling packages of the
 * {@code eval} module: {@code metrics} (BLEU, ROUGE, distinct-n), {@code gate} (the regression gate
 * between two systems), {@code parity} (whether two systems decode alike), {@code rating} (blind human
 * rating and Krippendorff's alpha), {@code ab} (A/B test statistics), {@code csv} (CSV tables).
 *
 * <p>Module rule: the {@code eval} module depends on {@code shop}, {@code runtime} and {@code sdk-api};
 * nothing but the command line and the server depends on it, so an application that only serves
 * or calls a model does not carry jieba or XChart. Its packages sit under {@code io.kefu.eval}, whose
 * own package (the {@code Evaluator} interface) belongs to {@code sdk-api}.
 */
package io.kefu.eval.standard;
