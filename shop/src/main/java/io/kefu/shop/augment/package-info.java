/**
 * More training data: examples filled from catalog templates, synonym rewrites, paraphrases through
 * any chat model with filters, and rejected answers for preference data; each with its provenance.
 */
package io.kefu.shop.augment;
