package io.kefu.runtime.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a model's weights into a checkpoint folder, tensor by tensor, as transformers'
 * {@code save_pretrained} lays them out: one {@code model.safetensors} when everything fits in
 * {@code maxShardBytes}, else shards {@code model-00001-of-0000N.safetensors} (filled greedily in
 * declaration order, a tensor larger than the limit alone in its shard) plus
 * {@code model.safetensors.index.json} with {@code metadata.total_size} and a sorted
 * {@code weight_map}.
 *
 * <p>Shards are written to temp files and only moved into place by {@link #finish()}, the index
 * last; {@link #close()} without {@code finish()} deletes them. config.json and tokenizer files
 * are the caller's. Not thread-safe.
 */
public final class CheckpointWriter implements AutoCloseable {
    /** transformers' default shard limit (5 GB). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    private final Path directory;
    private final Map<String, String> metadata;
    private final List<List<TensorSpec>> shards;
    private final List<String> shardNames;
    private final List<SafetensorsWriter> done = new ArrayList<>();
    private final long totalSize;
    private SafetensorsWriter currentWriter;
    private int currentShard = -1;
    private int nextInShard;
    private boolean finished;
    private boolean closed;

    private CheckpointWriter(Path directory, Map<String, String> metadata, List<List<TensorSpec>> shards, long totalSize) {
        this.directory = directory;
        this.metadata = metadata;
        this.shards = shards;
        this.totalSize = totalSize;
        this.shardNames = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            shardNames.add(shards.size() == 1 ? Checkpoint.SINGLE_FILE
                    : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size()));
        }
    }

    /**
     * Plans the shards and starts writing.
     *
     * @param directory the checkpoint folder (created if needed)
     * @param tensors every tensor, in the order they will be written
     * @param maxShardBytes the shard size limit, e.g. {@link #DEFAULT_MAX_SHARD_BYTES}
     * @param metadata each shard's {@code __metadata__} (transformers writes {@code {"format": "pt"}})
     */
    public static CheckpointWriter create(Path directory, List<TensorSpec> tensors, long maxShardBytes,
                                          Map<String, String> metadata) {
        if (maxShardBytes < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "maxShardBytes=" + maxShardBytes + " must be positive");
        }
        if (tensors.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, directory + ": a checkpoint needs at least one tensor");
        }
        List<List<TensorSpec>> shards = new ArrayList<>();
        List<TensorSpec> shard = new ArrayList<>();
        long shardBytes = 0;
        long total = 0;
        for (TensorSpec spec : tensors) {
            if (!shard.isEmpty() && shardBytes + spec.byteSize() > maxShardBytes) {
                shards.add(shard);
                shard = new ArrayList<>();
                shardBytes = 0;
            }
            shard.add(spec);
            shardBytes += spec.byteSize();
            total += spec.byteSize();
        }
        shards.add(shard);
        return new CheckpointWriter(directory, Map.copyOf(metadata), shards, total);
    }

    /** @return the file names the checkpoint will have, in order */
    public List<String> shardNames() {
        return List.copyOf(shardNames);
    }

    /** Writes the whole of the next tensor from fp32 values (converted to its dtype). */
    public void write(String name, float[] values) {
        writer(name).write(name, values);
    }

    /** Appends part of the next tensor from fp32 values; see {@link SafetensorsWriter#writePart}. */
    public void writePart(String name, float[] values, int offset, int count) {
        writer(name).writePart(name, values, offset, count);
    }

    /** Appends raw little-endian bytes to the next tensor; see {@link SafetensorsWriter#writeRaw}. */
    public void writeRaw(String name, ByteBuffer bytes) {
        writer(name).writeRaw(name, bytes);
    }

    /**
     * Copies the next tensor's bytes unchanged from a source file (in windows, so tensors of any
     * size stream through); the declared dtype and shape must match the source's.
     */
    public void copyTensor(SafetensorsFile source, String name) {
        TensorInfo info = source.tensor(name);
        SafetensorsWriter writer = writer(name);
        long done = 0;
        final int window = 64 << 20;
        while (done < info.byteSize()) {
            int n = (int) Math.min(window, info.byteSize() - done);
            writer.writeRaw(name, source.rawBytes(name, done, n));
            done += n;
        }
        if (info.byteSize() == 0) {
            writer.writeRaw(name, ByteBuffer.allocate(0));
        }
    }

    /** @return the writer of the shard that holds the next tensor, opening the next shard when the current one is complete */
    private SafetensorsWriter writer(String name) {
        if (finished || closed) {
            throw new KefuException(ErrorCode.CLOSED, directory + ": checkpoint writer is already "
                    + (finished ? "finished" : "closed"));
        }
        if (currentWriter == null || (currentWriter.isComplete() && !currentWriter.expects(name))) {
            if (currentWriter != null) {
                currentWriter.complete();
                done.add(currentWriter);
            }
            currentShard++;
            if (currentShard >= shards.size()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, directory + ": tensor '" + name
                        + "' written after all declared tensors were complete");
            }
            try {
                Files.createDirectories(directory);
            } catch (java.io.IOException e) {
                throw new KefuException(ErrorCode.IO, directory + ": cannot create: " + e.getMessage(), e);
            }
            currentWriter = SafetensorsWriter.create(directory.resolve(shardNames.get(currentShard)), metadata,
                    shards.get(currentShard));
        }
        return currentWriter;
    }

    /**
     * Checks that every tensor was written, moves the shards into place and writes the index
     * (sharded checkpoints only; a stale index is removed from a single-file checkpoint).
     */
    public void finish() {
        if (finished) {
            return;
        }
        if (currentWriter == null || currentShard < shards.size() - 1 || !currentWriter.isComplete()) {
            String next = currentWriter == null ? shards.get(0).get(0).name()
                    : currentWriter.nextTensor() != null ? currentWriter.nextTensor()
                    : shards.get(currentShard + 1).get(0).name();
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, directory + ": checkpoint is incomplete; tensor '"
                    + next + "' and those after it were not written");
        }
        currentWriter.complete();
        done.add(currentWriter);
        currentWriter = null;
        for (SafetensorsWriter w : done) {
            w.publish();
        }
        Path index = directory.resolve(Checkpoint.INDEX_FILE);
        if (shards.size() > 1) {
            AtomicFiles.writeString(index, indexJson());
        } else {
            AtomicFiles.deleteQuietly(index);
        }
        finished = true;
    }

    private String indexJson() {
        ObjectMapper json = Json.indentedSorted();
        ObjectNode root = json.createObjectNode();
        root.putObject("metadata").put("total_size", totalSize);
        Map<String, String> weightMap = new TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            for (TensorSpec spec : shards.get(i)) {
                weightMap.put(spec.name(), shardNames.get(i));
            }
        }
        ObjectNode map = root.putObject("weight_map");
        weightMap.forEach(map::put);
        try {
            return json.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot serialise the shard index", e);
        }
    }

    /** Deletes every temp file unless {@link #finish()} succeeded; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (currentWriter != null) {
            currentWriter.close();
        }
        done.forEach(SafetensorsWriter::close);
    }
}
