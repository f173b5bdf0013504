package io.kefu.engine.onnx.export;

import com.google.protobuf.ByteString;
import io.kefu.engine.onnx.proto.Onnx;
import io.kefu.engine.onnx.proto.Onnx.AttributeProto;
import io.kefu.engine.onnx.proto.Onnx.NodeProto;
import io.kefu.engine.onnx.proto.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends nodes, constants and graph inputs/outputs to an ONNX graph, naming every intermediate
 * value uniquely. Weights go through a {@link TensorStore}, which decides whether their bytes are
 * stored inside the model file or in the external data file.
 */
final class GraphBuilder {
    /** The domain of ONNX Runtime's contrib operators. */
    static final String MS_DOMAIN = "com.microsoft";

    private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
    private final TensorStore store;
    private int counter;

    GraphBuilder(String name, TensorStore store) {
        graph.setName(name);
        this.store = store;
    }

    /** An attribute of a node. */
    record Attr(AttributeProto proto) {
        static Attr of(String name, long value) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build());
        }

        static Attr of(String name, float value) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build());
        }

        static Attr of(String name, String value) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFromUtf8(value)).build());
        }

        static Attr ints(String name, long... values) {
            AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (long v : values) {
                b.addInts(v);
            }
            return new Attr(b.build());
        }

        static Attr tensor(String name, TensorProto value) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value).build());
        }
    }

    /** Adds a node of the ONNX domain with one output and returns the output's name. */
    String op(String opType, List<String> inputs, Attr... attrs) {
        return node(opType, "", inputs, 1, attrs).get(0);
    }

    /** Adds a node of the ONNX domain with one output and returns the output's name. */
    String op(String opType, String... inputs) {
        return op(opType, List.of(inputs));
    }

    /**
     * Adds a node and returns its output names ({@code outputs} of them; an empty string in
     * {@code inputs} marks an omitted optional input).
     */
    List<String> node(String opType, String domain, List<String> inputs, int outputs, Attr... attrs) {
        String name = opType + "_" + (counter++);
        List<String> outNames = new ArrayList<>(outputs);
        for (int i = 0; i < outputs; i++) {
            outNames.add(name + "/out" + i);
        }
        NodeProto.Builder node = NodeProto.newBuilder().setName(name).setOpType(opType).setDomain(domain)
                .addAllInput(inputs).addAllOutput(outNames);
        for (Attr a : attrs) {
            node.addAttribute(a.proto());
        }
        graph.addNode(node);
        return outNames;
    }

    /** Adds a node whose outputs have fixed names (graph outputs); empty names mark omitted outputs. */
    void nodeWithOutputs(String opType, String domain, List<String> inputs, List<String> outputs, Attr... attrs) {
        NodeProto.Builder node = NodeProto.newBuilder().setName(opType + "_" + (counter++)).setOpType(opType)
                .setDomain(domain).addAllInput(inputs).addAllOutput(outputs);
        for (Attr a : attrs) {
            node.addAttribute(a.proto());
        }
        graph.addNode(node);
    }

    /** @return a new unique value name */
    String fresh(String hint) {
        return hint + "_" + (counter++);
    }

    /** Renames a value: an Identity node from {@code value} to {@code name}. */
    void alias(String value, String name) {
        nodeWithOutputs("Identity", "", List.of(value), List.of(name));
    }

    /** @return the name of an int64 constant of shape {@code [values.length]} */
    String int64s(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return constant(TensorProto.DataType.INT64, new long[] {values.length}, b.array());
    }

    /** @return the name of an int64 scalar constant */
    String int64Scalar(long value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        return constant(TensorProto.DataType.INT64, new long[0], b.array());
    }

    /** @return the name of a scalar constant of the given float type */
    String floatScalar(TensorProto.DataType type, float value) {
        return constant(type, new long[0], TensorStore.encode(type, new float[] {value}));
    }

    private String constant(TensorProto.DataType type, long[] dims, byte[] bytes) {
        String name = "const_" + (counter++);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(bytes));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** Adds a weight (fp32 values, stored as {@code type}) under its own name and returns that name. */
    String weight(String name, TensorProto.DataType type, long[] dims, float[] values) {
        graph.addInitializer(store.tensor(name, type, dims, values));
        return name;
    }

    /** Adds a tensor of raw little-endian bytes of {@code type} under its own name and returns that name. */
    String rawWeight(String name, TensorProto.DataType type, long[] dims, byte[] data) {
        graph.addInitializer(store.raw(name, type, dims, data));
        return name;
    }

    /** Declares a graph input. Dimensions are numbers or symbolic names (strings). */
    void input(String name, TensorProto.DataType type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
    }

    /** Declares a graph output. Dimensions are numbers or symbolic names (strings). */
    void output(String name, TensorProto.DataType type, Object... dims) {
        graph.addOutput(valueInfo(name, type, dims));
    }

    private static Onnx.ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            Onnx.TensorShapeProto.Dimension.Builder dim = Onnx.TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Number n) {
                dim.setDimValue(n.longValue());
            } else {
                dim.setDimParam(d.toString());
            }
            shape.addDim(dim);
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(
                        Onnx.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }

    /** @return the finished graph */
    Onnx.GraphProto build() {
        return graph.build();
    }
}
