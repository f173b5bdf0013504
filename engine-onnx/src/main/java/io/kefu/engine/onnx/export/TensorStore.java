package io.kefu.engine.onnx.export;

import com.google.protobuf.ByteString;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.HalfFloats;
import io.kefu.engine.onnx.proto.Onnx;
import io.kefu.engine.onnx.proto.Onnx.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Turns weights into ONNX initializers: either with their bytes inside the model file, or, for
 * models over protobuf's 2 GB limit, in one external data file next to it (ONNX's external data
 * convention: {@code location}, {@code offset}, {@code length} entries; offsets aligned to 4 KiB
 * so ONNX Runtime can map them).
 */
final class TensorStore implements AutoCloseable {
    private static final int ALIGNMENT = 4096;
    private static final int SLICE = 1 << 20;

    private final String externalName;
    private final FileChannel external;
    private long written;

    private TensorStore(String externalName, FileChannel external) {
        this.externalName = externalName;
        this.external = external;
    }

    /** @return a store that keeps every tensor inside the model file */
    static TensorStore inline() {
        return new TensorStore(null, null);
    }

    /**
     * @param file the external data file to create (its file name is what the model refers to)
     * @param referencedName the name the model records as the data's location
     * @return a store that writes every tensor's bytes into {@code file}
     */
    static TensorStore external(Path file, String referencedName) {
        try {
            return new TensorStore(referencedName, FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot create the external data file: " + e.getMessage(), e);
        }
    }

    /** @return an initializer holding {@code values} converted to {@code type} (FLOAT or FLOAT16) */
    TensorProto tensor(String name, TensorProto.DataType type, long[] dims, float[] values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        if (external == null) {
            return t.setRawData(ByteString.copyFrom(encode(type, values))).build();
        }
        long offset = (written + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        long length = (long) values.length * (type == TensorProto.DataType.FLOAT16 ? 2 : 4);
        long position = offset;
        // in slices: a large embedding matrix has more bytes than one Java array can hold
        for (int from = 0; from < values.length; from += SLICE) {
            float[] slice = java.util.Arrays.copyOfRange(values, from, Math.min(values.length, from + SLICE));
            position = writeExternal(name, ByteBuffer.wrap(encode(type, slice)), position);
        }
        return external(t, offset, length);
    }

    /** @return an initializer holding {@code data}, already the little-endian bytes of {@code type} (e.g. packed UINT8) */
    TensorProto raw(String name, TensorProto.DataType type, long[] dims, byte[] data) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        if (external == null) {
            return t.setRawData(ByteString.copyFrom(data)).build();
        }
        long offset = (written + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        writeExternal(name, ByteBuffer.wrap(data), offset);
        return external(t, offset, data.length);
    }

    private long writeExternal(String name, ByteBuffer buffer, long position) {
        try {
            while (buffer.hasRemaining()) {
                position += external.write(buffer, position);
            }
            return position;
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, "cannot write tensor '" + name + "' to the external data file: " + e.getMessage(), e);
        }
    }

    private TensorProto external(TensorProto.Builder t, long offset, long length) {
        written = offset + length;
        return t.setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", externalName))
                .addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(length)))
                .build();
    }

    /** @return whether weights go to an external data file */
    boolean isExternal() {
        return external != null;
    }

    private static Onnx.StringStringEntryProto entry(String key, String value) {
        return Onnx.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** @return little-endian bytes of the values as FLOAT or FLOAT16 */
    static byte[] encode(TensorProto.DataType type, float[] values) {
        if (type == TensorProto.DataType.FLOAT) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return b.array();
        }
        if (type == TensorProto.DataType.FLOAT16) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putShort(HalfFloats.floatToF16(v));
            }
            return b.array();
        }
        throw new KefuException(ErrorCode.INTERNAL, "weights are stored as FLOAT or FLOAT16, not " + type);
    }

    @Override
    public void close() {
        if (external != null) {
            try {
                external.force(false);
                external.close();
            } catch (IOException e) {
                throw new KefuException(ErrorCode.IO, "cannot finish the external data file: " + e.getMessage(), e);
            }
        }
    }
}
