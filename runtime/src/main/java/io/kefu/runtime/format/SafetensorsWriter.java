package io.kefu.runtime.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a safetensors file tensor by tensor, so a model larger than the heap can be written.
 *
 * <p>All tensors are declared up front ({@link #create}), which fixes the header and every byte
 * offset; the data is then written in declaration order, whole ({@link #write(String, float[])})
 * or in pieces ({@link #writePart(String, float[], int, int)}). The header lists
 * {@code __metadata__} first, then the tensors in declaration order, padded with spaces to a
 * multiple of 8 bytes, so the same input always gives the same bytes.
 *
 * <p>The data goes to a temp file in the target's directory; {@link #finish()} checks that every
 * tensor is complete and moves it into place atomically. {@link #close()} without {@code finish()}
 * deletes the temp file, so a failure leaves nothing half-written. Not thread-safe.
 *
 * <pre>{@code
 * try (SafetensorsWriter w = SafetensorsWriter.create(file, Map.of("format", "pt"), specs)) {
 *     for (TensorSpec s : specs) w.write(s.name(), valuesOf(s));
 *     w.finish();
 * }
 * }</pre>
 */
public final class SafetensorsWriter implements AutoCloseable {
    private static final ObjectMapper JSON = Json.mapper();
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final List<TensorSpec> specs;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private int current;
    private long writtenOfCurrent;
    private boolean finished;
    private boolean closed;

    private SafetensorsWriter(Path target, Path temp, FileChannel channel, List<TensorSpec> specs) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.specs = specs;
    }

    /**
     * Starts a file: writes the header for {@code tensors} (in that order) to a temp file.
     *
     * @param target where the finished file goes (replaced if it exists)
     * @param metadata the {@code __metadata__} strings, in iteration order (PEFT and transformers write {@code {"format": "pt"}})
     * @param tensors every tensor the file will hold, in the order they will be written
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} on duplicate names, {@link ErrorCode#IO} when the file cannot be written
     */
    public static SafetensorsWriter create(Path target, Map<String, String> metadata, List<TensorSpec> tensors) {
        List<TensorSpec> specs = List.copyOf(tensors);
        Set<String> names = new HashSet<>();
        for (TensorSpec spec : specs) {
            if (!names.add(spec.name())) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, target + ": tensor '" + spec.name() + "' is declared twice");
            }
        }
        byte[] header = header(metadata, specs);
        Path temp = AtomicFiles.tempSibling(target);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(header.length).put(header).flip();
            while (head.hasRemaining()) {
                channel.write(head);
            }
            return new SafetensorsWriter(target, temp, channel, specs);
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // reporting the write failure
                }
            }
            AtomicFiles.deleteQuietly(temp);
            throw new KefuException(ErrorCode.IO, target + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Writes a whole file of fp32 values converted to each spec's dtype, atomically. */
    public static void write(Path target, Map<String, String> metadata, List<TensorSpec> specs, Map<String, float[]> values) {
        try (SafetensorsWriter writer = create(target, metadata, specs)) {
            for (TensorSpec spec : specs) {
                float[] v = values.get(spec.name());
                if (v == null) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, target + ": no values for tensor '" + spec.name() + "'");
                }
                writer.write(spec.name(), v);
            }
            writer.finish();
        }
    }

    /** @return the header bytes (JSON padded with spaces to a multiple of 8) */
    static byte[] header(Map<String, String> metadata, List<TensorSpec> specs) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            new LinkedHashMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (TensorSpec spec : specs) {
            ObjectNode entry = root.putObject(spec.name());
            entry.put("dtype", spec.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : spec.shape()) {
                shape.add(d);
            }
            long end = offset + spec.byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot serialise a safetensors header", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** @return the file this writer will produce */
    public Path target() {
        return target;
    }

    /** @return the name of the next tensor with data to write, or null when all bytes are written */
    public String nextTensor() {
        for (int i = current; i < specs.size(); i++) {
            if (specs.get(i).byteSize() > 0) {
                return specs.get(i).name();
            }
        }
        return null;
    }

    /**
     * Writes the whole of the next tensor from fp32 values, converting to its dtype.
     *
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when {@code name} is not the next
     *     tensor or the value count does not match its shape
     */
    public void write(String name, float[] values) {
        TensorSpec spec = expect(name);
        if (writtenOfCurrent != 0 || values.length != spec.elementCount()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, target + ": tensor '" + name + "' " + spec.shapeText()
                    + " needs " + spec.elementCount() + " values, got " + values.length
                    + (writtenOfCurrent != 0 ? " after a partial write" : ""));
        }
        writePart(name, values, 0, values.length);
    }

    /**
     * Appends {@code count} fp32 values to the next tensor (row-major), converting to its dtype; the
     * tensor is complete once all its elements are written.
     */
    public void writePart(String name, float[] values, int offset, int count) {
        TensorSpec spec = expect(name);
        int size = spec.dtype().byteSize();
        if ((writtenOfCurrent / size) + count > spec.elementCount()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, target + ": tensor '" + name + "': writing " + count
                    + " more values would exceed its " + spec.elementCount() + " elements");
        }
        if (!spec.dtype().isFloatingPoint()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, target + ": tensor '" + name + "' has dtype "
                    + spec.dtype() + "; write integer tensors with writeRaw");
        }
        for (int i = 0; i < count; i++) {
            if (buffer.remaining() < size) {
                flush();
            }
            float v = values[offset + i];
            switch (spec.dtype()) {
                case F32: buffer.putFloat(v); break;
                case BF16: buffer.putShort(HalfFloats.floatToBf16(v)); break;
                case F16: buffer.putShort(HalfFloats.floatToF16(v)); break;
                case F64: buffer.putDouble(v); break;
                default: throw new KefuException(ErrorCode.INTERNAL, "unexpected dtype " + spec.dtype());
            }
        }
        advance(spec, (long) count * size);
    }

    /**
     * Appends raw little-endian bytes (the buffer's remaining bytes) to the next tensor, as they
     * are; for any dtype, and for copying tensors between files without conversion.
     */
    public void writeRaw(String name, ByteBuffer bytes) {
        TensorSpec spec = expect(name);
        if (writtenOfCurrent == 0 && bytes.remaining() > spec.byteSize()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, target + ": tensor '" + name + "' " + spec.shapeText()
                    + " of " + spec.dtype() + " has " + spec.byteSize() + " bytes, got " + bytes.remaining());
        }
        ByteBuffer src = bytes.duplicate();
        if (writtenOfCurrent + src.remaining() > spec.byteSize()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, target + ": tensor '" + name + "': writing "
                    + src.remaining() + " more bytes would exceed its " + spec.byteSize() + " bytes");
        }
        long n = src.remaining();
        while (src.hasRemaining()) {
            if (!buffer.hasRemaining()) {
                flush();
            }
            int take = Math.min(buffer.remaining(), src.remaining());
            ByteBuffer slice = src.slice();
            slice.limit(take);
            buffer.put(slice);
            src.position(src.position() + take);
        }
        advance(spec, n);
    }

    private TensorSpec expect(String name) {
        if (finished || closed) {
            throw new KefuException(ErrorCode.CLOSED, target + ": writer is already " + (finished ? "finished" : "closed"));
        }
        if (current >= specs.size()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, target + ": tensor '" + name
                    + "' written after all declared tensors were complete");
        }
        if (writtenOfCurrent == 0) {
            skipEmptyUntil(name);
        }
        if (current >= specs.size()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, target + ": tensor '" + name
                    + "' written after all declared tensors were complete");
        }
        TensorSpec spec = specs.get(current);
        if (!spec.name().equals(name)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, target + ": tensor '" + name + "' written out of order; '"
                    + spec.name() + "' comes next (tensors are written in declaration order)");
        }
        return spec;
    }

    private void advance(TensorSpec spec, long bytes) {
        writtenOfCurrent += bytes;
        if (writtenOfCurrent == spec.byteSize()) {
            current++;
            writtenOfCurrent = 0;
        }
    }

    /** Empty tensors have no bytes: writing them is optional, so skip those before {@code name}. */
    private void skipEmptyUntil(String name) {
        while (current < specs.size() && specs.get(current).byteSize() == 0 && !specs.get(current).name().equals(name)) {
            current++;
        }
    }

    /** @return whether every remaining tensor is empty (all bytes are written) */
    boolean isComplete() {
        for (int i = current; i < specs.size(); i++) {
            if (specs.get(i).byteSize() > 0 || (i == current && writtenOfCurrent > 0)) {
                return false;
            }
        }
        return true;
    }

    /** @return whether {@code name} is one of the tensors still to be written */
    boolean expects(String name) {
        for (int i = current; i < specs.size(); i++) {
            if (specs.get(i).name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private void flush() {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, target + ": cannot write: " + e.getMessage(), e);
        } finally {
            buffer.clear();
        }
    }

    /**
     * Checks that every declared tensor was written completely, syncs the file and moves it into place.
     *
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the first incomplete tensor
     */
    public void finish() {
        if (finished) {
            return;
        }
        complete();
        publish();
    }

    /** Checks completeness and syncs the temp file, without moving it into place yet. */
    void complete() {
        if (closed) {
            throw new KefuException(ErrorCode.CLOSED, target + ": writer is closed");
        }
        if (!isComplete()) {
            skipEmptyUntil(null);
            TensorSpec missing = specs.get(current);
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, target + ": tensor '" + missing.name() + "' is incomplete ("
                    + writtenOfCurrent + " of " + missing.byteSize() + " bytes written); "
                    + (specs.size() - current) + " tensors are missing");
        }
        if (!channel.isOpen()) {
            return;
        }
        flush();
        try {
            channel.force(true);
            channel.close();
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, target + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Moves the completed temp file into place. */
    void publish() {
        AtomicFiles.moveIntoPlace(temp, target);
        finished = true;
    }

    /** Deletes the temp file unless {@link #finish()} succeeded; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the file is being discarded
            }
            AtomicFiles.deleteQuietly(temp);
        }
    }
}
