package io.kefu.runtime.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.SafetensorsFile;
import io.kefu.runtime.format.SafetensorsWriter;
import io.kefu.runtime.format.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quantize and dequantize agree with scripts/golden/nf4_reference.py, a NumPy implementation
 * written from the QLoRA paper and run here by Debian's python3: the same codes, packed bytes and
 * block maxima, and the same dequantized values, with and without double quantization.
 */
class Nf4GoldenIT {
    private static final Path SCRIPT = Path.of("../scripts/golden/nf4_reference.py");
    private static final Map<String, float[]> INPUTS = new LinkedHashMap<>();
    private static SafetensorsFile reference;

    @TempDir
    static Path dir;

    @BeforeAll
    static void runReference() throws Exception {
        SplittableRandom random = new SplittableRandom(16);
        INPUTS.put("normal", gaussian(random, 64 * 600 + 17, 0.02));
        float[] heavy = new float[64 * 300];
        for (int i = 0; i < heavy.length; i++) {
            heavy[i] = (float) (0.01 * Math.tan(Math.PI * (random.nextDouble() - 0.5))); // Cauchy: outliers in most blocks
        }
        heavy[100] = 3e4f;
        heavy[101] = -3e4f;
        INPUTS.put("heavy_tailed", heavy);
        INPUTS.put("all_zero", new float[200]);
        INPUTS.put("tiny_block", new float[] {0.5f, -0.25f, 1e-3f, -1f, 0.07f});
        INPUTS.put("single", new float[] {-0.3f});
        INPUTS.put("block_plus_three", gaussian(random, 67, 1.0));
        float[] ties = new float[64];
        ties[0] = 1f; // absmax 1, so every value below scales to itself
        for (int i = 0; i < Nf4.BOUNDS.length; i++) {
            ties[1 + i] = Nf4.BOUNDS[i];
            ties[20 + i] = Math.nextUp(Nf4.BOUNDS[i]);
            ties[40 + i] = -Nf4.CODE[i];
        }
        INPUTS.put("midpoints", ties);
        float[] scales = gaussian(random, 64 * 4, 1.0);
        for (int i = 0; i < 64; i++) {
            scales[i] *= 1e-40f; // subnormal block
            scales[64 + i] *= 1e30f;
            scales[128 + i] = i % 2 == 0 ? -0f : 0f;
        }
        INPUTS.put("extreme_scales", scales);

        Path input = dir.resolve("input.safetensors");
        List<TensorSpec> specs = new ArrayList<>();
        INPUTS.forEach((name, v) -> specs.add(new TensorSpec(name, Dtype.F32, new long[] {v.length})));
        SafetensorsWriter.write(input, Map.of(), specs, INPUTS);
        Path output = dir.resolve("reference.safetensors");
        Process p = new ProcessBuilder("/usr/bin/python3", SCRIPT.toString(), input.toString(), output.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("reference finished").isTrue();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("nf4_reference.py output:\n%s", log).isZero();
        reference = SafetensorsFile.open(output);
    }

    @AfterAll
    static void close() {
        if (reference != null) {
            reference.close();
        }
    }

    @Test
    void dynamicCodeMatches() {
        assertThat(reference.readFloats("dynamic_code")).containsExactly(DynamicCode8.VALUES);
    }

    @Test
    void codesPackingAndMaximaMatchWithoutDoubleQuantization() {
        INPUTS.forEach((name, values) -> {
            Nf4Tensor q = Nf4.quantize(name, values, new long[] {values.length}, false);
            byte[] codes = new byte[values.length];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = (byte) q.code(i);
            }
            assertThat(codes).as(name + " codes").containsExactly(bytes(name + ".codes"));
            assertThat(bytes(q.packedCodes())).as(name + " packed").containsExactly(bytes(name + ".packed"));
            float[] absmax = new float[q.blockCount()];
            for (int b = 0; b < absmax.length; b++) {
                absmax[b] = q.blockMaximum(b);
            }
            assertThat(absmax).as(name + " absmax").containsExactly(reference.readFloats(name + ".absmax"));
            assertWithinRounding(name + " dequantized", q.dequantize(), reference.readFloats(name + ".dequant"));
        });
    }

    @Test
    void doubleQuantizedMaximaMatch() {
        INPUTS.forEach((name, values) -> {
            Nf4Tensor q = Nf4.quantize(name, values, new long[] {values.length}, true);
            assertThat(q.isDoubleQuantized()).isTrue();
            assertThat(bytes(q.packedCodes())).as(name + " packed").containsExactly(bytes(name + ".packed"));
            assertThat(q.absmaxOffset()).as(name + " offset").isEqualTo(reference.readFloats(name + ".dq.offset")[0]);
            assertThat(q.absmaxCodes()).as(name + " 8-bit codes").containsExactly(bytes(name + ".dq.codes8"));
            assertThat(q.absmaxScales()).as(name + " scales").containsExactly(reference.readFloats(name + ".dq.scales"));
            assertWithinRounding(name + " dequantized", q.dequantize(), reference.readFloats(name + ".dq.dequant"));
        });
    }

    /** Each value equal or one fp32 rounding step apart. */
    private static void assertWithinRounding(String what, float[] actual, float[] expected) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("%s[%d]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(Math.ulp(expected[i]));
        }
    }

    private static byte[] bytes(String name) {
        return bytes(reference.rawBytes(name));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private static float[] gaussian(SplittableRandom random, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return v;
    }
}
