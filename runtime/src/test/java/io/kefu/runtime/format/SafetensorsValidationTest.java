package io.kefu.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsValidationTest {
    @TempDir
    Path dir;

    private Path file(String header, int dataBytes) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, b.array());
        return p;
    }

    private void assertInvalid(Path p, String... fragments) {
        assertThatThrownBy(() -> SafetensorsFile.open(p))
                .isInstanceOfSatisfying(KefuException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT);
                    assertThat(e.getMessage()).contains(p.toString()).contains(fragments);
                });
    }

    @Test
    void refusesTruncatedFiles() throws Exception {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertInvalid(tiny, "truncated", "3 bytes");
        Path p = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 8);
        assertInvalid(p, "tensor 'w'", "beyond the data section", "truncated");
    }

    @Test
    void refusesHeaderLongerThanFileOrLimit() throws Exception {
        Path p = dir.resolve("h.safetensors");
        Files.write(p, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertInvalid(p, "header needs 1000 bytes");
        Files.write(p, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(200_000_000L).array());
        assertInvalid(p, "exceeds the limit");
    }

    @Test
    void refusesUnknownDtypeAndBadJson() throws Exception {
        assertInvalid(file("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2),
                "tensor 'w'", "unknown dtype 'F8_E4M3'");
        assertInvalid(file("{\"w\":{\"dtype\":\"F32\"", 0), "not valid JSON");
        assertInvalid(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,0]}}", 0),
                "tensor 'w'", "shape[0]");
    }

    @Test
    void refusesShapeThatDoesNotMatchTheByteRange() throws Exception {
        assertInvalid(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]}}", 16),
                "tensor 'w'", "needs 24 bytes", "span 16");
    }

    @Test
    void refusesOverlappingTensors() throws Exception {
        assertInvalid(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16), "'a'", "'b'", "overlap");
    }

    @Test
    void namesMissingTensor() throws Exception {
        Path p = dir.resolve("ok.safetensors");
        SafetensorsWriter.write(p, Map.of(), List.of(new TensorSpec("x", Dtype.F32, new long[] {1})),
                Map.of("x", new float[] {1}));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThatThrownBy(() -> f.readFloats("model.norm.weight"))
                    .hasMessageContaining("'model.norm.weight'").hasMessageContaining(p.toString());
        }
        SafetensorsFile closed = SafetensorsFile.open(p);
        closed.close();
        closed.close();
        assertThatThrownBy(() -> closed.readFloats("x")).isInstanceOfSatisfying(KefuException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED));
    }

    @Test
    void missingFileIsNotFound() {
        assertThatThrownBy(() -> SafetensorsFile.open(dir.resolve("none.safetensors")))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }
}
