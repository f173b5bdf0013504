package io.kefu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kefu bench decode} on a tiny model: the table has each row's bytes per token, read bandwidth and bound, a measured engine
 * in fp32 and int4, Jlama in fp32 and its own Q4 (run in a forked Java 21+ JVM, batch 1 only) and a missing engine.
 */
class BenchDecodeCommandIT {
    @TempDir
    Path temp;

    @Test
    void printsTheTableWithTheBoundBesideEachEngine() {
        Path tokenizer = Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3");
        Path model = BenchModel.write(temp.resolve("tiny"), tokenizer, 1, 64, 1, 128);
        Bench.Result r = Bench.run("decode", "--model", model.toString(), "--engines", "onnx,onnx:int4,jlama,jlama:q4,no-such-engine",
                "--batch-sizes", "1,2", "--tokens", "3", "--repeats", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("read bandwidth", "copy bandwidth", "contended", "MB/token  read GB/s  bound", "batch 1  batch 2");
        assertThat(r.out()).containsPattern("(?m)^onnx\\s+[0-9]+\\s+[0-9.]+\\s+[0-9]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9]+%$");
        assertThat(r.out()).containsPattern("(?m)^onnx:int4\\s+[0-9]+\\s+[0-9.]+\\s+[0-9]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9]+%$");
        assertThat(r.out()).containsPattern("(?m)^jlama\\s+[0-9]+\\s+-\\s+[0-9]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+batch 1 only\\s+[0-9]+%$");
        assertThat(r.out()).containsPattern("(?m)^jlama:q4\\s+[0-9]+\\s+-\\s+[0-9]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+batch 1 only\\s+[0-9]+%$");
        assertThat(r.out()).containsPattern("(?m)^no-such-engine\\s+n/a: no engine 'no-such-engine'");
        // int4 weights make the bound higher than fp32's
        assertThat(bound(r.out(), "onnx:int4")).isGreaterThan(bound(r.out(), "onnx"));
    }

    private static double bound(String table, String engine) {
        return table.lines().filter(l -> l.startsWith(engine + " ")).map(l -> l.trim().split("\\s+")[5]).mapToDouble(Double::parseDouble)
                .findFirst().orElseThrow();
    }
}
