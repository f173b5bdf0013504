package io.kefu.eval.metrics;

import java.util.List;

/**
 * The four numbers LLaMA-Factory's {@code ComputeSimilarity} records for one prediction, each
 * {@code round(value * 100, 4)} as it does: BLEU-4 is NLTK's sentence BLEU with smoothing method3
 * over the <em>characters</em> of the texts; ROUGE is {@code rouge_chinese} over the jieba tokens
 * (all three 0 when either side has no non-space token).
 *
 * @param bleu4 BLEU-4 x100
 * @param rouge1 ROUGE-1 F x100
 * @param rouge2 ROUGE-2 F x100
 * @param rougeL ROUGE-L F x100
 */
public record LlamaFactoryScores(double bleu4, double rouge1, double rouge2, double rougeL) {
    /** @return the scores of one prediction against its reference */
    public static LlamaFactoryScores score(String prediction, String reference) {
        JiebaCut jieba = JiebaCut.get();
        List<String> hypothesis = jieba.cut(prediction);
        List<String> ref = jieba.cut(reference);
        String hypJoined = String.join(" ", hypothesis);
        String refJoined = String.join(" ", ref);
        double[] rouge = {0, 0, 0};
        if (!PythonText.split(hypJoined).isEmpty() && !PythonText.split(refJoined).isEmpty()) {
            rouge = RougeChinese.fScores(hypJoined, refJoined);
        }
        double bleu = NltkSentenceBleu.score(PythonText.codePoints(reference), PythonText.codePoints(prediction));
        return new LlamaFactoryScores(PythonText.round(bleu * 100, 4), PythonText.round(rouge[0] * 100, 4),
                PythonText.round(rouge[1] * 100, 4), PythonText.round(rouge[2] * 100, 4));
    }
}
