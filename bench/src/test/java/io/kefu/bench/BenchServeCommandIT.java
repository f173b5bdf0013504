package io.kefu.bench;

import io.kefu.model.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kefu bench serve} on a tiny random-weight Llama with the real Llama 3 tokenizer. */
class BenchServeCommandIT {
    @TempDir
    Path dir;

    @Test
    void printsStreamedThroughputAndTimeToFirstTokenBatchedBesideOneAtATimeAt1_4And16() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 2, \"num_attention_heads\": 2,"
                + " \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256, \"rms_norm_eps\": 1e-5, \"rope_theta\": 500000.0,"
                + " \"max_position_embeddings\": 2048, \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        Path model = dir.resolve("llama-tiny");
        Engines.get("djl").initCheckpoint("llama", config, Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3"), model, 3);
        Bench.Result r = Bench.run("serve", "--model", model.toString(), "--requests", "1", "--tokens", "4");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Pattern row = Pattern.compile("^(\\d+) +(one-at-a-time|batched \\(<= 16\\)) +(\\d+) +(\\d+)( +[\\d.]+){6}$");
        Map<String, String[]> rows = new LinkedHashMap<>();
        r.out().lines().map(String::strip).filter(l -> row.matcher(l).matches())
                .forEach(l -> rows.put(l.substring(0, l.indexOf(' ')) + " " + (l.contains("batched") ? "batched" : "one"), l.split(" +")));
        for (int c : new int[] {1, 4, 16}) {
            assertThat(r.out()).contains("concurrency " + c + ": batched / one-at-a-time =");
            assertThat(r.out()).containsPattern("batched engine: \\d+ decoding steps, [\\d.]+ rows per step on average, \\d+ prefill"
                    + " passes for " + c + " requests");
            for (String side : new String[] {"one", "batched"}) {
                String[] cols = rows.get(c + " " + side);
                assertThat(cols).as(c + " " + side + " in\n" + r.out()).isNotNull();
                int n = cols.length;
                assertThat(Integer.parseInt(cols[n - 8])).as("requests").isEqualTo(c);
                assertThat(Long.parseLong(cols[n - 7])).as("tokens generated").isBetween(1L, 4L * c);
                assertThat(Double.parseDouble(cols[n - 6])).as("tokens/s").isPositive();
                assertThat(Double.parseDouble(cols[n - 5])).as("tokens per CPU second").isPositive();
                // each request's first token comes no later than its end, so each percentile of TTFT is at most latency's
                assertThat(Double.parseDouble(cols[n - 4])).as("TTFT p50").isLessThanOrEqualTo(Double.parseDouble(cols[n - 2]));
                assertThat(Double.parseDouble(cols[n - 3])).as("TTFT p99").isLessThanOrEqualTo(Double.parseDouble(cols[n - 1]));
            }
        }
        System.out.println(r.out());
    }
}
