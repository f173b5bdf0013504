/**
 * Downloads model checkpoints from the Hugging Face hub (or a mirror) into the same cache that
 * Python's {@code huggingface_hub} uses, so a model fetched by either is found by the other.
 * {@link io.kefu.runtime.hub.Hub#resolve(io.kefu.model.ModelRef)} is the entry point engines call;
 * {@link io.kefu.runtime.hub.HubClient} is the configurable client behind it.
 */
package io.kefu.runtime.hub;
