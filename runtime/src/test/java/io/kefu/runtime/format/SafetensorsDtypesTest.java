package io.kefu.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks dtype conversions against numpy (golden file from scripts/golden/safetensors_dtypes.py). */
class SafetensorsDtypesTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/safetensors/dtypes.safetensors");

    @Test
    void readsHeaderAndMetadataWrittenByNumpy() {
        try (SafetensorsFile f = SafetensorsFile.open(GOLDEN)) {
            assertThat(f.metadata()).containsEntry("format", "pt");
            assertThat(f.names()).startsWith("f32", "f16", "f16_as_f32", "bf16");
            assertThat(f.tensor("f16").dtype()).isEqualTo(Dtype.F16);
            assertThat(f.tensor("f16").shape()).containsExactly(9, 9);
            assertThat(f.tensor("scalar").shape()).isEmpty();
            assertThat(f.readFloats("scalar")).containsExactly(3.5f);
            assertThat(f.readFloats("empty")).isEmpty();
        }
    }

    @Test
    void widensHalfAndBfloatExactlyAsNumpyDoes() {
        try (SafetensorsFile f = SafetensorsFile.open(GOLDEN)) {
            assertBitsEqual(f.readFloats("f16"), f.readFloats("f16_as_f32"));
            assertBitsEqual(f.readFloats("bf16"), f.readFloats("bf16_as_f32"));
            // every one of the 65536 half-precision bit patterns: subnormals, infinities, NaNs
            assertBitsEqual(f.readFloats("all_f16_bits"), f.readFloats("all_f16_as_f32"));
            float[] f64 = f.readFloats("f64");
            float[] f32 = f.readFloats("f32");
            assertBitsEqual(f64, f32);
        }
    }

    @Test
    void narrowsToHalfAndBfloatAsNumpyDoes(@TempDir Path dir) {
        try (SafetensorsFile golden = SafetensorsFile.open(GOLDEN)) {
            float[] values = golden.readFloats("f32");
            Path out = dir.resolve("narrow.safetensors");
            List<TensorSpec> specs = List.of(new TensorSpec("f16", Dtype.F16, new long[] {9, 9}),
                    new TensorSpec("bf16", Dtype.BF16, new long[] {9, 9}));
            SafetensorsWriter.write(out, Map.of(), specs, Map.of("f16", values, "bf16", values));
            try (SafetensorsFile ours = SafetensorsFile.open(out)) {
                assertThat(bytes(ours.rawBytes("f16"))).isEqualTo(bytes(golden.rawBytes("f16")));
                assertThat(bytes(ours.rawBytes("bf16"))).isEqualTo(bytes(golden.rawBytes("bf16")));
            }
        }
    }

    @Test
    void everyHalfRoundTripsThroughFloat() {
        for (int bits = 0; bits < 65536; bits++) {
            short h = (short) bits;
            float f = HalfFloats.f16ToFloat(h);
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(f)))).isTrue();
            } else {
                assertThat(HalfFloats.floatToF16(f)).as("f16 bits %04x", bits).isEqualTo(h);
            }
            float b = HalfFloats.bf16ToFloat(h);
            if (!Float.isNaN(b)) {
                assertThat(HalfFloats.floatToBf16(b)).as("bf16 bits %04x", bits).isEqualTo(h);
            }
        }
    }

    @Test
    void readsIntegerTensors() {
        try (SafetensorsFile f = SafetensorsFile.open(GOLDEN)) {
            assertThat(f.readLongs("i64")).containsExactly(-1, 1L << 40, 7, -(1L << 62));
            assertThat(f.readLongs("i32")).containsExactly(-5, 6, Integer.MAX_VALUE);
            assertThat(f.readLongs("u8")).containsExactly(0, 255, 17);
            assertThat(f.readLongs("mask")).containsExactly(1, 0, 1);
        }
    }

    @Test
    void rawBytesAreLittleEndianViewsOfTheFile() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(GOLDEN)) {
            ByteBuffer raw = f.rawBytes("f32");
            assertThat(raw.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(raw.isReadOnly()).isTrue();
            assertThat(raw.getFloat(8)).isEqualTo(1.0f);
            byte[] file = Files.readAllBytes(GOLDEN);
            long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            TensorInfo info = f.tensor("f16");
            byte[] expected = java.util.Arrays.copyOfRange(file, (int) (8 + headerLength + info.begin()),
                    (int) (8 + headerLength + info.end()));
            assertThat(bytes(f.rawBytes("f16"))).isEqualTo(expected);
        }
    }

    @Test
    void readsWindowsOfATensor() {
        try (SafetensorsFile f = SafetensorsFile.open(GOLDEN)) {
            float[] all = f.readFloats("all_f16_as_f32");
            float[] window = new float[100];
            f.readFloats("all_f16_bits", 30000, window, 0, 100);
            assertBitsEqual(window, java.util.Arrays.copyOfRange(all, 30000, 30100));
            ByteBuffer bytes = f.rawBytes("all_f16_bits", 2 * 30000, 200);
            assertThat(HalfFloats.f16ToFloat(bytes.getShort(0))).isEqualTo(all[30000]);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.rawBytes("all_f16_bits", 131000, 1000))
                    .hasMessageContaining("outside its 131072 bytes");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.readFloats("all_f16_bits", 65500, window, 0, 100))
                    .hasMessageContaining("'all_f16_bits'").hasMessageContaining("outside its 65536 elements");
        }
    }

    static void assertBitsEqual(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i])) {
                assertThat(actual[i]).as("element %d", i).isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(actual[i])).as("element %d: %s vs %s", i, actual[i], expected[i])
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
            }
        }
    }

    static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
