package io.kefu.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.engine.onnx.export.ExportOptions;
import io.kefu.engine.onnx.export.OnnxExporter;
import io.kefu.runtime.generate.JoinableDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rows joining and leaving a running ONNX batch decode as they would alone, with every attention kind and cache type. */
class OnnxDecoderJoinTest {
    private static final int TOKENS = 12;

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @CsvSource({"llama, CONTRIB, FP32, GROWING", "qwen3, CONTRIB, FP32, GROWING", "qwen2, STANDARD, FP32, GROWING",
        "qwen2, CONTRIB, FP16, GROWING", "qwen3, STANDARD, FP16, GROWING", "llama, CONTRIB, FP32, SHARED",
        "qwen2, CONTRIB, FP16, SHARED", "qwen3, CONTRIB, FP32, SHARED"})
    void rowsJoiningAndLeavingARunningBatchDecodeAsTheyWouldAlone(String arch, ExportOptions.Operators operators,
                                                                   ExportOptions.Precision precision, ExportOptions.KvCache kvCache) {
        Path out = temp.resolve(arch + "-" + operators + "-" + precision + "-" + kvCache);
        OnnxExporter.export(Golden.dir(arch), Optional.empty(), out,
                ExportOptions.builder().operators(operators).precision(precision).kvCache(kvCache).build());
        int[][] prompts = {{9, 8, 7, 6, 5, 4, 3, 100, 101}, {1, 5, 9, 33}, {42, 43}, {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7}};
        try (OnnxDecoderModel model = OnnxDecoderModel.load(out, SessionSettings.defaults())) {
            List<int[]> alone = new ArrayList<>();
            for (int[] prompt : prompts) {
                alone.add(Golden.greedy(model, prompt, TOKENS));
            }
            List<List<Integer>> produced = new ArrayList<>();
            for (int[] ignored : prompts) {
                produced.add(new ArrayList<>());
            }
            try (JoinableDecoder decoder = model.newDecoder()) {
                List<Integer> running = new ArrayList<>(); // prompt index of each decoder row
                join(decoder, running, produced, prompts, 0);
                step(decoder, running, produced, 3);
                join(decoder, running, produced, prompts, 1, 2);    // shorter than the running row: padded in front
                step(decoder, running, produced, 2);
                decoder.retain(new int[] {1, 2});                   // the first row leaves; its leading positions go
                running.remove(0);
                join(decoder, running, produced, prompts, 3);       // longer than the running rows: they get padded
                while (!running.isEmpty()) {
                    step(decoder, running, produced, 1);
                    int[] keep = IntStream.range(0, running.size())
                            .filter(r -> produced.get(running.get(r)).size() < TOKENS).toArray();
                    decoder.retain(keep);
                    List<Integer> still = new ArrayList<>();
                    for (int r : keep) {
                        still.add(running.get(r));
                    }
                    running.clear();
                    running.addAll(still);
                    assertThat(decoder.rows()).isEqualTo(running.size());
                }
            }
            for (int i = 0; i < prompts.length; i++) {
                int[] got = produced.get(i).stream().mapToInt(Integer::intValue).toArray();
                assertThat(got).as("row %d", i).containsExactly(Arrays.copyOf(alone.get(i), got.length));
            }
            assertThat(produced.get(0)).hasSize(6);
            assertThat(produced.subList(1, 4)).allMatch(tokens -> tokens.size() == TOKENS);
        }
    }

    /** Joins prompts to the decoder and takes each new row's greedy first token. */
    private static void join(JoinableDecoder decoder, List<Integer> running, List<List<Integer>> produced, int[][] prompts, int... which) {
        int[][] joining = new int[which.length][];
        for (int i = 0; i < which.length; i++) {
            joining[i] = prompts[which[i]];
        }
        float[][] logits = decoder.join(joining);
        for (int i = 0; i < which.length; i++) {
            running.add(which[i]);
            produced.get(which[i]).add(Golden.argmax(logits[i]));
        }
        assertThat(decoder.rows()).isEqualTo(running.size());
    }

    /** Feeds every row its last token, {@code times} times, taking the greedy next token. */
    private static void step(JoinableDecoder decoder, List<Integer> running, List<List<Integer>> produced, int times) {
        for (int t = 0; t < times; t++) {
            int[] next = new int[running.size()];
            for (int r = 0; r < next.length; r++) {
                List<Integer> tokens = produced.get(running.get(r));
                next[r] = tokens.get(tokens.size() - 1);
            }
            float[][] logits = decoder.step(next);
            for (int r = 0; r < next.length; r++) {
                produced.get(running.get(r)).add(Golden.argmax(logits[r]));
            }
        }
    }
}
