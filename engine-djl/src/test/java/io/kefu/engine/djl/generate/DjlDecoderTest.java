package io.kefu.engine.djl.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.core.format.Checkpoint;
import io.kefu.engine.djl.Torch;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cached, batched decoding gives the tokens PyTorch's full recomputation gives. */
class DjlDecoderTest {
    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void greedyDecodeMatchesReferenceAloneAndInALeftPaddedBatch(String name) throws IOException {
        JsonNode greedy = new ObjectMapper().readTree(Files.readString(Golden.dir(name).resolve("greedy.json")));
        int[] prompt = ints(greedy.get("prompt"));
        int[] expected = ints(greedy.get("tokens"));
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(Golden.dir(name));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64)) {
            int arrays = weights.manager().getManagedArrays().size();
            assertThat(decode(model, manager, new int[][] {prompt}, expected.length).get(0)).containsExactly(expected);
            assertThat(weights.manager().getManagedArrays()).as("no arrays left behind").hasSize(arrays);
            // the same prompt beside a longer one: left padding must not change its tokens
            int[] longer = {9, 8, 7, 6, 5, 4, 3, 100, 101};
            List<int[]> batch = decode(model, manager, new int[][] {longer, prompt}, expected.length);
            assertThat(batch.get(1)).containsExactly(expected);
            assertThat(batch.get(0)).containsExactly(decode(model, manager, new int[][] {longer}, expected.length).get(0));
        }
    }

    static List<int[]> decode(DecoderModel model, NDManager manager, int[][] prompts, int n) {
        List<int[]> out = new ArrayList<>();
        for (int[] ignored : prompts) {
            out.add(new int[n]);
        }
        try (DjlDecoder decoder = new DjlDecoder(model, null, manager)) {
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
