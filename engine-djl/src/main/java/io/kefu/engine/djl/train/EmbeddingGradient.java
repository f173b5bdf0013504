package io.kefu.engine.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.kefu.engine.djl.torch.GradMode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Adds the gradient of a token embedding table for the rows a micro-batch looked up.
 *
 * <p>Autograd's embedding backward builds a dense {@code [vocab, hidden]} gradient every micro-batch
 * (zeros, the looked-up rows, then an add into the table's gradient, plus one more add when the
 * output head shares the table): with a 128k vocabulary that is over a gigabyte of memory traffic for
 * the few hundred rows a micro-batch touches. Training looks the embeddings up without a graph,
 * takes their gradient as a leaf's, and adds it here row by row.
 */
final class EmbeddingGradient {
    private EmbeddingGradient() {
    }

    /**
     * Adds {@code rowGradients[i]} to row {@code ids[i]} of the table's gradient (rows of repeated ids
     * summed in order).
     *
     * @param table the embedding table, which requires a gradient
     * @param ids the looked-up token ids
     * @param rowGradients the gradient of each lookup, {@code [ids.length, hidden]}
     */
    static void add(NDArray table, long[] ids, NDArray rowGradients) {
        int width = Math.toIntExact(table.getShape().get(1));
        float[] values = rowGradients.toFloatArray();
        Map<Long, Integer> slots = new HashMap<>();
        long[] rows = new long[ids.length];
        float[] sums = new float[ids.length * width];
        for (int i = 0; i < ids.length; i++) {
            int slot = slots.computeIfAbsent(ids[i], id -> slots.size());
            rows[slot] = ids[i];
            for (int j = 0; j < width; j++) {
                sums[slot * width + j] += values[i * width + j];
            }
        }
        int unique = slots.size();
        try (NDScope scope = new NDScope()) {
            NDManager manager = rowGradients.getManager();
            NDIndex at = new NDIndex("{}", manager.create(Arrays.copyOf(rows, unique)));
            NDArray sum = manager.create(Arrays.copyOf(sums, unique * width), new Shape(unique, width));
            PtNDArray gradient = JniUtils.getGradient((PtNDArray) table);
            if (gradient == null) {
                // no gradient tensor yet (an untied table before its first update): autograd makes it from these rows
                try (GradMode recording = GradMode.on()) {
                    JniUtils.backward((PtNDArray) table.get(at), (PtNDArray) sum, false, false);
                }
            } else {
                try (GradMode noGrad = GradMode.off()) {
                    gradient.set(at, gradient.get(at).add(sum));
                }
            }
        }
    }
}
