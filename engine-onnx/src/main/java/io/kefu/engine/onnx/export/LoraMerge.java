package io.kefu.engine.onnx.export;

import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.PeftAdapter;
import java.nio.file.Path;

/**
 * Base weights with a PEFT LoRA adapter merged in: {@code W + scale * B A}, computed in fp32, where
 * {@code scale} is the adapter's {@link io.kefu.train.LoraConfig#scale()} ({@code alpha / r}, or
 * {@code alpha / sqrt(r)} with rsLoRA). Tensors the adapter does not touch are passed through.
 */
final class LoraMerge implements WeightSource {
    private static final String PREFIX = "base_model.model.";

    private final WeightSource base;
    private final PeftAdapter adapter;
    private final double scale;

    private LoraMerge(WeightSource base, PeftAdapter adapter) {
        this.base = base;
        this.adapter = adapter;
        this.scale = adapter.config().scale();
    }

    /**
     * Loads the adapter and checks every tensor against the base config.
     *
     * @throws io.kefu.KefuException {@link io.kefu.ErrorCode#NOT_FOUND} when the adapter files are missing,
     *     {@link io.kefu.ErrorCode#INVALID_CHECKPOINT} naming the file and tensor when they do not fit the base
     */
    static LoraMerge over(WeightSource base, Path adapterDir) {
        PeftAdapter adapter = PeftAdapter.load(adapterDir);
        adapter.validateAgainst(base.config());
        return new LoraMerge(base, adapter);
    }

    @Override
    public HfModelConfig config() {
        return base.config();
    }

    @Override
    public boolean contains(String name) {
        return base.contains(name);
    }

    @Override
    public float[] read(String name, long... shape) {
        float[] w = base.read(name, shape);
        if (!name.endsWith(".weight") || shape.length != 2) {
            return w;
        }
        String module = name.substring(0, name.length() - ".weight".length());
        FloatTensor a = adapter.tensors().get(PREFIX + module + ".lora_A.weight");
        FloatTensor b = adapter.tensors().get(PREFIX + module + ".lora_B.weight");
        if (a == null || b == null) {
            return w;
        }
        int out = (int) shape[0];
        int in = (int) shape[1];
        int rank = (int) a.dim(0);
        float[] aw = a.data();
        float[] bw = b.data();
        float[] merged = w.clone();
        for (int o = 0; o < out; o++) {
            int row = o * in;
            for (int k = 0; k < rank; k++) {
                float coefficient = (float) (scale * bw[o * rank + k]);
                int aRow = k * in;
                for (int i = 0; i < in; i++) {
                    merged[row + i] += coefficient * aw[aRow + i];
                }
            }
        }
        return merged;
    }
}
