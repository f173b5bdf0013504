/**
 * The JNA binding of {@code native/include/kefu_trtllm.h}: structures laid out as the header's,
 * one status check, and handles that free native memory on close. Not a public API.
 */
package io.kefu.engine.trtllm.internal;
