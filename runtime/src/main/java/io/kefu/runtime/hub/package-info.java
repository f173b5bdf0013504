/**
 * Downloads model checkpoints from the Hugging Face hub (or a mirror) into the same cache that
 * Python's {@code huggingface_hub} uses, so a model fetched by either is found by the other.
 * {@link io.kefu.runtime.hub.Hub#resolve(io.kefu.model.ModelRef)} is the entry point engines call;
 * {@link io.kefu.runtime.hub.HubClient} is the configurable client behind it.
 *
 * <p>Every downloaded byte is verified before it is cached: against the hash the ETag names (sha256
 * for LFS files, the git blob id for small ones), or, when a mirror sends an ETag that names no
 * hash, against the size and hash the hub's API lists for the file; a file that can be checked
 * neither way is refused. A download that does not fit the disk, or a write that fails because it
 * is full, is reported as a full disk ({@link io.kefu.ErrorCode#RESOURCE_EXHAUSTED}), not retried.
 */
package io.kefu.runtime.hub;
