package io.kefu.engine.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of past positions, per layer, {@code [B, kv_heads, S, head_dim]} (after RoPE).
 * Owns a manager; {@link #close()} frees the cache. Rows of a batch share the position axis: a
 * row shorter than the others is left-padded, and its padding is masked out by the caller.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;

    /** An empty cache for a model with {@code layers} layers. */
    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** @return positions cached so far */
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    /** @return rows cached (0 while empty) */
    public long rows() {
        return keys[0] == null ? 0 : keys[0].getShape().get(0);
    }

    /**
     * A new cache with the rows of {@code first}, then those of {@code second}; the one with fewer
     * positions is left-padded with zeros to the other's length. Both inputs stay as they were.
     *
     * @param parent the manager the new cache lives under
     */
    public static KvCache concatRows(KvCache first, KvCache second, NDManager parent) {
        long length = Math.max(first.length(), second.length());
        KvCache out = new KvCache(parent, first.keys.length);
        try (NDManager temp = parent.newSubManager()) {
            for (int layer = 0; layer < first.keys.length; layer++) {
                out.keep(layer,
                        padFront(first.keys[layer], length, temp).concat(padFront(second.keys[layer], length, temp), 0),
                        padFront(first.values[layer], length, temp).concat(padFront(second.values[layer], length, temp), 0));
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /**
     * A new cache with some of this cache's rows, from position {@code from} on. This cache stays as it was.
     *
     * @param rows the rows to keep, in the order wanted
     * @param from the first position to keep (the ones before it must be padding in every kept row)
     * @param parent the manager the new cache lives under
     */
    public KvCache select(long[] rows, long from, NDManager parent) {
        KvCache out = new KvCache(parent, keys.length);
        try (NDManager temp = parent.newSubManager()) {
            NDArray index = temp.create(rows);
            NDIndex pick = new NDIndex("{}, :, {}:", index, from);
            for (int layer = 0; layer < keys.length; layer++) {
                out.keep(layer, keys[layer].get(pick), values[layer].get(pick));
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private static NDArray padFront(NDArray x, long length, NDManager temp) {
        Shape shape = x.getShape();
        long missing = length - shape.get(2);
        if (missing == 0) {
            return x;
        }
        NDArray zeros = temp.zeros(new Shape(shape.get(0), shape.get(1), missing, shape.get(3)), x.getDataType());
        return zeros.concat(x, 2);
    }

    private void keep(int layer, NDArray k, NDArray v) {
        k.attach(manager);
        v.attach(manager);
        NDScope.unregister(k, v);
        keys[layer] = k;
        values[layer] = v;
    }

    /** Appends new keys and values of a layer and returns the whole cached keys and values. */
    public NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray newK = keys[layer] == null ? k : keys[layer].concat(k, 2);
        NDArray newV = values[layer] == null ? v : values[layer].concat(v, 2);
        newK.attach(manager);
        newV.attach(manager);
        NDScope.unregister(newK, newV); // the cache outlives the step's scope
        if (keys[layer] != null && keys[layer] != newK) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = newK;
        values[layer] = newV;
        return new NDArray[] {newK, newV};
    }

    @Override
    public void close() {
        manager.close();
    }
}
