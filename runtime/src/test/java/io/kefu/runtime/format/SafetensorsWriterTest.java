package io.kefu.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    private final List<TensorSpec> specs = List.of(
            new TensorSpec("b.weight", Dtype.F32, new long[] {2, 3}),
            new TensorSpec("a.weight", Dtype.BF16, new long[] {3}),
            new TensorSpec("empty", Dtype.F16, new long[] {0}),
            new TensorSpec("c", Dtype.F16, new long[] {2}));
    private final Map<String, float[]> values = Map.of(
            "b.weight", new float[] {1, 2, 3, 4, 5, 6},
            "a.weight", new float[] {0.5f, -1.25f, 3e38f},
            "empty", new float[0],
            "c", new float[] {65504f, 1e-7f});

    @Test
    void roundTripsWithHeaderInDeclarationOrderPaddedToEightBytes() throws Exception {
        Path p = dir.resolve("m.safetensors");
        SafetensorsWriter.write(p, Map.of("format", "pt"), specs, values);
        byte[] bytes = Files.readAllBytes(p);
        long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"__metadata__\":{\"format\":\"pt\"},\"b.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],"
                + "\"data_offsets\":[0,24]},\"a.weight\"");
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.names()).containsExactly("b.weight", "a.weight", "empty", "c");
            assertThat(f.readFloats("b.weight")).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(f.readFloats("a.weight")).containsExactly(0.5f, -1.25f, HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(3e38f)));
            assertThat(f.readFloats("c")).containsExactly(65504f, HalfFloats.f16ToFloat(HalfFloats.floatToF16(1e-7f)));
            assertThat(f.metadata()).isEqualTo(Map.of("format", "pt"));
        }
    }

    @Test
    void sameInputGivesSameBytes() throws Exception {
        Path p1 = dir.resolve("1.safetensors");
        Path p2 = dir.resolve("2.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "x");
        SafetensorsWriter.write(p1, meta, specs, values);
        SafetensorsWriter.write(p2, meta, specs, values);
        assertThat(Files.readAllBytes(p1)).isEqualTo(Files.readAllBytes(p2));
    }

    @Test
    void writesInPartsAndRaw() {
        Path p = dir.resolve("parts.safetensors");
        List<TensorSpec> s = List.of(new TensorSpec("x", Dtype.F32, new long[] {5}),
                new TensorSpec("ids", Dtype.I64, new long[] {2}));
        try (SafetensorsWriter w = SafetensorsWriter.create(p, Map.of(), s)) {
            float[] v = {1, 2, 3, 4, 5};
            w.writePart("x", v, 0, 2);
            w.writePart("x", v, 2, 3);
            java.nio.ByteBuffer ids = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            ids.putLong(7).putLong(-9).flip();
            w.writeRaw("ids", ids);
            w.finish();
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.readFloats("x")).containsExactly(1, 2, 3, 4, 5);
            assertThat(f.readLongs("ids")).containsExactly(7, -9);
        }
    }

    @Test
    void abandonedOrOutOfOrderWritesLeaveNothingBehind() throws Exception {
        Path p = dir.resolve("x.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.create(p, Map.of(), specs)) {
            assertThatThrownBy(() -> w.write("a.weight", values.get("a.weight")))
                    .hasMessageContaining("'a.weight' written out of order; 'b.weight' comes next");
            w.write("b.weight", values.get("b.weight"));
            assertThatThrownBy(w::finish).hasMessageContaining("'a.weight' is incomplete");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
        assertThatThrownBy(() -> SafetensorsWriter.write(p, Map.of(), specs, Map.of("b.weight", new float[5])))
                .hasMessageContaining("'b.weight'").hasMessageContaining("needs 6 values, got 5");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
