package io.kefu.eval.metrics;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores predictions against references in every mode, all on a 0..100 scale:
 * <ul>
 *   <li>{@code bleu4_sacrebleu}: corpus BLEU-4 as sacreBLEU with {@code tokenize='zh'} and its
 *       default exp smoothing ({@link SacreBleu#corpus});</li>
 *   <li>{@code bleu4_llamafactory}, {@code rouge1_llamafactory}, {@code rouge2_llamafactory},
 *       {@code rougeL_llamafactory}: the mean of LLaMA-Factory's per-prediction scores
 *       ({@link LlamaFactoryScores});</li>
 *   <li>{@code rouge1_char}, {@code rouge2_char}, {@code rougeL_char}: the mean character-level
 *       ROUGE F1 ({@link CharRouge}).</li>
 * </ul>
 */
public final class TextMetrics {
    /** Metric names, in report order. */
    public static final List<String> NAMES = List.of("bleu4_sacrebleu", "bleu4_llamafactory", "rouge1_llamafactory",
            "rouge2_llamafactory", "rougeL_llamafactory", "rouge1_char", "rouge2_char", "rougeL_char");

    private TextMetrics() {
    }

    /**
     * The per-prediction part of the metrics.
     *
     * @param llamaFactory LLaMA-Factory's scores
     * @param chars character-level ROUGE
     */
    public record PairScores(LlamaFactoryScores llamaFactory, RougeScores chars) {
        /** @return the per-prediction metrics by name (every name of {@link #NAMES} but the corpus BLEU) */
        public Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("bleu4_llamafactory", llamaFactory.bleu4());
            m.put("rouge1_llamafactory", llamaFactory.rouge1());
            m.put("rouge2_llamafactory", llamaFactory.rouge2());
            m.put("rougeL_llamafactory", llamaFactory.rougeL());
            m.put("rouge1_char", chars.rouge1());
            m.put("rouge2_char", chars.rouge2());
            m.put("rougeL_char", chars.rougeL());
            return m;
        }
    }

    /** @return the per-prediction scores of one pair */
    public static PairScores scorePair(String prediction, String reference) {
        return new PairScores(LlamaFactoryScores.score(prediction, reference), CharRouge.score(prediction, reference));
    }

    /**
     * @param predictions system outputs
     * @param references one reference per prediction, same order
     * @return every metric of {@link #NAMES}; all 0 for an empty list
     */
    public static Map<String, Double> score(List<String> predictions, List<String> references) {
        if (predictions.size() != references.size()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "need one reference per prediction: "
                    + predictions.size() + " predictions, " + references.size() + " references");
        }
        List<PairScores> pairs = new ArrayList<>();
        for (int i = 0; i < predictions.size(); i++) {
            pairs.add(scorePair(predictions.get(i), references.get(i)));
        }
        return aggregate(predictions, references, pairs);
    }

    /** Combines already computed per-pair scores with the corpus BLEU of the same pairs. */
    public static Map<String, Double> aggregate(List<String> predictions, List<String> references, List<PairScores> pairs) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("bleu4_sacrebleu", predictions.isEmpty() ? 0.0 : SacreBleu.corpus(predictions, references).score());
        Map<String, Double> sums = new LinkedHashMap<>();
        for (PairScores p : pairs) {
            p.asMap().forEach((k, v) -> sums.merge(k, v, Double::sum));
        }
        for (String name : NAMES.subList(1, NAMES.size())) {
            out.put(name, pairs.isEmpty() ? 0.0 : sums.getOrDefault(name, 0.0) / pairs.size());
        }
        return out;
    }
}
