/**
 * Decoding shared by every engine: an engine implements {@link io.kefu.core.generate.Decoder} (prefill
 * and one-token steps over its own key/value cache), and {@link io.kefu.core.generate.GenerationLoop}
 * does the rest the same way for all of them: sampling ({@link io.kefu.core.generate.Sampler}),
 * stopping ({@link io.kefu.core.generate.StopCondition}), UTF-8-safe streaming
 * ({@link io.kefu.core.generate.IncrementalDetokenizer}), responses and cancellable streams.
 * Engines whose decoder can add and drop rows of a running batch
 * ({@link io.kefu.core.generate.JoinableDecoder}) serve concurrent calls through a
 * {@link io.kefu.core.generate.ContinuousBatcher}, which applies the same per-row rules.
 */
package io.kefu.core.generate;
