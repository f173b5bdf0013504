package io.kefu.engine.djl.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.CheckpointWriter;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.format.TensorSpec;
import io.kefu.engine.djl.torch.GradMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code W + scale * B * A} for every adapted linear layer (fp32 arithmetic) and copies every
 * other tensor, one tensor at a time: only one weight matrix is ever in the heap, so merging a
 * large model needs little memory. Each tensor keeps its stored dtype.
 */
public final class AdapterMerger {
    private AdapterMerger() {
    }

    /**
     * Writes the merged weights of {@code base} and {@code adapter} as safetensors (sharded above
     * {@code maxShardBytes}) into {@code out}.
     *
     * @param dtype the stored dtype of every tensor, or null to keep each tensor's dtype in the base
     */
    public static void writeWeights(Checkpoint base, PeftAdapter adapter, Path out, Dtype dtype, long maxShardBytes,
                                    NDManager parent) {
        HfModelConfig config = base.config();
        base.validateLayout();
        adapter.validateAgainst(config);
        DecoderLayout layout = DecoderLayout.of(config);
        List<TensorSpec> specs = new ArrayList<>();
        for (String name : layout.names()) {
            specs.add(new TensorSpec(name, dtype != null ? dtype : base.tensor(name).dtype(), layout.shape(name)));
        }
        float scale = (float) adapter.config().scale();
        try (NDManager manager = parent.newSubManager();
             CheckpointWriter writer = CheckpointWriter.create(out, specs, maxShardBytes, Map.of("format", "pt"))) {
            for (String name : layout.names()) {
                String module = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
                String a = module == null ? null : "base_model.model." + module + ".lora_A.weight";
                String b = module == null ? null : "base_model.model." + module + ".lora_B.weight";
                if (a != null && adapter.tensors().containsKey(a)) {
                    writer.write(name, merged(manager, base.readFloats(name), layout.shape(name),
                            adapter.tensor(a), adapter.tensor(b), scale));
                } else {
                    writer.write(name, base.readFloats(name));
                }
            }
            writer.finish();
        }
    }

    private static float[] merged(NDManager parent, float[] weight, long[] shape, FloatTensor a, FloatTensor b, float scale) {
        try (GradMode noGrad = GradMode.off(); NDManager m = parent.newSubManager()) {
            NDArray w = m.create(weight, new Shape(shape));
            NDArray delta = m.create(b.data(), new Shape(b.shape())).matMul(m.create(a.data(), new Shape(a.shape())));
            return w.add(delta.mul(scale)).toFloatArray();
        }
    }
}
