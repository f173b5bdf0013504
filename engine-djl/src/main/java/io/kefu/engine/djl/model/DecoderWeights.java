package io.kefu.engine.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.TensorInfo;
import io.kefu.runtime.quant.HalfPrecision;
import io.kefu.runtime.quant.Nf4;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The weights of a decoder by their Hugging Face names ({@link DecoderLayout}), each kept as
 * {@link WeightStorage} says: fp32 arrays, or compact {@link FrozenTensor}s the forward pass widens
 * one layer at a time. Owns the NDManager that holds them; {@link #close()} frees them.
 */
public final class DecoderWeights implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DecoderWeights.class);
    /** Bytes of a mapped checkpoint region that can be used in place (a Java buffer holds at most 2 GiB). */
    private static final long MAPPABLE_BYTES = Integer.MAX_VALUE;

    private final HfModelConfig config;
    private final WeightStorage storage;
    private final NDManager manager;
    private final Map<String, FrozenTensor> tensors;

    private DecoderWeights(HfModelConfig config, WeightStorage storage, NDManager manager, Map<String, FrozenTensor> tensors) {
        this.config = config;
        this.storage = storage;
        this.manager = manager;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * Loads every tensor the config implies from a checkpoint, widening bf16/fp16 to fp32.
     *
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} naming a missing or misshapen tensor
     */
    public static DecoderWeights load(Checkpoint checkpoint, NDManager parent) {
        return load(checkpoint, parent, WeightStorage.FP32);
    }

    /**
     * Loads every tensor the config implies from a checkpoint, tensor by tensor, straight into the
     * storage's form: a 16-bit checkpoint kept in its own dtype is used in place (its mapped file
     * region), anything else is read as fp32 one tensor at a time and converted. Nothing holds a
     * whole-model fp32 copy.
     *
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} naming a missing or misshapen tensor
     */
    public static DecoderWeights load(Checkpoint checkpoint, NDManager parent, WeightStorage storage) {
        checkpoint.validateLayout();
        HfModelConfig config = checkpoint.config();
        DecoderLayout layout = DecoderLayout.of(config);
        NDManager manager = parent.newSubManager();
        try {
            Map<String, FrozenTensor> tensors = new LinkedHashMap<>();
            ReadBuffer buffer = new ReadBuffer();
            int keptFp32 = 0;
            for (String name : layout.names()) {
                long[] shape = layout.shape(name);
                checkpoint.requireShape(name, shape);
                FrozenTensor tensor = loadOne(checkpoint, name, shape, storageOf(name, storage), storage.nf4() && isProjection(name),
                        manager, buffer);
                if (storage.dtype() != Dtype.F32 && tensor.resident() && !isSmall(name)) {
                    keptFp32++;
                }
                tensors.put(name, tensor);
            }
            if (keptFp32 > 0) {
                LOG.info("{} tensors hold values outside fp16's range and stay fp32", keptFp32);
            }
            return new DecoderWeights(config, storage, manager, tensors);
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
            Map<String, FrozenTensor> tensors = new LinkedHashMap<>();
            for (String name : layout.names()) {
                float[] v = values.get(name);
                if (v == null) {
                    throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "no values for tensor '" + name + "'");
                }
                tensors.put(name, fp32(manager, name, v, layout.shape(name)));
            }
            return new DecoderWeights(config, WeightStorage.FP32, manager, tensors);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static boolean isSmall(String name) {
        return name.endsWith("norm.weight") || name.endsWith(".bias");
    }

    private static boolean isProjection(String name) {
        return name.startsWith("model.layers.") && name.endsWith("_proj.weight");
    }

    private static Dtype storageOf(String name, WeightStorage storage) {
        return isSmall(name) ? Dtype.F32 : storage.dtype();
    }

    private static FrozenTensor loadOne(Checkpoint checkpoint, String name, long[] shape, Dtype dtype, boolean nf4, NDManager manager,
                                        ReadBuffer buffer) {
        TensorInfo info = checkpoint.tensor(name);
        int count = Math.toIntExact(info.elementCount());
        if (nf4) {
            float[] values = buffer.whole(count);
            checkpoint.readFloats(name, 0, values, 0, count);
            // the codes go straight to memory libtorch owns, out of the Java heap
            NDArray codes = manager.create(new Shape((count + 1L) / 2), DataType.UINT8);
            return new FrozenTensor.Nf4(Nf4.quantize(name, values, count, shape, true, codes.toByteBuffer(true)), codes);
        }
        if (dtype == info.dtype() && dtype != Dtype.F32 && info.byteSize() <= MAPPABLE_BYTES) {
            NDArray inPlace = manager.create(checkpoint.rawBytes(name), new Shape(dtype == Dtype.F16 ? shape : new long[] {2L * count}),
                    dtype == Dtype.F16 ? DataType.FLOAT16 : DataType.UINT8);
            return dtype == Dtype.F16 ? new FrozenTensor.Fp16(inPlace) : new FrozenTensor.Bf16(inPlace, shape);
        }
        return switch (dtype) {
            case F32 -> fp32(manager, name, checkpoint.readFloats(name), shape);
            case F16 -> fitsFp16(checkpoint, name, count, buffer)
                    ? new FrozenTensor.Fp16(narrowed(checkpoint, name, count, Dtype.F16, manager.create(new Shape(shape), DataType.FLOAT16), buffer))
                    : fp32(manager, name, checkpoint.readFloats(name), shape);
            case BF16 -> new FrozenTensor.Bf16(narrowed(checkpoint, name, count, Dtype.BF16,
                    manager.create(new Shape(2L * count), DataType.UINT8), buffer), shape);
            default -> throw new IllegalStateException(dtype.toString());
        };
    }

    /** A float buffer reused from tensor to tensor, so that loading leaves no garbage the size of the model in the heap. */
    private static final class ReadBuffer {
        /** Values converted at a time when a tensor is narrowed window by window. */
        static final int WINDOW = 1 << 22;
        private float[] values = new float[0];

        /** @return a buffer of at least {@code count} values */
        float[] whole(int count) {
            if (values.length < count) {
                values = null;
                values = new float[count];
            }
            return values;
        }

        float[] window() {
            return whole(WINDOW);
        }
    }

    private static boolean fitsFp16(Checkpoint checkpoint, String name, int count, ReadBuffer buffer) {
        float[] window = buffer.window();
        for (int from = 0; from < count; from += ReadBuffer.WINDOW) {
            int n = Math.min(ReadBuffer.WINDOW, count - from);
            checkpoint.readFloats(name, from, window, 0, n);
            if (HalfPrecision.firstOutsideFp16(window, n) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** Fills a 16-bit array libtorch owns with a tensor's values narrowed to {@code dtype}, a window at a time. */
    private static NDArray narrowed(Checkpoint checkpoint, String name, int count, Dtype dtype, NDArray out, ReadBuffer buffer) {
        ByteBuffer target = out.toByteBuffer(true);
        float[] window = buffer.window();
        for (int from = 0; from < count; from += ReadBuffer.WINDOW) {
            int n = Math.min(ReadBuffer.WINDOW, count - from);
            checkpoint.readFloats(name, from, window, 0, n);
            HalfPrecision.narrowInto(window, n, dtype, target);
        }
        return out;
    }

    private static FrozenTensor fp32(NDManager manager, String name, float[] values, long[] shape) {
        NDArray array = manager.create(values, new Shape(shape));
        array.setName(name);
        return new FrozenTensor.Fp32(array);
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** @return the model's config */
    public HfModelConfig config() {
        return config;
    }

    /** @return how the weights are kept */
    public WeightStorage storage() {
        return storage;
    }

    /** @return the manager that owns the weights */
    public NDManager manager() {
        return manager;
    }

    /** @return the tensor names, in module order */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** @return a tensor as stored, or null when the model has none of that name (e.g. a bias it lacks) */
    public FrozenTensor frozen(String name) {
        return tensors.get(name);
    }

    /** @return an fp32 tensor, or null when the model has none of that name (e.g. a bias it lacks) */
    public NDArray find(String name) {
        FrozenTensor t = tensors.get(name);
        return t == null ? null : resident(name, t);
    }

    /** @return an fp32 tensor that must exist */
    public NDArray get(String name) {
        FrozenTensor t = tensors.get(name);
        if (t == null) {
            throw new KefuException(ErrorCode.INTERNAL, "model has no tensor '" + name + "'");
        }
        return resident(name, t);
    }

    private static NDArray resident(String name, FrozenTensor t) {
        if (!(t instanceof FrozenTensor.Fp32 fp32)) {
            throw new KefuException(ErrorCode.INTERNAL, "tensor '" + name + "' is stored " + t.getClass().getSimpleName()
                    + "; widen it with frozen(name).widen(manager)");
        }
        return fp32.array();
    }

    /** @return the name of the output head: lm_head, or the embeddings when they are tied */
    public String outputHeadName() {
        return config.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
    }

    /** @return the output head in fp32: lm_head, or the embeddings when they are tied */
    public NDArray outputHead() {
        return get(outputHeadName());
    }

    /** @return every tensor by name, in fp32 (only for {@link WeightStorage#FP32}) */
    public Map<String, NDArray> all() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> out.put(name, resident(name, t)));
        return out;
    }

    /** @return the number of parameters */
    public long parameterCount() {
        long n = 0;
        for (FrozenTensor t : tensors.values()) {
            n += count(t.shape());
        }
        return n;
    }

    /** @return bytes the stored weights occupy */
    public long storageBytes() {
        long n = 0;
        for (FrozenTensor t : tensors.values()) {
            n += t.storageBytes();
        }
        return n;
    }

    /** @return a tensor's values as fp32 */
    public float[] floats(String name) {
        FrozenTensor t = tensors.get(name);
        if (t == null) {
            throw new KefuException(ErrorCode.INTERNAL, "model has no tensor '" + name + "'");
        }
        return t.floats();
    }

    @Override
    public void close() {
        manager.close();
    }
}
