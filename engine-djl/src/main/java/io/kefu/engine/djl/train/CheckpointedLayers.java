package io.kefu.engine.djl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.torch.GradMode;
import io.kefu.engine.djl.torch.Torch;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient checkpointing per decoder layer: the forward pass runs without a graph and keeps only
 * each layer's input; the backward pass recomputes one layer at a time with a graph, from the
 * kept input and with the same dropout seed, and back-propagates the gradient of its output into
 * the trained weights and into its input. Activations in memory: one {@code [B, T, hidden]} array
 * per layer plus one layer's graph, instead of every layer's graph.
 *
 * <p>Call with a gradient collector open on this thread: {@link #forward} then {@link #backward}
 * once, after the gradient of {@link #hidden()} has been back-propagated into the last layer's output.
 */
final class CheckpointedLayers {
    private final DecoderModel model;
    private final NDArray positions;
    private final NDArray mask;
    private final LoraWeights lora;
    private final boolean inputNeedsGradient;
    private final int[] seeds;
    private final List<NDArray> inputs = new ArrayList<>();
    private final NDArray top;
    private final NDArray hidden;

    private CheckpointedLayers(DecoderModel model, NDArray embeddings, NDArray positions, NDArray mask, LoraWeights lora,
                               boolean inputNeedsGradient) {
        this.model = model;
        this.positions = positions;
        this.mask = mask;
        this.lora = lora;
        this.inputNeedsGradient = inputNeedsGradient;
        this.seeds = model.dropoutSeeds(embeddings.getManager());
        NDArray x = embeddings.stopGradient();
        try (GradMode noGrad = GradMode.off()) {
            for (int i = 0; i < model.layerCount(); i++) {
                inputs.add(x);
                x = runLayer(i, x);
            }
        }
        this.top = x;
        top.setRequiresGradient(true);
        this.hidden = model.finalNorm(top);
    }

    /**
     * Runs the layers forward, keeping their inputs.
     *
     * @param embeddings the first layer's input
     * @param inputNeedsGradient whether {@link #backward} must return the gradient of the embeddings
     */
    static CheckpointedLayers forward(DecoderModel model, NDArray embeddings, NDArray positions, NDArray mask, LoraWeights lora,
                                      boolean inputNeedsGradient) {
        return new CheckpointedLayers(model, embeddings, positions, mask, lora, inputNeedsGradient);
    }

    /** @return the final-normed hidden states, with a graph back to the last layer's output */
    NDArray hidden() {
        return hidden;
    }

    /**
     * Recomputes each layer, last to first, and back-propagates through it.
     *
     * @return the gradient of the embeddings when asked for at {@link #forward}, else null
     */
    NDArray backward() {
        NDArray gradient = top.getGradient();
        for (int i = model.layerCount() - 1; i >= 0; i--) {
            NDArray input = inputs.get(i);
            boolean needInput = i > 0 || inputNeedsGradient;
            if (needInput) {
                input.setRequiresGradient(true);
            }
            NDArray next;
            try (NDScope scope = new NDScope()) {
                Torch.engine().setRandomSeed(seeds[i]);
                NDArray output = model.layer(i, input, positions, mask, null, lora, true);
                JniUtils.backward((PtNDArray) output, (PtNDArray) gradient, false, false);
                next = needInput ? input.getGradient().duplicate() : null;
                if (next != null) {
                    NDScope.unregister(next);
                }
            }
            gradient.close();
            input.close();
            gradient = next;
        }
        return gradient;
    }

    private NDArray runLayer(int index, NDArray x) {
        Torch.engine().setRandomSeed(seeds[index]);
        try (NDScope scope = new NDScope()) {
            NDArray y = model.layer(index, x, positions, mask, null, lora, true);
            NDScope.unregister(y);
            return y;
        }
    }
}
