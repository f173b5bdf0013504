package io.kefu.engine.onnx.export;

import io.kefu.engine.onnx.proto.Onnx;
import io.kefu.engine.onnx.proto.Onnx.TensorProto.DataType;
import java.util.List;

/** A one-node graph {@code c = a @ b} over fp32 {@code n x n} inputs, for measuring the raw matmul rate. */
public final class MatmulGraph {
    private MatmulGraph() {
    }

    /** @return the serialized ONNX model with inputs {@code a}, {@code b} and output {@code c} */
    public static byte[] bytes(int n) {
        GraphBuilder g = new GraphBuilder("matmul", TensorStore.inline());
        g.input("a", DataType.FLOAT, n, n);
        g.input("b", DataType.FLOAT, n, n);
        g.output("c", DataType.FLOAT, n, n);
        g.nodeWithOutputs("MatMul", "", List.of("a", "b"), List.of("c"));
        return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("kefu").setGraph(g.build())
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).build().toByteArray();
    }
}
