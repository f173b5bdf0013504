package io.kefu.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Compares every metric mode with the values of scripts/golden/metrics.py (NLTK, jieba, re-implementations). */
class MetricsGoldenTest {
    private static final double EXACT = 1e-6;
    private static JsonNode golden;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = MetricsGoldenTest.class.getResourceAsStream("/golden/metrics/text_metrics.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        assertThat(golden.get("pairs").size()).isGreaterThanOrEqualTo(50);
    }

    @Test
    void jiebaTokensEqualPythonJieba() {
        JiebaCut jieba = JiebaCut.get();
        for (JsonNode pair : golden.get("pairs")) {
            assertThat(jieba.cut(pair.get("prediction").asText())).as(pair.get("prediction").asText())
                    .containsExactlyElementsOf(strings(pair.get("jieba_prediction")));
            assertThat(jieba.cut(pair.get("reference").asText())).as(pair.get("reference").asText())
                    .containsExactlyElementsOf(strings(pair.get("jieba_reference")));
        }
    }

    @Test
    void sacreBleuZhTokensEqualReference() {
        for (JsonNode pair : golden.get("pairs")) {
            assertThat(SacreBleuZhTokenizer.tokenize(pair.get("prediction").asText()))
                    .containsExactlyElementsOf(strings(pair.get("sacrebleu_tokens_prediction")));
            assertThat(SacreBleuZhTokenizer.tokenize(pair.get("reference").asText()))
                    .containsExactlyElementsOf(strings(pair.get("sacrebleu_tokens_reference")));
        }
    }

    @Test
    void llamaFactoryScoresPerPair() {
        for (JsonNode pair : golden.get("pairs")) {
            LlamaFactoryScores s = LlamaFactoryScores.score(pair.get("prediction").asText(), pair.get("reference").asText());
            JsonNode e = pair.get("llamafactory");
            String what = pair.get("prediction").asText() + " | " + pair.get("reference").asText();
            assertThat(s.bleu4()).as("bleu-4 " + what).isCloseTo(e.get("bleu-4").asDouble(), within(EXACT));
            assertThat(s.rouge1()).as("rouge-1 " + what).isCloseTo(e.get("rouge-1").asDouble(), within(EXACT));
            assertThat(s.rouge2()).as("rouge-2 " + what).isCloseTo(e.get("rouge-2").asDouble(), within(EXACT));
            assertThat(s.rougeL()).as("rouge-l " + what).isCloseTo(e.get("rouge-l").asDouble(), within(EXACT));
        }
    }

    @Test
    void charRougePerPair() {
        for (JsonNode pair : golden.get("pairs")) {
            RougeScores s = CharRouge.score(pair.get("prediction").asText(), pair.get("reference").asText());
            JsonNode e = pair.get("char");
            assertThat(s.rouge1()).isCloseTo(e.get("rouge-1").asDouble(), within(EXACT));
            assertThat(s.rouge2()).isCloseTo(e.get("rouge-2").asDouble(), within(EXACT));
            assertThat(s.rougeL()).isCloseTo(e.get("rouge-l").asDouble(), within(EXACT));
        }
    }

    @Test
    void sacreBleuSentenceScores() {
        for (JsonNode pair : golden.get("pairs")) {
            BleuScore s = SacreBleu.sentence(pair.get("prediction").asText(), pair.get("reference").asText());
            assertThat(s.score()).as(pair.get("prediction").asText())
                    .isCloseTo(pair.get("sacrebleu_sentence_bleu").asDouble(), within(EXACT));
        }
    }

    @Test
    void sacreBleuCorpusScoresOnEverySubset() {
        golden.get("sacrebleu_corpus").properties().forEach(entry -> {
            List<String> hyps = new ArrayList<>();
            List<String> refs = new ArrayList<>();
            for (JsonNode index : entry.getValue().get("indices")) {
                JsonNode pair = golden.get("pairs").get(index.asInt());
                hyps.add(pair.get("prediction").asText());
                refs.add(pair.get("reference").asText());
            }
            BleuScore s = SacreBleu.corpus(hyps, refs);
            JsonNode e = entry.getValue();
            assertThat(s.score()).as(entry.getKey()).isCloseTo(e.get("bleu").asDouble(), within(EXACT));
            assertThat(s.brevityPenalty()).isCloseTo(e.get("bp").asDouble(), within(EXACT));
            assertThat(s.correct()).containsExactlyElementsOf(ints(e.get("correct")));
            assertThat(s.total()).containsExactlyElementsOf(ints(e.get("total")));
            assertThat(s.hypothesisLength()).isEqualTo(e.get("sys_len").asLong());
            assertThat(s.referenceLength()).isEqualTo(e.get("ref_len").asLong());
        });
    }

    @Test
    void aggregateMeansMatchGolden() {
        List<String> hyps = new ArrayList<>();
        List<String> refs = new ArrayList<>();
        for (JsonNode pair : golden.get("pairs")) {
            hyps.add(pair.get("prediction").asText());
            refs.add(pair.get("reference").asText());
        }
        var m = TextMetrics.score(hyps, refs);
        JsonNode lf = golden.get("llamafactory_mean");
        JsonNode ch = golden.get("char_mean");
        assertThat(m.get("bleu4_sacrebleu")).isCloseTo(golden.get("sacrebleu_corpus").get("all").get("bleu").asDouble(), within(EXACT));
        assertThat(m.get("bleu4_llamafactory")).isCloseTo(lf.get("bleu-4").asDouble(), within(EXACT));
        assertThat(m.get("rouge1_llamafactory")).isCloseTo(lf.get("rouge-1").asDouble(), within(EXACT));
        assertThat(m.get("rouge2_llamafactory")).isCloseTo(lf.get("rouge-2").asDouble(), within(EXACT));
        assertThat(m.get("rougeL_llamafactory")).isCloseTo(lf.get("rouge-l").asDouble(), within(EXACT));
        assertThat(m.get("rouge1_char")).isCloseTo(ch.get("rouge-1").asDouble(), within(EXACT));
        assertThat(m.get("rouge2_char")).isCloseTo(ch.get("rouge-2").asDouble(), within(EXACT));
        assertThat(m.get("rougeL_char")).isCloseTo(ch.get("rouge-l").asDouble(), within(EXACT));
    }

    @Test
    void identicalTextsScoreFull() {
        assertThat(SacreBleu.corpus(List.of("连衣裙A有S码，库存还有5件。"), List.of("连衣裙A有S码，库存还有5件。")).score())
                .isCloseTo(100.0, within(1e-9));
        assertThat(CharRouge.score("有货", "有货").rougeL()).isCloseTo(100.0, within(1e-9));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
