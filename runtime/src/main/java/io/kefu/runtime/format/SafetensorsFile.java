package io.kefu.runtime.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A memory-mapped reader of one {@code .safetensors} file: an 8-byte little-endian header length,
 * a JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian data.
 *
 * <p>{@link #open(Path)} validates the whole header before anything is read: a truncated file,
 * an unknown dtype, a byte range that does not match the shape, ranges beyond the end of the file
 * or overlapping each other all fail with {@link ErrorCode#INVALID_CHECKPOINT} naming the file and
 * the tensor. Data is mapped per read, so files larger than 2 GB are fine; a single read is
 * limited to 2^31 - 1 bytes ({@link #readFloats(String, long, float[], int, int)} reads any
 * window of a larger tensor).
 *
 * <p>Thread-safe. {@link #close()} is idempotent; reads after it fail with {@link ErrorCode#CLOSED}.
 *
 * <p>Why one long class: most of it is the header validation, one check per way a file can lie
 * about its contents, each with its own message; the readers per dtype share the mapping code.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The largest header accepted, as in the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ObjectMapper JSON = Json.rejectingDuplicateKeys();

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens and validates a safetensors file.
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when the file does not exist,
     *     {@link ErrorCode#INVALID_CHECKPOINT} when it is malformed, {@link ErrorCode#IO} when it cannot be read
     */
    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, path + ": safetensors file not found", e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, path + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return read(path, channel);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static SafetensorsFile read(Path path, FileChannel channel) {
        try {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw invalid(path, "is truncated: " + fileSize + " bytes, but a safetensors file starts with an 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw invalid(path, "header length " + Long.toUnsignedString(headerLength) + " exceeds the limit of "
                        + MAX_HEADER_BYTES + " bytes: the file is corrupt or not a safetensors file");
            }
            if (8 + headerLength > fileSize) {
                throw invalid(path, "is truncated: the header needs " + headerLength + " bytes but the file has only "
                        + (fileSize - 8) + " after the length field");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            long dataStart = 8 + headerLength;
            long dataSize = fileSize - dataStart;
            JsonNode root;
            try {
                root = JSON.readTree(header.array());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw invalid(path, "header is not valid JSON: " + e.getOriginalMessage());
            }
            if (root == null || !root.isObject()) {
                throw invalid(path, "header is not a JSON object");
            }
            Map<String, String> metadata = Map.of();
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : root.properties()) {
                if (field.getKey().equals("__metadata__")) {
                    metadata = parseMetadata(path, field.getValue());
                } else {
                    tensors.put(field.getKey(), parseTensor(path, field.getKey(), field.getValue(), dataSize));
                }
            }
            checkNoOverlap(path, tensors.values());
            return new SafetensorsFile(path, channel, dataStart, Collections.unmodifiableMap(tensors), metadata);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> parseMetadata(Path path, JsonNode node) {
        if (!node.isObject()) {
            throw invalid(path, "__metadata__ must be a JSON object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw invalid(path, "__metadata__." + e.getKey() + " must be a string, found " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo parseTensor(Path path, String name, JsonNode node, long dataSize) {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw invalid(path, where + ": header entry must be an object with dtype, shape and data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw invalid(path, where + ": missing string field dtype");
        }
        Dtype dtype = Dtype.parse(dtypeNode.asText()).orElseThrow(() -> invalid(path, where + ": unknown dtype '"
                + dtypeNode.asText() + "'; supported: " + Arrays.toString(Dtype.values())));
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw invalid(path, where + ": missing array field shape");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw invalid(path, where + ": shape[" + i + "] = " + d + " is not a non-negative integer");
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw invalid(path, where + ": data_offsets must be an array of two integers, found " + offsets);
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw invalid(path, where + ": data_offsets [" + begin + ", " + end + "] are not an ascending byte range");
        }
        if (end > dataSize) {
            throw invalid(path, where + ": data_offsets [" + begin + ", " + end + "] lie beyond the data section ("
                    + dataSize + " bytes): the file is truncated or corrupt");
        }
        long expected;
        try {
            expected = Math.multiplyExact(TensorInfo.elementCount(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw invalid(path, where + ": shape " + Arrays.toString(shape) + " is too large");
        }
        if (end - begin != expected) {
            throw invalid(path, where + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs " + expected
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkNoOverlap(Path path, java.util.Collection<TensorInfo> all) {
        List<TensorInfo> sorted = new ArrayList<>(all);
        sorted.removeIf(t -> t.byteSize() == 0);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1);
            TensorInfo b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw invalid(path, "tensors '" + a.name() + "' [" + a.begin() + ", " + a.end() + ") and '" + b.name()
                        + "' [" + b.begin() + ", " + b.end() + ") overlap");
            }
        }
    }

    /** @return the file this reads */
    public Path path() {
        return path;
    }

    /** @return the tensor names in header order */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** @return every tensor's header entry, in header order */
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    /** @return whether the file holds a tensor of that name */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** @return the header entry of a tensor, or empty */
    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /**
     * @return the header entry of a tensor
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} naming the missing tensor and the file
     */
    public TensorInfo tensor(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw invalid(path, "has no tensor '" + name + "' (it holds " + tensors.size() + " tensors)");
        }
        return info;
    }

    /** @return the {@code __metadata__} strings (empty when absent) */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Maps a tensor's bytes without copying: a read-only, little-endian buffer over the file.
     *
     * @throws KefuException with {@link ErrorCode#UNSUPPORTED} when the tensor exceeds 2^31 - 1 bytes
     *     (read it in windows with {@link #readFloats(String, long, float[], int, int)})
     */
    public ByteBuffer rawBytes(String name) {
        TensorInfo info = tensor(name);
        if (info.byteSize() > Integer.MAX_VALUE) {
            throw new KefuException(ErrorCode.UNSUPPORTED, path + ": tensor '" + name + "' has " + info.byteSize()
                    + " bytes, more than one buffer can map; read it in windows");
        }
        return map(info.begin(), info.byteSize());
    }

    /**
     * Maps {@code length} bytes of a tensor starting at byte {@code offset} of its data, without
     * copying: for tensors larger than one buffer can map.
     *
     * @throws KefuException with {@link ErrorCode#INVALID_ARGUMENT} when the window is outside the tensor
     */
    public ByteBuffer rawBytes(String name, long offset, int length) {
        TensorInfo info = tensor(name);
        if (offset < 0 || length < 0 || offset + length > info.byteSize()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, path + ": tensor '" + name + "': byte window ["
                    + offset + ", " + (offset + length) + ") is outside its " + info.byteSize() + " bytes");
        }
        return map(info.begin() + offset, length);
    }

    /**
     * Reads a floating-point tensor as fp32 (bf16 and fp16 widen exactly; f64 rounds to nearest).
     *
     * @throws KefuException {@link ErrorCode#INVALID_CHECKPOINT} when the tensor is not floating point,
     *     {@link ErrorCode#UNSUPPORTED} when it has more than 2^31 - 9 elements
     */
    public float[] readFloats(String name) {
        TensorInfo info = tensor(name);
        long count = info.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new KefuException(ErrorCode.UNSUPPORTED, path + ": tensor '" + name + "' has " + count
                    + " elements, more than a Java array holds; read it in windows");
        }
        float[] out = new float[(int) count];
        readFloats(name, 0, out, 0, out.length);
        return out;
    }

    /**
     * Reads {@code count} elements of a floating-point tensor, starting at element {@code fromElement}
     * (row-major order), into {@code dst} as fp32. Works on tensors of any size.
     *
     * @throws KefuException with {@link ErrorCode#INVALID_ARGUMENT} when the window is out of range
     */
    public void readFloats(String name, long fromElement, float[] dst, int dstOffset, int count) {
        TensorInfo info = tensor(name);
        if (!info.dtype().isFloatingPoint()) {
            throw invalid(path, "tensor '" + name + "' has dtype " + info.dtype() + ", not a floating-point type");
        }
        if (fromElement < 0 || count < 0 || fromElement + count > info.elementCount()
                || dstOffset < 0 || dstOffset + count > dst.length) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, path + ": tensor '" + name + "': window ["
                    + fromElement + ", " + (fromElement + count) + ") is outside its " + info.elementCount()
                    + " elements or the destination");
        }
        int size = info.dtype().byteSize();
        final int chunk = 1 << 20; // elements per mapping, keeps each mapping small
        for (int done = 0; done < count; ) {
            int n = Math.min(chunk, count - done);
            ByteBuffer bytes = map(info.begin() + (fromElement + done) * size, (long) n * size);
            convert(info.dtype(), bytes, dst, dstOffset + done, n);
            done += n;
        }
    }

    /**
     * Reads an integer or boolean tensor as longs (U64 values above 2^63 - 1 wrap, as in Java).
     *
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} when the tensor is floating point
     */
    public long[] readLongs(String name) {
        TensorInfo info = tensor(name);
        if (info.dtype().isFloatingPoint()) {
            throw invalid(path, "tensor '" + name + "' has dtype " + info.dtype() + ", not an integer type");
        }
        ByteBuffer b = rawBytes(name);
        long[] out = new long[Math.toIntExact(info.elementCount())];
        for (int i = 0; i < out.length; i++) {
            switch (info.dtype()) {
                case I64: case U64: out[i] = b.getLong(); break;
                case I32: out[i] = b.getInt(); break;
                case U32: out[i] = b.getInt() & 0xFFFFFFFFL; break;
                case I16: out[i] = b.getShort(); break;
                case U16: out[i] = b.getShort() & 0xFFFF; break;
                case I8: out[i] = b.get(); break;
                default: out[i] = b.get() & 0xFF; break; // U8, BOOL
            }
        }
        return out;
    }

    private static void convert(Dtype dtype, ByteBuffer bytes, float[] dst, int offset, int n) {
        switch (dtype) {
            case F32:
                bytes.asFloatBuffer().get(dst, offset, n);
                break;
            case BF16: {
                ShortBuffer shorts = bytes.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = HalfFloats.bf16ToFloat(shorts.get(i));
                }
                break;
            }
            case F16: {
                ShortBuffer shorts = bytes.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = HalfFloats.f16ToFloat(shorts.get(i));
                }
                break;
            }
            case F64: {
                java.nio.DoubleBuffer doubles = bytes.asDoubleBuffer();
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = (float) doubles.get(i);
                }
                break;
            }
            default:
                throw new KefuException(ErrorCode.INTERNAL, "not a float dtype: " + dtype);
        }
    }

    private ByteBuffer map(long offset, long length) {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, path + ": safetensors file was closed");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + offset, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, path + ": cannot map bytes " + offset + ".." + (offset + length)
                    + ": " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position + dst.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static KefuException invalid(Path path, String message) {
        return new KefuException(ErrorCode.INVALID_CHECKPOINT, path + ": " + message);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was read; the open failure is what matters
        }
    }

    /** Closes the file; mapped buffers already handed out stay valid until garbage-collected. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(channel);
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
