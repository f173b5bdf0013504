#!/usr/bin/env python3
"""Golden values for Kefu's text metrics, A/B statistics and rating agreement.

Run with Debian's Python, which has the oracles as packages:

    apt-get install -y python3-nltk python3-jieba
    /usr/bin/python3 scripts/golden/metrics.py

It writes eval/src/test/resources/golden/metrics/{text_metrics,ab_stats,rating_alpha}.json.
The Java tests read those files; they do not need Python.

What each number comes from:
- llamafactory.bleu4: NLTK's sentence_bleu([list(ref)], list(pred), SmoothingFunction().method3)
  x100 rounded to 4 places, exactly as LLaMA-Factory's ComputeSimilarity does it.
- llamafactory.rouge*: LLaMA-Factory's ROUGE over ' '.join(jieba.cut(text)) with the rouge_chinese
  package's Rouge().get_scores. jieba is the real oracle (python3-jieba); rouge_chinese is not
  packaged, so its scoring is re-implemented below line by line (sentence cut on 。！？?…,
  set-based ROUGE-N, ROUGE-L as the LCS of all words, F = 2PR/(P+R+1e-8)).
- sacrebleu.*: sacreBLEU is not packaged either. Its `zh` tokenizer (CJK ranges, including the
  ranges that its Python source writes as two-character strings, and the 13a regexes) and its
  corpus BLEU with the default 'exp' smoothing are re-implemented below, and cross-checked
  against NLTK's corpus_bleu wherever both must agree (no smoothing, all n-gram counts > 0).
- char.rouge*: ROUGE-1/2/L F1 on characters (whitespace dropped), multiset counts clipped as
  in Lin (2004) and Google's rouge-score, F = 2PR/(P+R), 0 when either side is empty.
- ab_stats.json: two-proportion z-test, Wald interval and sample size from statistics.NormalDist.
- rating_alpha.json: Krippendorff's alpha (interval, ordinal) by the coincidence-matrix method,
  for Krippendorff's own published example (reported: interval 0.849, ordinal 0.815).
"""
import json
import math
import os
import re
import statistics
from collections import Counter

import jieba
import nltk
from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu, sentence_bleu

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "eval", "src", "test", "resources", "golden", "metrics")

# (prediction, reference): Chinese, English and mixed; empty and very short predictions.
PAIRS = [
    ("连衣裙A有S码，库存还有5件。", "连衣裙A的S码有货，库存5件。"),
    ("有的，S码还有货哦。", "亲，S码有货的，可以放心下单。"),
    ("", "亲，这款目前M码缺货，L码还有3件。"),
    ("好", "好的亲，马上为您安排发货。"),
    ("亲", "亲，在的，请问有什么可以帮您？"),
    ("这款连衣裙现价199元，满300减30。", "这款连衣裙现在199元，店铺满300减30。"),
    ("7天无理由退换，还送运费险哦。", "支持7天无理由退换货，并且赠送运费险，您可以放心购买。"),
    ("亲，这个问题我帮您转人工客服处理。", "这个问题需要人工客服为您核实，我帮您转接一下。"),
    ("我们是全网最低价！", "这款是店铺活动价，性价比很高哦。"),
    ("身高165体重55公斤建议选M码。", "根据您的身高165cm、体重55kg，推荐M码。"),
    ("The dress is in stock in size S.", "Size S of the dress is in stock."),
    ("Yes.", "Yes, we have it in stock."),
    ("", "Sorry, size XL is sold out."),
    ("We offer free returns within 7 days.", "Returns are free within 7 days of delivery."),
    ("Price: 199 yuan, 30 off over 300.", "It costs 199 yuan; spend 300 and get 30 off."),
    ("I'll transfer you to a human agent.", "Let me transfer you to a human agent for this."),
    ("It's 3.5 kg, isn't it?", "It weighs 3.5 kg."),
    ("Hello, world!", "Hello world"),
    ("亲，iPhone15手机壳有现货，颜色有黑色和白色。", "iPhone15手机壳现货，黑色白色都有。"),
    ("这款T恤是100%纯棉的。", "这款T恤面料为纯棉。"),
    ("优惠券满200减20，今天有效。", "满200减20的优惠券今天可以用。"),
    ("今天下单明天发货。", "今天下单，明天就发货。"),
    ("亲亲，您好！欢迎光临小店～", "您好，欢迎光临！"),
    ("这款裙子有红色、蓝色两种颜色。", "裙子有红色和蓝色。"),
    ("S码适合身高155-160的亲。", "S码适合155到160cm的身高。"),
    ("商品支持货到付款吗？支持的。", "支持货到付款。"),
    ("快递默认中通，江浙沪包邮。", "默认发中通快递，江浙沪地区包邮。"),
    ("您的订单已经发货了，单号请在订单详情查看。", "订单已发货，物流单号可以在订单详情里看到。"),
    ("不好意思，这款暂时没有XL码了。", "抱歉，XL码已经售罄。"),
    ("可以的", "可以的亲"),
    ("嗯", "嗯嗯"),
    ("。", "好的。"),
    ("退货地址：浙江省杭州市西湖区。", "退货请寄到浙江省杭州市西湖区。"),
    ("面料有弹性，穿着舒服。", "这款面料弹性好，穿着很舒服。"),
    ("亲，犹豫的话可以先下单，不合适7天内可以换尺码。", "不确定尺码的话可以先下单，7天内支持免费换码，还有运费险。"),
    ("洗涤建议手洗，不要暴晒。", "建议冷水手洗，避免暴晒。"),
    ("这是我们店的爆款，卖了一万多件。", "这款是店里的热销款。"),
    ("价格是199.00元。", "现价199元。"),
    ("今天是双11活动，全场8折。", "双11全场八折。"),
    ("“好评返现”活动已经结束了……", "好评返现活动已结束。"),
    ("您好——请问需要什么帮助？", "您好，请问有什么可以帮您？"),
    ("This fabric is 95% cotton and 5% spandex.", "The fabric: 95% cotton, 5% spandex."),
    ("OK", "OK, noted."),
    ("a", "a b c d e"),
    ("Thank you for your patience!", "Thanks for waiting."),
    ("M码 in stock, 颜色 black.", "M码有货，颜色是黑色。"),
    ("亲 这款 有 货", "亲，这款有货"),
    ("库存：S码2件，M码0件，L码8件。", "S码还剩2件，M码没货了，L码有8件。"),
    ("满减券不能和折扣同时使用哦。", "满减优惠不可以与折扣叠加使用。"),
    ("我们的客服时间是9:00-21:00。", "客服在线时间为9:00至21:00。"),
    ("建议您选大一码。", "这款偏小，建议拍大一码。"),
    ("正品保证，假一赔十。", "保证正品。"),
    ("Our best price ever!", "This is the current promotional price."),
    ("您好!", "您好！"),
    ("，，，", "好的"),
]


# ---------------------------------------------------------------- sacreBLEU zh tokenizer
# sacreBLEU's _UCODE_RANGES, as its Python source writes them. Two entries are written as
# '\u20000'..'\u2a6d6' and '\u2f800'..'\u2fa1d', which Python reads as two-character strings;
# comparing a single character against them (as sacreBLEU does) is kept exactly as is.
_UCODE_RANGES = [
    ('\u3400', '\u4db5'), ('\u4e00', '\u9fa5'), ('\u9fa6', '\u9fbb'), ('\uf900', '\ufa2d'),
    ('\ufa30', '\ufa6a'), ('\ufa70', '\ufad9'), ('\u20000', '\u2a6d6'), ('\u2f800', '\u2fa1d'),
    ('\uff00', '\uffef'), ('\u2e80', '\u2eff'), ('\u3000', '\u303f'), ('\u31c0', '\u31ef'),
    ('\u2f00', '\u2fdf'), ('\u2ff0', '\u2fff'), ('\u3100', '\u312f'), ('\u31a0', '\u31bf'),
    ('\ufe10', '\ufe1f'), ('\ufe30', '\ufe4f'), ('\u2600', '\u26ff'), ('\u2700', '\u27bf'),
    ('\u3200', '\u32ff'), ('\u3300', '\u33ff'),
]
_RE = [
    (re.compile(r'([\{-\~\[-\` -\&\(-\+\:-\@\/])'), r' \1 '),
    (re.compile(r'([^0-9])([\.,])'), r'\1 \2 '),
    (re.compile(r'([\.,])([^0-9])'), r' \1 \2'),
    (re.compile(r'([0-9])(-)'), r'\1 \2 '),
]


def sacre_zh(line):
    line = line.rstrip()  # BLEU._preprocess_segment
    line = line.strip()
    out = ""
    for ch in line:
        if any(s <= ch <= e for s, e in _UCODE_RANGES):
            out += " " + ch + " "
        else:
            out += ch
    for pattern, repl in _RE:
        out = pattern.sub(repl, out)
    return ' '.join(out.strip().split())


def _ngrams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def my_log(x):
    return -9999999999 if x == 0.0 else math.log(x)


def sacre_stats(pairs):
    correct, total, sys_len, ref_len = [0] * 4, [0] * 4, 0, 0
    for pred, ref in pairs:
        h, r = sacre_zh(pred).split(), sacre_zh(ref).split()
        sys_len += len(h)
        ref_len += len(r)
        for n in range(1, 5):
            hc, rc = _ngrams(h, n), _ngrams(r, n)
            for g, c in hc.items():
                correct[n - 1] += min(c, rc.get(g, 0))
                total[n - 1] += c
    return correct, total, sys_len, ref_len


def sacre_bleu(correct, total, sys_len, ref_len, effective_order=False):
    precisions = [0.0] * 4
    smooth = 1.0
    order = 4
    for n in range(1, 5):
        if total[n - 1] == 0:
            break
        if effective_order:
            order = n
        if correct[n - 1] == 0:
            smooth *= 2
            precisions[n - 1] = 100.0 / (smooth * total[n - 1])
        else:
            precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1]
    if sys_len < ref_len:
        bp = math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0
    else:
        bp = 1.0
    score = bp * math.exp(sum(map(my_log, precisions[:order])) / order)
    return score, precisions, bp


# ---------------------------------------------------------------- rouge_chinese (as LLaMA-Factory calls it)
def cut_sent(para):
    para = re.sub('([。！？\\?])([^”’])', r"\1\n\2", para)
    para = re.sub('(\\.{6})([^”’])', r"\1\n\2", para)
    para = re.sub('(\\…{2})([^”’])', r"\1\n\2", para)
    para = re.sub('([。！？\\?][”’])([^，。！？\\?])', r'\1\n\2', para)
    para = para.rstrip()
    return para.split("\n")


def _words(sentences):
    out = []
    for s in sentences:
        out.extend(s.split(" "))
    return out


def _lcs_len(x, y):
    prev = [0] * (len(y) + 1)
    for i in range(1, len(x) + 1):
        cur = [0] * (len(y) + 1)
        for j in range(1, len(y) + 1):
            cur[j] = prev[j - 1] + 1 if x[i - 1] == y[j - 1] else max(prev[j], cur[j - 1])
        prev = cur
    return prev[len(y)]


def rouge_chinese(hyp, ref):
    hyp = [" ".join(s.split()) for s in cut_sent(hyp) if len(s) > 0]
    ref = [" ".join(s.split()) for s in cut_sent(ref) if len(s) > 0]
    hw, rw = _words(hyp), _words(ref)
    result = {}
    for n in (1, 2):
        he = set(tuple(hw[i:i + n]) for i in range(len(hw) - n + 1))
        re_ = set(tuple(rw[i:i + n]) for i in range(len(rw) - n + 1))
        overlap = len(he & re_)
        p = 0.0 if len(he) == 0 else overlap / len(he)
        r = 0.0 if len(re_) == 0 else overlap / len(re_)
        result["rouge-%d" % n] = 2.0 * ((p * r) / (p + r + 1e-8))
    llcs = _lcs_len(rw, hw)
    r_lcs, p_lcs = llcs / len(rw), llcs / len(hw)
    result["rouge-l"] = 2.0 * ((p_lcs * r_lcs) / (p_lcs + r_lcs + 1e-8))
    return result


def llamafactory(pred, label):
    hypothesis = list(jieba.cut(pred))
    reference = list(jieba.cut(label))
    if len(" ".join(hypothesis).split()) == 0 or len(" ".join(reference).split()) == 0:
        rouge = {"rouge-1": 0.0, "rouge-2": 0.0, "rouge-l": 0.0}
    else:
        rouge = rouge_chinese(" ".join(hypothesis), " ".join(reference))
    bleu = sentence_bleu([list(label)], list(pred), smoothing_function=SmoothingFunction().method3)
    scores = {k: round(v * 100, 4) for k, v in rouge.items()}
    scores["bleu-4"] = round(bleu * 100, 4)
    return scores, hypothesis, reference


# ---------------------------------------------------------------- character ROUGE
def char_rouge(pred, ref):
    h = [c for c in pred if not c.isspace()]
    r = [c for c in ref if not c.isspace()]

    def f(overlap, hn, rn):
        if hn == 0 or rn == 0 or overlap == 0:
            return 0.0
        p, rr = overlap / hn, overlap / rn
        return 2 * p * rr / (p + rr)

    out = {}
    for n in (1, 2):
        hc, rc = _ngrams(h, n), _ngrams(r, n)
        overlap = sum(min(c, rc.get(g, 0)) for g, c in hc.items())
        out["rouge-%d" % n] = 100 * f(overlap, sum(hc.values()), sum(rc.values()))
    out["rouge-l"] = 100 * f(_lcs_len(r, h), len(h), len(r))
    return out


# ---------------------------------------------------------------- A/B statistics
def ab_report(conv_a, n_a, conv_b, n_b, confidence=0.95):
    nd = statistics.NormalDist()
    pa, pb = conv_a / n_a, conv_b / n_b
    pooled = (conv_a + conv_b) / (n_a + n_b)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (pb - pa) / se_pooled
    p_value = 2 * (1 - nd.cdf(abs(z)))
    se = math.sqrt(pa * (1 - pa) / n_a + pb * (1 - pb) / n_b)
    zc = nd.inv_cdf(1 - (1 - confidence) / 2)
    return {"conversions_a": conv_a, "sessions_a": n_a, "conversions_b": conv_b, "sessions_b": n_b,
            "rate_a": pa, "rate_b": pb, "absolute_lift": pb - pa, "relative_lift": (pb - pa) / pa,
            "z": z, "p_value": p_value, "ci_low": (pb - pa) - zc * se, "ci_high": (pb - pa) + zc * se}


def sample_size(p1, p2, alpha, power):
    nd = statistics.NormalDist()
    za, zb = nd.inv_cdf(1 - alpha / 2), nd.inv_cdf(power)
    pbar = (p1 + p2) / 2
    n = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p1 - p2) ** 2
    return {"p1": p1, "p2": p2, "alpha": alpha, "power": power, "exact": n, "per_arm": math.ceil(n)}


# ---------------------------------------------------------------- Krippendorff's alpha
KRIPPENDORFF_EXAMPLE = [  # observers x units, None = missing (Krippendorff 2011, "Computing ...")
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def krippendorff(data, metric):
    units = []
    for u in range(len(data[0])):
        vals = [row[u] for row in data if row[u] is not None]
        if len(vals) >= 2:
            units.append(vals)
    values = sorted({v for vals in units for v in vals})
    o = {(c, k): 0.0 for c in values for k in values}
    for vals in units:
        m = len(vals)
        for i, c in enumerate(vals):
            for j, k in enumerate(vals):
                if i != j:
                    o[(c, k)] += 1.0 / (m - 1)
    n_c = {c: sum(o[(c, k)] for k in values) for c in values}
    n = sum(n_c.values())

    def delta(c, k):
        if metric == "interval":
            return (c - k) ** 2
        lo, hi = min(c, k), max(c, k)
        s = sum(n_c[g] for g in values if lo <= g <= hi) - (n_c[c] + n_c[k]) / 2
        return s ** 2

    d_o = sum(o[(c, k)] * delta(c, k) for c in values for k in values)
    d_e = sum(n_c[c] * n_c[k] * delta(c, k) for c in values for k in values)
    return 1 - (n - 1) * d_o / d_e


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for pred, ref in PAIRS:
        lf, htok, rtok = llamafactory(pred, ref)
        sb, _, _ = sacre_bleu(*sacre_stats([(pred, ref)]), effective_order=True)
        rows.append({
            "prediction": pred, "reference": ref,
            "jieba_prediction": htok, "jieba_reference": rtok,
            "sacrebleu_tokens_prediction": sacre_zh(pred).split(),
            "sacrebleu_tokens_reference": sacre_zh(ref).split(),
            "llamafactory": lf,
            "sacrebleu_sentence_bleu": sb,
            "char": char_rouge(pred, ref),
        })

    def mean(key, sub):
        return statistics.fmean(r[key][sub] for r in rows)

    subsets = {"all": list(range(len(PAIRS))), "first10": list(range(10)),
               "english": [i for i, (p, r) in enumerate(PAIRS) if all(ord(c) < 128 for c in p + r)],
               "nonempty": [i for i, (p, _) in enumerate(PAIRS) if p.strip()],
               "long": [i for i, (p, _) in enumerate(PAIRS) if len(sacre_zh(p).split()) >= 4],
               "long_chinese": [i for i, (p, r) in enumerate(PAIRS)
                                if len(sacre_zh(p).split()) >= 4 and any(ord(c) > 0x2e80 for c in p)]}
    corpus = {}
    for name, idx in subsets.items():
        stats = sacre_stats([PAIRS[i] for i in idx])
        score, precisions, bp = sacre_bleu(*stats)
        corpus[name] = {"indices": idx, "bleu": score, "precisions": precisions, "bp": bp,
                        "correct": stats[0], "total": stats[1], "sys_len": stats[2], "ref_len": stats[3]}

    # Cross-check the sacreBLEU re-implementation against NLTK where they must agree: no
    # smoothing needed (every n-gram order has matches) and every hypothesis has at least 4
    # tokens (NLTK counts a denominator of at least 1 per sentence and order).
    checked = 0
    for name, c in corpus.items():
        long_enough = all(len(sacre_zh(PAIRS[i][0]).split()) >= 4 for i in c["indices"])
        if long_enough and all(x > 0 for x in c["correct"]):
            hyps = [sacre_zh(PAIRS[i][0]).split() for i in c["indices"]]
            refs = [[sacre_zh(PAIRS[i][1]).split()] for i in c["indices"]]
            nltk_score = 100 * corpus_bleu(refs, hyps)
            assert abs(nltk_score - c["bleu"]) < 1e-9, (name, nltk_score, c["bleu"])
            c["nltk_corpus_bleu_crosscheck"] = nltk_score
            checked += 1
    assert checked >= 2, "too few subsets to cross-check"

    text = {
        "generator": "scripts/golden/metrics.py",
        "oracles": {"nltk": nltk.__version__, "jieba": jieba.__version__},
        "pairs": rows,
        "llamafactory_mean": {k: mean("llamafactory", k) for k in ("bleu-4", "rouge-1", "rouge-2", "rouge-l")},
        "char_mean": {k: mean("char", k) for k in ("rouge-1", "rouge-2", "rouge-l")},
        "sacrebleu_corpus": corpus,
    }
    with open(os.path.join(OUT, "text_metrics.json"), "w", encoding="utf-8") as f:
        json.dump(text, f, ensure_ascii=False, indent=1)

    ab = {
        "reports": [ab_report(1250, 10000, 1350, 10000), ab_report(200, 1000, 240, 1000),
                    ab_report(48, 500, 35, 500)],
        "sample_sizes": [sample_size(0.125, 0.135, 0.05, 0.8), sample_size(0.10, 0.12, 0.05, 0.8),
                         sample_size(0.20, 0.25, 0.01, 0.9)],
    }
    with open(os.path.join(OUT, "ab_stats.json"), "w", encoding="utf-8") as f:
        json.dump(ab, f, indent=1)

    alpha = {"data": KRIPPENDORFF_EXAMPLE,
             "interval": krippendorff(KRIPPENDORFF_EXAMPLE, "interval"),
             "ordinal": krippendorff(KRIPPENDORFF_EXAMPLE, "ordinal"),
             "published": {"interval": 0.849, "ordinal": 0.815}}
    with open(os.path.join(OUT, "rating_alpha.json"), "w", encoding="utf-8") as f:
        json.dump(alpha, f, indent=1)

    print("pairs:", len(rows))
    print("llamafactory mean:", text["llamafactory_mean"])
    print("char mean:", text["char_mean"])
    print("sacrebleu corpus:", {k: round(v["bleu"], 6) for k, v in corpus.items()}, "nltk-checked:", checked)
    print("ab:", [round(r["p_value"], 6) for r in ab["reports"]], [s["per_arm"] for s in ab["sample_sizes"]])
    print("alpha:", round(alpha["interval"], 6), round(alpha["ordinal"], 6))


if __name__ == "__main__":
    main()
