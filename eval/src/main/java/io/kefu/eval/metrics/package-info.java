/**
 * BLEU-4 and ROUGE that agree with the tools people compare against. Every score is 0-100.
 *
 * <h2>Modes and what each one matches</h2>
 * <table>
 *   <caption>Metric modes</caption>
 *   <tr><th>metric</th><th>matches</th><th>how</th><th>where it may differ</th></tr>
 *   <tr><td>{@code bleu4_sacrebleu}</td>
 *       <td>sacreBLEU {@code corpus_score} with {@code tokenize='zh'}, default {@code smooth_method='exp'},
 *           {@code use_effective_order=False}, one reference per segment</td>
 *       <td>{@link io.kefu.eval.metrics.SacreBleuZhTokenizer} (CJK characters split, 13a regexes for
 *           the rest, including sacreBLEU's two ranges written as two-character strings) and
 *           {@link io.kefu.eval.metrics.SacreBleu}</td>
 *       <td>an empty reference counts as zero tokens (sacreBLEU refuses it); sacreBLEU itself is not
 *           installable here, so the golden values come from a line-by-line re-implementation in
 *           {@code scripts/golden/metrics.py}, cross-checked against NLTK's {@code corpus_bleu} on the
 *           subsets where both must agree</td></tr>
 *   <tr><td>{@code bleu4_llamafactory}</td>
 *       <td>LLaMA-Factory's {@code ComputeSimilarity}: NLTK {@code sentence_bleu([list(label)], list(pred),
 *           SmoothingFunction().method3)}, {@code round(x*100, 4)} per answer, then the mean</td>
 *       <td>{@link io.kefu.eval.metrics.NltkSentenceBleu} on code points</td>
 *       <td>the mean is a plain sum where numpy sums pairwise (differences near 1e-13)</td></tr>
 *   <tr><td>{@code rouge1/2/L_llamafactory}</td>
 *       <td>LLaMA-Factory's ROUGE: {@code rouge_chinese.Rouge().get_scores(' '.join(jieba.cut(pred)),
 *           ' '.join(jieba.cut(label)))} F, 0 when either side has no non-space token, {@code round(f*100, 4)}, mean</td>
 *       <td>{@link io.kefu.eval.metrics.JiebaCut} (Python jieba's {@code cut}, HMM on) and
 *           {@link io.kefu.eval.metrics.RougeChinese} (sentence cut, n-gram <em>sets</em>, LCS of all words,
 *           {@code 2PR/(P+R+1e-8)})</td>
 *       <td>the word dictionary and HMM come from {@code com.huaban:jieba-analysis}: its dictionary lacks
 *           one word of Python jieba 0.42.1's (吉林) and its emission log-probabilities have 12 digits, so a
 *           text containing 吉林 or a near-tied unknown-word run may split differently; the golden test checks
 *           token equality with Python jieba on every golden text</td></tr>
 *   <tr><td>{@code rouge1/2/L_char}</td>
 *       <td>ROUGE F1 (Lin 2004; the formulas of Google's {@code rouge-score}) on characters, whitespace dropped</td>
 *       <td>{@link io.kefu.eval.metrics.CharRouge}: clipped multiset n-gram counts, LCS for L,
 *           {@code 2PR/(P+R)}, 0 for an empty side</td>
 *       <td>no stemming or tokenizer: it is the natural unit for Chinese and needs no dictionary</td></tr>
 * </table>
 *
 * <p>Golden values: {@code scripts/golden/metrics.py} (run with Debian's Python and
 * {@code python3-nltk python3-jieba}) writes {@code src/test/resources/golden/metrics/text_metrics.json}
 * for 55 Chinese, English and mixed pairs, including empty and one-character predictions; the tests
 * require agreement to 1e-6.
 */
package io.kefu.eval.metrics;
