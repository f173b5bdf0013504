package io.kefu.engine.onnx.export;

import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.HfModelConfig;

/** Weights read straight from a checkpoint. */
final class CheckpointWeights implements WeightSource {
    private final Checkpoint checkpoint;

    CheckpointWeights(Checkpoint checkpoint) {
        this.checkpoint = checkpoint;
    }

    @Override
    public HfModelConfig config() {
        return checkpoint.config();
    }

    @Override
    public boolean contains(String name) {
        return checkpoint.contains(name);
    }

    @Override
    public float[] read(String name, long... shape) {
        return checkpoint.readFloats(name, shape);
    }
}
