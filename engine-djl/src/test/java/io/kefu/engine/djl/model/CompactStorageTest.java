package io.kefu.engine.djl.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kefu.engine.djl.torch.GradMode;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.HalfFloats;
import io.kefu.runtime.format.CheckpointWriter;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How each storage keeps the golden fixtures' weights, and what it widens them to. */
class CompactStorageTest {
    @Test
    void aSixteenBitCheckpointKeptInItsDtypeWidensToExactlyItsValues() {
        // llama is stored bf16, qwen2 fp16: kept as they are, their widened values are the fp32 loader's
        for (String fixture : List.of("llama", "qwen2")) {
            try (NDManager manager = Torch.newManager(); Checkpoint checkpoint = Checkpoint.open(Golden.dir(fixture));
                 DecoderWeights fp32 = DecoderWeights.load(checkpoint, manager);
                 DecoderWeights compact = DecoderWeights.load(checkpoint, manager,
                         new WeightStorage(checkpoint.tensor(DecoderModel.EMBEDDING).dtype(), false))) {
                assertThat(compact.storageBytes()).isLessThan(fp32.storageBytes() * 6 / 10);
                for (String name : fp32.names()) {
                    FrozenTensor stored = compact.frozen(name);
                    assertThat(stored.resident()).as(name).isEqualTo(name.endsWith("norm.weight") || name.endsWith(".bias"));
                    assertThat(stored.floats()).as(name).containsExactly(fp32.floats(name));
                }
            }
        }
    }

    @Test
    void bf16StorageOfAnFp32CheckpointRoundsEveryMatrixToNearestEven() {
        try (NDManager manager = Torch.newManager(); Checkpoint checkpoint = Checkpoint.open(Golden.dir("qwen3"));
             DecoderWeights fp32 = DecoderWeights.load(checkpoint, manager);
             DecoderWeights bf16 = DecoderWeights.load(checkpoint, manager, new WeightStorage(Dtype.BF16, false))) {
            String name = "model.layers.1.mlp.down_proj.weight";
            float[] exact = fp32.floats(name);
            float[] stored = bf16.floats(name);
            int changed = 0;
            for (int i = 0; i < exact.length; i++) {
                assertThat(stored[i]).isEqualTo(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(exact[i])));
                changed += stored[i] != exact[i] ? 1 : 0;
            }
            assertThat(changed).as("an fp32 checkpoint's values are not all bf16 already").isGreaterThan(exact.length / 2);
        }
    }

    @Test
    void rowsAndRowSlicesWidenLikeTheWholeMatrix() {
        try (NDManager manager = Torch.newManager(); Checkpoint checkpoint = Checkpoint.open(Golden.dir("qwen3"))) {
            for (WeightStorage storage : List.of(new WeightStorage(Dtype.BF16, false), new WeightStorage(Dtype.F16, false))) {
                try (DecoderWeights weights = DecoderWeights.load(checkpoint, manager, storage); NDManager m = manager.newSubManager()) {
                    FrozenTensor table = weights.frozen(DecoderModel.EMBEDDING);
                    float[][] whole = rows(table.widen(m));
                    float[][] slice = rows(table.widenRows(m, 5, 9));
                    float[][] gathered = rows(table.gatherRows(m, new long[] {7, 0, 7, 127}));
                    for (int r = 0; r < 4; r++) {
                        assertThat(slice[r]).containsExactly(whole[5 + r]);
                    }
                    assertThat(gathered[0]).containsExactly(whole[7]);
                    assertThat(gathered[1]).containsExactly(whole[0]);
                    assertThat(gathered[2]).containsExactly(whole[7]);
                    assertThat(gathered[3]).containsExactly(whole[127]);
                }
            }
        }
    }

    @Test
    void fp16StorageKeepsATensorWithValuesBeyondFp16InFp32(@TempDir Path temp) throws Exception {
        String large = "model.layers.0.mlp.up_proj.weight";
        Path copy = temp.resolve("qwen3-large");
        Files.createDirectories(copy);
        Files.copy(Golden.dir("qwen3").resolve("config.json"), copy.resolve("config.json"));
        try (Checkpoint checkpoint = Checkpoint.open(Golden.dir("qwen3"))) {
            DecoderLayout layout = DecoderLayout.of(checkpoint.config());
            List<TensorSpec> specs = new ArrayList<>();
            for (String name : layout.names()) {
                specs.add(new TensorSpec(name, Dtype.F32, layout.shape(name)));
            }
            try (CheckpointWriter writer = CheckpointWriter.create(copy, specs, Long.MAX_VALUE, Map.of("format", "pt"))) {
                for (String name : layout.names()) {
                    float[] values = checkpoint.readFloats(name);
                    if (name.equals(large)) {
                        values[3] = 1e6f;
                    }
                    writer.write(name, values);
                }
                writer.finish();
            }
        }
        try (NDManager manager = Torch.newManager(); Checkpoint checkpoint = Checkpoint.open(copy);
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager, new WeightStorage(Dtype.F16, false))) {
            assertThat(weights.frozen(large)).isInstanceOf(FrozenTensor.Fp32.class);
            assertThat(weights.frozen(large).floats()[3]).isEqualTo(1e6f);
            assertThat(weights.frozen("model.layers.0.mlp.down_proj.weight")).isInstanceOf(FrozenTensor.Fp16.class);
        }
    }

    @Test
    void aCompactHeadComputesLogitsSliceBySlice() {
        try (NDManager manager = Torch.newManager(); Checkpoint checkpoint = Checkpoint.open(Golden.dir("llama"));
             GradMode off = GradMode.off();
             DecoderWeights fp32 = DecoderWeights.load(checkpoint, manager);
             DecoderWeights bf16 = DecoderWeights.load(checkpoint, manager, new WeightStorage(Dtype.BF16, false));
             DecoderModel whole = new DecoderModel(fp32, 64);
             DecoderModel sliced = new DecoderModel(bf16, 64, 50)) {
            assertThat(whole.headResident()).isTrue();
            assertThat(sliced.headResident()).isFalse();
            assertThat(fp32.config().vocabSize() % 50).as("the last slice is a short one").isNotZero();
            NDArray hidden = manager.randomNormal(new Shape(3, fp32.config().hiddenSize()));
            float[] expected = whole.logits(hidden).toFloatArray();
            assertThat(FullSequenceLogits.maxAbsDiff(sliced.logits(hidden).toFloatArray(), expected)).isLessThan(1e-5f);
        }
    }

    /** 3M values: several parallel tasks and many chunks each; odd columns make row slices start and end between pairs. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {2048, 2047})
    void aLargeBf16MatrixWidensInParallelChunksToExactlyItsValues(int columns) {
        int rows = 1500;
        float[] values = new float[rows * columns];
        java.util.SplittableRandom random = new java.util.SplittableRandom(9);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * (i % 2 == 0 ? 1e-3f : 40f);
        }
        java.nio.ByteBuffer bits = io.kefu.runtime.quant.HalfPrecision.narrow(values, Dtype.BF16);
        float[] expected = new float[values.length];
        io.kefu.runtime.quant.HalfPrecision.widen(bits.duplicate(), Dtype.BF16, java.nio.FloatBuffer.wrap(expected));
        try (NDManager manager = Torch.newManager()) {
            NDArray stored = manager.create(new Shape(2L * values.length), ai.djl.ndarray.types.DataType.UINT8);
            stored.toByteBuffer(true).put(bits.duplicate());
            FrozenTensor tensor = new FrozenTensor.Bf16(stored, new long[] {rows, columns});
            assertThat(java.util.Arrays.equals(tensor.widen(manager).toFloatArray(), expected)).isTrue();
            float[] slice = tensor.widenRows(manager, 700, 1333).toFloatArray();
            assertThat(java.util.Arrays.equals(slice, java.util.Arrays.copyOfRange(expected, 700 * columns, 1333 * columns))).isTrue();
            try (NDArray scratch = manager.create(new Shape(4, columns), ai.djl.ndarray.types.DataType.FLOAT32)) {
                for (int from : new int[] {0, 1, 2, 1497}) {
                    int to = Math.min(rows, from + (from == 2 ? 1 : 3));
                    float[] rowsFromScratch = tensor.widenRows(manager, from, to, scratch).toFloatArray();
                    assertThat(java.util.Arrays.equals(rowsFromScratch, java.util.Arrays.copyOfRange(expected, from * columns, to * columns)))
                            .as("rows %d..%d", from, to).isTrue();
                }
            }
        }
    }

    private static float[][] rows(NDArray matrix) {
        long[] shape = matrix.getShape().getShape();
        float[] flat = matrix.toFloatArray();
        float[][] out = new float[(int) shape[0]][(int) shape[1]];
        for (int r = 0; r < out.length; r++) {
            System.arraycopy(flat, r * out[r].length, out[r], 0, out[r].length);
        }
        return out;
    }
}
