package io.kefu.engine.djl.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.SafetensorsFile;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cached, batched decoding gives the tokens PyTorch's full recomputation gives, with the model's
 * own forward pass (0 shards) or a {@link ShardedForward} of one or several shards (fewer
 * key/value heads than shards, and intermediate and vocabulary sizes that do not divide evenly,
 * included).
 */
class DjlDecoderTest {
    @ParameterizedTest
    @CsvSource({"llama, 0", "llama, 1", "llama, 2", "llama, 3", "qwen2, 0", "qwen2, 3", "qwen3, 0", "qwen3, 2"})
    void eachStepsLogitsMatchTorchsOnTheSameTokens(String name, int shards) {
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(Golden.dir(name));
             SafetensorsFile golden = SafetensorsFile.open(Golden.dir(name).resolve("logits.safetensors"));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64);
             ShardedForward sharded = sharded(model, shards, manager);
             DjlDecoder decoder = decoder(model, sharded, manager)) {
            int vocab = model.config().vocabSize();
            for (int i = 0; golden.contains("ids." + i); i++) {
                long[] ids = golden.readLongs("ids." + i);
                float[] expected = golden.readFloats("logits." + i);
                float[][] logits = decoder.join(new int[][] {{(int) ids[0]}});
                for (int p = 0; p < ids.length; p++) {
                    if (p > 0) {
                        logits = decoder.step(new int[] {(int) ids[p]});
                    }
                    float worst = 0;
                    for (int v = 0; v < vocab; v++) {
                        worst = Math.max(worst, Math.abs(logits[0][v] - expected[p * vocab + v]));
                    }
                    assertThat(worst).as("%s sequence %d position %d", name, i, p).isLessThan(1e-4f);
                }
                decoder.retain(new int[0]);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"llama, 0", "llama, 1", "llama, 2", "llama, 3", "qwen2, 0", "qwen2, 2", "qwen3, 0", "qwen3, 3"})
    void greedyDecodeMatchesReferenceAloneAndInALeftPaddedBatch(String name, int shards) throws IOException {
        JsonNode greedy = new ObjectMapper().readTree(Files.readString(Golden.dir(name).resolve("greedy.json")));
        int[] prompt = ints(greedy.get("prompt"));
        int[] expected = ints(greedy.get("tokens"));
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(Golden.dir(name));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64);
             ShardedForward sharded = sharded(model, shards, manager)) {
            int arrays = weights.manager().getManagedArrays().size();
            assertThat(decode(model, sharded, manager, new int[][] {prompt}, expected.length).get(0)).containsExactly(expected);
            assertThat(weights.manager().getManagedArrays()).as("no arrays left behind").hasSize(arrays);
            // the same prompt beside a longer one: left padding must not change its tokens
            int[] longer = {9, 8, 7, 6, 5, 4, 3, 100, 101};
            List<int[]> batch = decode(model, sharded, manager, new int[][] {longer, prompt}, expected.length);
            assertThat(batch.get(1)).containsExactly(expected);
            assertThat(batch.get(0)).containsExactly(decode(model, sharded, manager, new int[][] {longer}, expected.length).get(0));
        }
    }

    @ParameterizedTest
    @CsvSource({"llama, 0", "llama, 2", "qwen2, 0", "qwen2, 3", "qwen3, 0", "qwen3, 2"})
    void rowsJoiningAndLeavingARunningBatchDecodeAsTheyWouldAlone(String name, int shards) throws IOException {
        JsonNode greedy = new ObjectMapper().readTree(Files.readString(Golden.dir(name).resolve("greedy.json")));
        int[] golden = ints(greedy.get("prompt"));
        int n = greedy.get("tokens").size();
        int[][] prompts = {{9, 8, 7, 6, 5, 4, 3, 100, 101}, golden, {42, 43}, {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7}};
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(Golden.dir(name));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64);
             ShardedForward sharded = sharded(model, shards, manager)) {
            int arrays = weights.manager().getManagedArrays().size();
            List<int[]> alone = new ArrayList<>();
            for (int[] prompt : prompts) {
                alone.add(decode(model, sharded, manager, new int[][] {prompt}, n).get(0));
            }
            assertThat(alone.get(1)).containsExactly(ints(greedy.get("tokens")));
            List<List<Integer>> produced = new ArrayList<>();
            for (int[] ignored : prompts) {
                produced.add(new ArrayList<>());
            }
            try (DjlDecoder decoder = decoder(model, sharded, manager)) {
                List<Integer> running = new ArrayList<>(); // prompt index of each decoder row
                join(decoder, running, produced, prompts, 0);
                stepTimes(decoder, running, produced, 3);
                join(decoder, running, produced, prompts, 1, 2);    // shorter than the running row: padded in front
                stepTimes(decoder, running, produced, 2);
                decoder.retain(new int[] {1, 2});                   // the first row leaves; its leading positions go
                running.remove(0);
                join(decoder, running, produced, prompts, 3);       // longer than the running rows: they get padded
                while (!running.isEmpty()) {
                    stepTimes(decoder, running, produced, 1);
                    int[] keep = java.util.stream.IntStream.range(0, running.size())
                            .filter(r -> produced.get(running.get(r)).size() < n).toArray();
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
                assertThat(got).as("row %d", i).containsExactly(java.util.Arrays.copyOf(alone.get(i), got.length));
            }
            assertThat(produced.get(0)).hasSize(6);
            assertThat(produced.subList(1, 4)).allMatch(tokens -> tokens.size() == n);
            assertThat(weights.manager().getManagedArrays()).as("no arrays left behind").hasSize(arrays);
        }
    }

    @ParameterizedTest
    @CsvSource({"llama, 0", "llama, 1", "llama, 2", "qwen3, 3"})
    void aStepLeavesNoArraysBehindButItsCache(String name, int shards) {
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(Golden.dir(name));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64);
             ShardedForward sharded = sharded(model, shards, manager);
             DjlDecoder decoder = decoder(model, sharded, manager)) {
            decoder.join(new int[][] {{5, 6, 7}, {8, 9}});
            decoder.step(new int[] {1, 2});
            int arrays = manager.getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                decoder.step(new int[] {3 + i, 4 + i});
            }
            assertThat(manager.getManagedArrays()).as("arrays after 5 more steps").hasSize(arrays);
        }
    }

    /** Joins prompts to the decoder and takes each new row's greedy first token. */
    private static void join(DjlDecoder decoder, List<Integer> running, List<List<Integer>> produced, int[][] prompts, int... which) {
        int[][] joining = new int[which.length][];
        for (int i = 0; i < which.length; i++) {
            joining[i] = prompts[which[i]];
        }
        float[][] logits = decoder.join(joining);
        for (int i = 0; i < which.length; i++) {
            running.add(which[i]);
            produced.get(which[i]).add(argmax(logits[i]));
        }
        assertThat(decoder.rows()).isEqualTo(running.size());
    }

    /** Feeds every row its last token, {@code times} times, taking the greedy next token. */
    private static void stepTimes(DjlDecoder decoder, List<Integer> running, List<List<Integer>> produced, int times) {
        for (int t = 0; t < times; t++) {
            int[] next = new int[running.size()];
            for (int r = 0; r < next.length; r++) {
                List<Integer> tokens = produced.get(running.get(r));
                next[r] = tokens.get(tokens.size() - 1);
            }
            float[][] logits = decoder.step(next);
            for (int r = 0; r < next.length; r++) {
                produced.get(running.get(r)).add(argmax(logits[r]));
            }
        }
    }

    /** @return the pass split into {@code shards}, or null for 0: the model's own pass */
    private static ShardedForward sharded(DecoderModel model, int shards, NDManager manager) {
        return shards == 0 ? null : ShardedForward.start(model, shards, manager);
    }

    private static DjlDecoder decoder(DecoderModel model, ShardedForward sharded, NDManager manager) {
        return sharded == null ? new DjlDecoder(model, null, manager) : new DjlDecoder(sharded, manager);
    }

    static List<int[]> decode(DecoderModel model, ShardedForward sharded, NDManager manager, int[][] prompts, int n) {
        List<int[]> out = new ArrayList<>();
        for (int[] ignored : prompts) {
            out.add(new int[n]);
        }
        try (DjlDecoder decoder = decoder(model, sharded, manager)) {
            float[][] logits = decoder.prefill(prompts);
            for (int i = 0; i < n; i++) {
                int[] next = new int[prompts.length];
                for (int r = 0; r < prompts.length; r++) {
                    next[r] = argmax(logits[r]);
                    out.get(r)[i] = next[r];
                }
                logits = decoder.step(next);
            }
        }
        return out;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
