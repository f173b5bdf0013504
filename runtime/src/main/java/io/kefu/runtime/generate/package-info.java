/**
 * Decoding shared by every engine: an engine implements {@link io.kefu.runtime.generate.Decoder} (prefill
 * and one-token steps over its own key/value cache), and {@link io.kefu.runtime.generate.GenerationLoop}
 * does the rest the same way for all of them: sampling ({@link io.kefu.runtime.generate.Sampler}),
 * stopping ({@link io.kefu.runtime.generate.StopCondition}), UTF-8-safe streaming
 * ({@link io.kefu.runtime.generate.IncrementalDetokenizer}), responses and cancellable streams.
 * Engines whose decoder can add and drop rows of a running batch
 * ({@link io.kefu.runtime.generate.JoinableDecoder}) serve concurrent calls through a
 * {@link io.kefu.runtime.generate.ContinuousBatcher}, which applies the same per-row rules.
 */
package io.kefu.runtime.generate;
