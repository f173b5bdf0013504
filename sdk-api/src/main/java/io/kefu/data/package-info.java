/**
 * Dialog data for training and evaluation: a {@link io.kefu.data.Dataset} of
 * {@link io.kefu.data.Example}s (Alpaca fields or multi-turn messages), loaded and validated from
 * JSON or JSONL, and split into train and test sets with a seed ({@link io.kefu.data.Split}).
 */
package io.kefu.data;
