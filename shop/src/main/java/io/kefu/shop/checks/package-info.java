/**
 * Business checks of one answer against the shop's facts: stock and sizes, prices, invented
 * promotions, banned absolute claims, hand-off ({@link io.kefu.shop.checks.BusinessChecks}). The serving
 * policies use them to guard answers and the evaluator to score them, so both judge alike.
 */
package io.kefu.shop.checks;
