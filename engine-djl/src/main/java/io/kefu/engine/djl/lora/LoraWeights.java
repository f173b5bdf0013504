package io.kefu.engine.djl.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.engine.djl.torch.Casts;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.train.LoraConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * LoRA matrices for the targeted linear layers of a decoder: {@code y = W x + scale * B (A dropout(x))}
 * with {@code A [r, in]} and {@code B [out, r]}, named as PEFT names them
 * ({@code base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight}).
 * Owns an NDManager; {@link #close()} frees the matrices.
 */
public final class LoraWeights implements AutoCloseable {
    /** PEFT's prefix in front of a transformers module path. */
    public static final String PEFT_PREFIX = "base_model.model.";

    private final LoraConfig config;
    private final NDManager manager;
    private final Map<String, NDArray[]> modules;
    private final NDArray scale;

    private LoraWeights(LoraConfig config, NDManager manager, Map<String, NDArray[]> modules) {
        this.config = config;
        this.manager = manager;
        this.modules = Collections.unmodifiableMap(modules);
        // a 0-d array that stays alive as long as the weights: scalar operands freed before
        // backward corrupt gradients in DJL's PyTorch engine
        this.scale = manager.create((float) config.scale());
    }

    /**
     * PEFT's initialisation: A from Kaiming-uniform with a = sqrt(5) (uniform in +-1/sqrt(in)),
     * B zeros, so the adapted model starts equal to the base.
     */
    public static LoraWeights initialise(HfModelConfig model, LoraConfig lora, long seed, NDManager parent) {
        DecoderLayout layout = DecoderLayout.of(model);
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (int layer = 0; layer < model.numHiddenLayers(); layer++) {
            for (String proj : targetsInModuleOrder(lora)) {
                int[] io = layout.linearFeatures(proj);
                int in = io[0];
                int out = io[1];
                double bound = 1.0 / Math.sqrt(in);
                float[] a = new float[lora.rank() * in];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (random.nextDouble() * 2 * bound - bound);
                }
                String module = DecoderLayout.modulePath(layer, proj);
                values.put(tensorName(module, "A"), a);
                values.put(tensorName(module, "B"), new float[out * lora.rank()]);
            }
        }
        return of(model, lora, values, parent);
    }

    /**
     * Wraps PEFT tensors (by PEFT name) for a model.
     *
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} naming a missing or misshapen tensor
     */
    public static LoraWeights of(HfModelConfig model, LoraConfig lora, Map<String, float[]> tensors, NDManager parent) {
        DecoderLayout layout = DecoderLayout.of(model);
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray[]> modules = new LinkedHashMap<>();
            for (int layer = 0; layer < model.numHiddenLayers(); layer++) {
                for (String proj : targetsInModuleOrder(lora)) {
                    String module = DecoderLayout.modulePath(layer, proj);
                    String a = tensorName(module, "A");
                    String b = tensorName(module, "B");
                    if (!tensors.containsKey(a) && !tensors.containsKey(b)) {
                        continue; // PEFT may adapt only some layers
                    }
                    int[] io = layout.linearFeatures(proj);
                    modules.put(module, new NDArray[] {create(manager, tensors, a, lora.rank(), io[0]),
                            create(manager, tensors, b, io[1], lora.rank())});
                }
            }
            if (modules.isEmpty()) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "adapter holds no LoRA tensor for the targets "
                        + lora.targets() + " of this " + model.architecture().className() + " model");
            }
            return new LoraWeights(lora, manager, modules);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Wraps a PEFT adapter's tensors for a model, after checking their shapes against it. */
    public static LoraWeights of(HfModelConfig model, PeftAdapter adapter, NDManager parent) {
        adapter.validateAgainst(model);
        Map<String, float[]> values = new LinkedHashMap<>();
        adapter.tensors().forEach((name, tensor) -> values.put(name, tensor.data()));
        return of(model, adapter.config(), values, parent);
    }

    /** @return the weights as a PEFT adapter */
    public PeftAdapter toAdapter(String baseModel) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray[]> e : modules.entrySet()) {
            for (int i = 0; i < 2; i++) {
                NDArray array = e.getValue()[i];
                out.put(tensorName(e.getKey(), i == 0 ? "A" : "B"),
                        new FloatTensor(array.getShape().getShape(), array.toFloatArray()));
            }
        }
        return PeftAdapter.of(config, baseModel, out);
    }

    private static NDArray create(NDManager manager, Map<String, float[]> tensors, String name, int rows, int cols) {
        float[] v = tensors.get(name);
        if (v == null) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "adapter has no tensor '" + name
                    + "' although its config targets that module");
        }
        if (v.length != (long) rows * cols) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "adapter tensor '" + name + "' has " + v.length
                    + " values but the model and rank need [" + rows + ", " + cols + "]");
        }
        NDArray array = manager.create(v, new Shape(rows, cols));
        array.setName(name);
        return array;
    }

    /** @return the targeted projections in transformers' module order */
    public static List<String> targetsInModuleOrder(LoraConfig lora) {
        List<String> out = new ArrayList<>();
        for (String proj : LoraConfig.LINEAR_MODULES) {
            if (lora.targets().contains(proj)) {
                out.add(proj);
            }
        }
        return out;
    }

    /** @return PEFT's name of a module's {@code lora_A} or {@code lora_B} weight */
    public static String tensorName(String modulePath, String which) {
        return PEFT_PREFIX + modulePath + ".lora_" + which + ".weight";
    }

    /** @return the settings */
    public LoraConfig config() {
        return config;
    }

    /** @return the {@code [A, B]} of a module, or null when it is not targeted */
    public NDArray[] find(String modulePath) {
        return modules.get(modulePath);
    }

    /** @return every trainable matrix, A then B per module, in module order */
    public List<NDArray> parameters() {
        List<NDArray> out = new ArrayList<>();
        for (NDArray[] ab : modules.values()) {
            out.add(ab[0]);
            out.add(ab[1]);
        }
        return out;
    }

    /** @return PEFT tensor name to values, in module order */
    public Map<String, float[]> toTensors() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray[]> e : modules.entrySet()) {
            out.put(tensorName(e.getKey(), "A"), e.getValue()[0].toFloatArray());
            out.put(tensorName(e.getKey(), "B"), e.getValue()[1].toFloatArray());
        }
        return out;
    }

    /** @return the number of trainable parameters */
    public long parameterCount() {
        long n = 0;
        for (NDArray a : parameters()) {
            n += a.size();
        }
        return n;
    }

    /**
     * Adds the low-rank update of a module to its base output.
     *
     * @param training whether dropout applies; its randomness comes from libtorch's generator
     */
    public NDArray addUpdate(String modulePath, NDArray x, NDArray baseOutput, boolean training) {
        return addUpdate(modulePath, x, baseOutput, training, DataType.FLOAT32);
    }

    /**
     * As {@link #addUpdate(String, NDArray, NDArray, boolean)}, with the two products in {@code products}
     * (FLOAT16 for mixed precision: the input after dropout and A and B are cast to fp16, the update back
     * to fp32 before it is scaled and added; A and B and their gradients stay fp32).
     */
    public NDArray addUpdate(String modulePath, NDArray x, NDArray baseOutput, boolean training, DataType products) {
        NDArray[] ab = modules.get(modulePath);
        if (ab == null) {
            return baseOutput;
        }
        NDArray in = training && config.dropout() > 0 ? Dropout.dropout(x, (float) config.dropout(), true).singletonOrThrow() : x;
        NDArray up;
        if (products == DataType.FLOAT32) {
            up = Linear.linear(Linear.linear(in, ab[0]).singletonOrThrow(), ab[1]).singletonOrThrow();
        } else {
            NDArray low = Linear.linear(Casts.to(in, products), Casts.to(ab[0], products)).singletonOrThrow();
            up = Casts.to(Linear.linear(low, Casts.to(ab[1], products)).singletonOrThrow(), DataType.FLOAT32);
        }
        return baseOutput.add(up.mul(scale));
    }

    @Override
    public void close() {
        manager.close();
    }
}
