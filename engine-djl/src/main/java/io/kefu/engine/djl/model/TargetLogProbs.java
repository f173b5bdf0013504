package io.kefu.engine.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

/**
 * Each hidden row's log-probability of its target token under the output head, computed a slice of
 * the vocabulary at a time with a running maximum and sum (the online softmax): neither the
 * {@code [rows, vocab]} logits nor an fp32 copy of a compact head is ever held, and each slice of a
 * compact head is widened once.
 *
 * <p>With {@code expectation}, the pass also accumulates each row's softmax-weighted mean of the
 * head's rows, which is all the backward pass through the head needs:
 * {@code d logp(target) / d hidden = head[target] - sum_v softmax_v * head[v]}.
 *
 * <p>Runs outside autograd; the arrays it returns are owned by the hidden rows' manager.
 */
public final class TargetLogProbs implements AutoCloseable {
    private final float[] values;
    private final NDArray targetRows;
    private final NDArray expectedRows;

    private TargetLogProbs(float[] values, NDArray targetRows, NDArray expectedRows) {
        this.values = values;
        this.targetRows = targetRows;
        this.expectedRows = expectedRows;
    }

    /**
     * @param head the output head {@code [vocab, hidden]}
     * @param sliceRows vocabulary rows computed together
     * @param hidden hidden rows {@code [rows, hidden]}, without a graph
     * @param targets each row's target token
     * @param expectation whether to accumulate what {@link #inputGradient} needs
     */
    static TargetLogProbs compute(FrozenTensor head, int sliceRows, NDArray hidden, long[] targets, boolean expectation) {
        NDManager manager = hidden.getManager();
        long vocab = head.shape()[0];
        long columns = head.shape()[1];
        NDArray targetRows = head.gatherRows(manager, targets);
        NDArray max = null;
        NDArray sum = null;
        NDArray weighted = null;
        try (NDArray scratch = head.resident() ? null
                : manager.create(new Shape(Math.min(vocab, sliceRows), columns), DataType.FLOAT32)) {
            for (long from = 0; from < vocab; from += sliceRows) {
                long to = Math.min(vocab, from + sliceRows);
                try (NDScope scope = new NDScope()) {
                    NDArray slice = head.widenRows(manager, from, to, scratch);
                    NDArray logits = Linear.linear(hidden, slice).singletonOrThrow();
                    NDArray sliceMax = logits.max(new int[] {1}, true);
                    NDArray newMax = max == null ? sliceMax : max.maximum(sliceMax);
                    NDArray exp = logits.subi(newMax).exp();
                    NDArray newSum = exp.sum(new int[] {1}, true);
                    NDArray newWeighted = expectation ? exp.matMul(slice) : null;
                    if (max != null) {
                        // rescale what earlier slices summed against the old maximum
                        NDArray correction = max.sub(newMax).exp();
                        newSum.addi(sum.mul(correction));
                        if (expectation) {
                            newWeighted.addi(weighted.mul(correction));
                        }
                        closeAll(max, sum, weighted);
                    }
                    max = newMax;
                    sum = newSum;
                    weighted = newWeighted;
                    NDScope.unregister(max, sum);
                    if (weighted != null) {
                        NDScope.unregister(weighted);
                    }
                }
            }
            float[] values;
            try (NDArray products = hidden.mul(targetRows);
                 NDArray targetLogits = products.sum(new int[] {1}, true);
                 NDArray logSum = sum.log();
                 NDArray logProbs = targetLogits.sub(max).subi(logSum)) {
                values = logProbs.toFloatArray();
            }
            NDArray expected = expectation ? weighted.divi(sum) : null;
            TargetLogProbs result = new TargetLogProbs(values, targetRows, expected);
            weighted = null;
            targetRows = null;
            return result;
        } finally {
            closeAll(max, sum, weighted, targetRows);
        }
    }

    private static void closeAll(NDArray... arrays) {
        for (NDArray array : arrays) {
            if (array != null) {
                array.close();
            }
        }
    }

    /** @return {@code log softmax(head x hidden)[target]} of each row */
    public float[] values() {
        return values.clone();
    }

    /**
     * @param weights {@code d loss / d logp(target)} of each row
     * @return {@code d loss / d hidden} of each row, {@code [rows, hidden]}, owned by the hidden rows' manager
     */
    public NDArray inputGradient(float[] weights) {
        if (expectedRows == null) {
            throw new IllegalStateException("computed without the expectation the gradient needs");
        }
        if (weights.length != values.length) {
            throw new IllegalArgumentException(weights.length + " weights for " + values.length + " rows");
        }
        NDManager manager = targetRows.getManager();
        try (NDArray perRow = manager.create(weights, new Shape(weights.length, 1))) {
            return targetRows.sub(expectedRows).muli(perRow);
        }
    }

    @Override
    public void close() {
        closeAll(targetRows, expectedRows);
    }
}
