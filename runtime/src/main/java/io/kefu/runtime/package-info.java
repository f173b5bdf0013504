/**
 * The {@code runtime} module: what every local engine needs to turn a Hugging Face checkpoint into
 * tokens and back — formats ({@link io.kefu.runtime.format}), tokenizers
 * ({@link io.kefu.runtime.tokenize}), chat templates ({@link io.kefu.runtime.template}), the
 * generation loop and continuous batching ({@link io.kefu.runtime.generate}), the hub client
 * ({@link io.kefu.runtime.hub}), dataset loading and validation ({@link io.kefu.runtime.data}) and
 * training config files ({@link io.kefu.runtime.config}).
 *
 * <p>Module rule: depends on {@code sdk-api} only among Kefu modules; knows nothing about shops,
 * policies, metrics, HTTP or any particular engine. This package holds
 * {@link io.kefu.runtime.DefaultCoreServices}, which backs the API's static factories
 * ({@code Dataset.load}, {@code Adapter.load}).
 */
package io.kefu.runtime;
