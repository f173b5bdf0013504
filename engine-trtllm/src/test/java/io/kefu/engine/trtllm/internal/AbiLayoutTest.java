package io.kefu.engine.trtllm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Structure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Compares the JNA structures with the C compiler's layout of kefu_trtllm.h, as printed by
 * native/test-double/abi_layout.c (built with the test double).
 */
class AbiLayoutTest {
    private static List<String[]> cLayout() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(TestDouble.nativeDir().resolve("abi_layout").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<String[]> lines = new ArrayList<>();
        out.lines().forEach(l -> lines.add(l.split(" ")));
        return lines;
    }

    @Test
    void everyStructHasTheSameSizeAndFieldOffsetsAsInC() throws Exception {
        Map<String, Structs.Layout> java = Map.of(
                "kefu_trtllm_executor_config", new Structs.ExecutorConfig(),
                "kefu_trtllm_request", new Structs.Request(),
                "kefu_trtllm_response", new Structs.Response());
        List<String[]> c = cLayout();
        int fields = 0;
        for (String[] line : c) {
            Structs.Layout s = java.get(line[0]);
            assertThat(s).as("a JNA structure for %s", line[0]).isNotNull();
            long expected = Long.parseLong(line[2]);
            if (line[1].equals("sizeof")) {
                assertThat((long) s.size()).as("sizeof(%s)", line[0]).isEqualTo(expected);
            } else {
                assertThat((long) s.offsetOf(line[1])).as("offsetof(%s, %s)", line[0], line[1]).isEqualTo(expected);
                fields++;
            }
        }
        int javaFields = java.values().stream().mapToInt(s -> s.getClass().getAnnotation(Structure.FieldOrder.class).value().length).sum();
        assertThat(fields).as("every JNA field is checked against C").isEqualTo(javaFields);
    }

    @Test
    void structSizeFieldsCarryTheVersionOneSize() {
        assertThat(new Structs.ExecutorConfig().struct_size).isEqualTo(new Structs.ExecutorConfig().size());
        assertThat(new Structs.Request().struct_size).isEqualTo(new Structs.Request().size());
    }
}
