package io.kefu.engine.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.HfModelConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a decoder as fp32 NDArrays, by their Hugging Face names ({@link DecoderLayout}).
 * Owns the NDManager that holds them; {@link #close()} frees them.
 */
public final class DecoderWeights implements AutoCloseable {
    private final HfModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> tensors;

    private DecoderWeights(HfModelConfig config, NDManager manager, Map<String, NDArray> tensors) {
        this.config = config;
        this.manager = manager;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * Loads every tensor the config implies from a checkpoint, widening bf16/fp16 to fp32.
     *
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} naming a missing or misshapen tensor
     */
    public static DecoderWeights load(Checkpoint checkpoint, NDManager parent) {
        checkpoint.validateLayout();
        HfModelConfig config = checkpoint.config();
        DecoderLayout layout = DecoderLayout.of(config);
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String name : layout.names()) {
                long[] shape = layout.shape(name);
                float[] values = checkpoint.readFloats(name, shape);
                NDArray array = manager.create(values, new Shape(shape));
                array.setName(name);
                tensors.put(name, array);
            }
            return new DecoderWeights(config, manager, tensors);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Wraps fp32 values (one array per name of the config's layout). */
    public static DecoderWeights of(HfModelConfig config, Map<String, float[]> values, NDManager parent) {
        DecoderLayout layout = DecoderLayout.of(config);
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String name : layout.names()) {
                float[] v = values.get(name);
                if (v == null) {
                    throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "no values for tensor '" + name + "'");
                }
                tensors.put(name, manager.create(v, new Shape(layout.shape(name))));
            }
            return new DecoderWeights(config, manager, tensors);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** @return the model's config */
    public HfModelConfig config() {
        return config;
    }

    /** @return the manager that owns the weights */
    public NDManager manager() {
        return manager;
    }

    /** @return the tensor names, in module order */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** @return a tensor, or null when the model has none of that name (e.g. a bias it lacks) */
    public NDArray find(String name) {
        return tensors.get(name);
    }

    /** @return a tensor that must exist */
    public NDArray get(String name) {
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new KefuException(ErrorCode.INTERNAL, "model has no tensor '" + name + "'");
        }
        return a;
    }

    /** @return the output head: lm_head, or the embeddings when they are tied */
    public NDArray outputHead() {
        return config.tieWordEmbeddings() ? get("model.embed_tokens.weight") : get("lm_head.weight");
    }

    /** @return every tensor by name */
    public Map<String, NDArray> all() {
        return tensors;
    }

    /** @return the number of parameters */
    public long parameterCount() {
        long n = 0;
        for (NDArray a : tensors.values()) {
            n += a.size();
        }
        return n;
    }

    /** @return a tensor's values as fp32 */
    public float[] floats(String name) {
        NDArray a = get(name);
        if (a.getDataType() != DataType.FLOAT32) {
            throw new KefuException(ErrorCode.INTERNAL, "tensor '" + name + "' is " + a.getDataType());
        }
        return a.toFloatArray();
    }

    @Override
    public void close() {
        manager.close();
    }
}
