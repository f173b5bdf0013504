package io.kefu.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.engine.djl.generate.DjlDecoder;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.Golden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Greedy decoding is token-identical to Jlama, an independent Java inference engine, on llama and
 * qwen2 checkpoints (head_dim 32). Jlama needs Java 21+: the test runs it as a source-file program
 * (src/test/jlama/JlamaGreedy.java) in a JDK 21+ that {@link Jdk21} finds.
 */
class JlamaParityIT {
    private static final int NEW_TOKENS = 12;

    @ParameterizedTest
    @ValueSource(strings = {"jlama_llama", "jlama_qwen2"})
    void greedyTokensMatchJlama(String fixture) throws Exception {
        Path dir = Golden.dir(fixture);
        JsonNode greedy = new ObjectMapper().readTree(Files.readString(dir.resolve("greedy.json")));
        int[] prompt = new int[greedy.get("prompt").size()];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = greedy.get("prompt").get(i).asInt();
        }
        int[] jlama = jlama(dir, prompt);
        int[] ours = ours(dir, prompt);
        assertThat(ours).as("djl vs Jlama").containsExactly(jlama);
        int[] torch = new int[NEW_TOKENS];
        for (int i = 0; i < NEW_TOKENS; i++) {
            torch[i] = greedy.get("tokens").get(i).asInt();
        }
        assertThat(ours).as("djl vs PyTorch").containsExactly(torch);
    }

    private static int[] ours(Path dir, int[] prompt) {
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(dir);
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64);
             DjlDecoder decoder = new DjlDecoder(model, null, manager)) {
            int[] out = new int[NEW_TOKENS];
            float[] logits = decoder.prefill(new int[][] {prompt})[0];
            for (int i = 0; i < NEW_TOKENS; i++) {
                out[i] = argmax(logits);
                logits = decoder.step(new int[] {out[i]})[0];
            }
            return out;
        }
    }

    private static int[] jlama(Path dir, int[] prompt) throws IOException, InterruptedException {
        Path source = Path.of(System.getProperty("kefu.repo.dir"), "engine-djl", "src", "test", "jlama", "JlamaGreedy.java");
        List<String> cmd = new ArrayList<>(List.of(Jdk21.java().toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-preview", "--source", String.valueOf(Jdk21.version(Jdk21.java().getParent().getParent())),
                "-cp", System.getProperty("java.class.path"), source.toString(), dir.toString(),
                Arrays.stream(prompt).mapToObj(String::valueOf).collect(Collectors.joining(",")),
                String.valueOf(NEW_TOKENS)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        String[] lines = output.strip().split("\n");
        return Arrays.stream(lines[lines.length - 1].trim().split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
