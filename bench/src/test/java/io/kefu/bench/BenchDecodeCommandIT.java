package io.kefu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kefu bench decode} on a tiny model: the table has the bound, a measured engine, Jlama (run
 * in a forked Java 21+ JVM, batch 1 only) and a missing engine.
 */
class BenchDecodeCommandIT {
    @TempDir
    Path temp;

    @Test
    void printsTheTableWithTheBoundBesideEachEngine() {
        Path tokenizer = Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3");
        Path model = BenchModel.write(temp.resolve("tiny"), tokenizer, 1, 64, 1, 128);
        Bench.Result r = Bench.run("decode", "--model", model.toString(), "--engines", "onnx,jlama,no-such-engine",
                "--batch-sizes", "1,2", "--tokens", "3", "--repeats", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("copy bandwidth", "bound at batch 1", "contended", "batch 1  batch 2");
        assertThat(r.out()).containsPattern("(?m)^bound\\s+-\\s+-\\s+[0-9.]+\\s+[0-9.]+\\s+100%$");
        assertThat(r.out()).containsPattern("(?m)^onnx\\s+[0-9]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9]+%$");
        assertThat(r.out()).containsPattern("(?m)^jlama\\s+[0-9]+\\s+-\\s+[0-9.]+\\s+batch 1 only\\s+[0-9]+%$");
        assertThat(r.out()).containsPattern("(?m)^no-such-engine\\s+n/a: no engine 'no-such-engine'");
    }
}
