package io.kefu.engine.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;

/**
 * Walks same-sized tensors together in flat chunks of a few hundred thousand elements, each chunk
 * in its own {@link NDScope}.
 *
 * <p>Why: element-wise work over a whole 100M-element parameter set makes every temporary as large
 * as the largest tensor (a 128k-vocabulary embedding is 260 MB). Allocations that large are mapped
 * afresh by the allocator each time, so every temporary costs a page fault per 4 KB, and each op
 * streams the whole tensor through memory. Chunk-sized temporaries are freed before the next chunk,
 * reused by the allocator, and stay in cache across the ops on a chunk. The ops on each element are
 * the same, so results are identical to whole-tensor ops.
 */
final class FlatChunks {
    /** Elements per chunk: 1 MB of fp32 per tensor, so a chunk's working set fits in cache. */
    static final long DEFAULT_SIZE = 1 << 18;

    /** The work on one chunk: views of the tensors, in the order given. */
    interface Body {
        void apply(NDArray[] chunk);
    }

    private FlatChunks() {
    }

    /**
     * Runs {@code body} on successive flat views of the tensors, which must hold the same number of
     * contiguous elements; in-place ops on the views update the tensors.
     */
    static void forEach(long chunkSize, Body body, NDArray... tensors) {
        long n = tensors[0].size();
        try (NDScope scope = new NDScope()) {
            NDArray[] flat = new NDArray[tensors.length];
            for (int i = 0; i < tensors.length; i++) {
                if (tensors[i].size() != n) {
                    throw new IllegalArgumentException("tensor " + i + " has " + tensors[i].size() + " elements, not " + n);
                }
                flat[i] = tensors[i].reshape(-1);
            }
            if (n <= chunkSize) {
                body.apply(flat);
                return;
            }
            for (long from = 0; from < n; from += chunkSize) {
                try (NDScope chunkScope = new NDScope()) {
                    NDIndex range = new NDIndex("{}:{}", from, Math.min(n, from + chunkSize));
                    NDArray[] views = new NDArray[flat.length];
                    for (int i = 0; i < flat.length; i++) {
                        views[i] = flat[i].get(range);
                    }
                    body.apply(views);
                }
            }
        }
    }
}
