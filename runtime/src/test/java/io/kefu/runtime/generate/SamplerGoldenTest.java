package io.kefu.runtime.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.chat.GenerationParameters;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The sampling distribution against transformers' logits processors run in PyTorch
 * (golden file from scripts/golden/sampling_processors.py).
 */
class SamplerGoldenTest {
    @Test
    void keepsTheSameTokensWithTheSameProbabilitiesAsTransformers() throws Exception {
        JsonNode golden = new ObjectMapper().readTree(
                Path.of("src/test/resources/golden/sampling/processors.json").toFile());
        assertThat(golden.get("cases").size()).isEqualTo(12);
        for (JsonNode c : golden.get("cases")) {
            GenerationParameters params = GenerationParameters.builder()
                    .temperature(c.get("temperature").asDouble())
                    .topK(c.get("top_k").asInt())
                    .topP(c.get("top_p").asDouble())
                    .repetitionPenalty(c.get("repetition_penalty").asDouble())
                    .build();
            int[] prompt = new int[c.get("prompt").size()];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = c.get("prompt").get(i).asInt();
            }
            float[] logits = new float[c.get("logits").size()];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) c.get("logits").get(i).asDouble();
            }
            double[] actual = new Sampler(params, prompt).distribution(logits);
            for (int i = 0; i < logits.length; i++) {
                double expected = c.get("probs").get(i).asDouble();
                assertThat(actual[i] > 0).as("%s: token %d kept", params, i).isEqualTo(expected > 0);
                assertThat(actual[i]).as("%s: p(token %d)", params, i).isCloseTo(expected, Offset.offset(2e-6));
            }
        }
    }
}
