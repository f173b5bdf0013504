package io.kefu.engine.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.runtime.generate.JoinableDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The PyTorch goldens written by scripts/golden/onnx_reference_models.py: tiny checkpoints and the
 * logits of a left-padded batch (prefill, one cached step) plus 64-token greedy continuations.
 */
final class Golden {
    /** One row of the reference batch. */
    record Row(int[] prompt, float[][] prefillLogits, int nextToken, float[] stepLogits, int[] greedy) {
    }

    private Golden() {
    }

    static Path dir(String name) {
        try {
            return Path.of(Golden.class.getResource("/golden/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Row> rows(Path referenceJson) {
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readString(referenceJson));
            List<Row> out = new ArrayList<>();
            for (JsonNode row : root.get("rows")) {
                JsonNode prefill = row.get("prefill_logits");
                float[][] logits = new float[prefill.size()][];
                for (int i = 0; i < logits.length; i++) {
                    logits[i] = floats(prefill.get(i));
                }
                out.add(new Row(ints(row.get("prompt")), logits, row.get("next_token").asInt(), floats(row.get("step_logits")),
                        ints(row.get("greedy"))));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[][] prompts(List<Row> rows) {
        return rows.stream().map(Row::prompt).toArray(int[][]::new);
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /** @return a copy of a decoder's logits, which it may hand out again at its next call */
    static float[][] copy(float[][] logits) {
        return Arrays.stream(logits).map(float[]::clone).toArray(float[][]::new);
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
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

    /** Greedy continuation of each prompt alone, {@code steps} tokens, through the decoder. */
    static int[] greedy(OnnxDecoderModel model, int[] prompt, int steps) {
        try (JoinableDecoder decoder = model.newDecoder()) {
            int[] out = new int[steps];
            float[] logits = decoder.prefill(new int[][] {prompt})[0];
            for (int i = 0; i < steps; i++) {
                out[i] = argmax(logits);
                if (i + 1 < steps) {
                    logits = decoder.step(new int[] {out[i]})[0];
                }
            }
            return out;
        }
    }
}
