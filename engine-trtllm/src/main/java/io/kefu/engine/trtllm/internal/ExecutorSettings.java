package io.kefu.engine.trtllm.internal;

/**
 * {@code kefu_trtllm_executor_config}; zeros mean the library's defaults.
 *
 * @param maxBatchSize requests decoded together
 * @param maxNumTokens tokens per iteration
 * @param maxQueueSize waiting requests before enqueue reports a full queue (0: unbounded)
 * @param kvCacheFreeGpuMemoryFraction share of free GPU memory for the KV cache
 * @param kvCacheMaxTokens cap on KV-cache tokens
 * @param kvCacheBlockReuse whether to reuse KV blocks of shared prefixes
 * @param loraCacheMaxAdapters adapters kept on the device
 */
public record ExecutorSettings(int maxBatchSize, int maxNumTokens, int maxQueueSize, float kvCacheFreeGpuMemoryFraction,
                               int kvCacheMaxTokens, boolean kvCacheBlockReuse, int loraCacheMaxAdapters) {
}
