/**
 * Training data: reading Alpaca, OpenAI {@code messages} and ShareGPT records from JSON or JSONL
 * ({@link io.kefu.runtime.data.DatasetLoader}, {@link io.kefu.runtime.data.FieldMapping}), validating them
 * with located problems ({@link io.kefu.runtime.data.DatasetValidator}: file, line, field, reason),
 * deduplication, statistics and writing examples back as JSONL.
 */
package io.kefu.runtime.data;
