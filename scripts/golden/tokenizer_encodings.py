#!/usr/bin/env python3
"""Golden token ids for the tokenizer tests of the runtime module, from an independent byte-level BPE.

A small reimplementation of what the Hugging Face `tokenizers` library does for the byte-level
BPE tokenizers of Llama 3, Llama 3.1 and Qwen 3 (added tokens split out first, NFC normalizer
where configured, the Split pre-tokenizer regex, GPT-2 byte-to-unicode mapping, BPE merges by
rank, `ignore_merges`), reading only tokenizer.json. No Hugging Face library is used, so the
Java tests (DJL over the Rust library) are checked against a second implementation.

Output: runtime/src/test/resources/golden/tokenize/encodings.json
Usage:  python3 scripts/golden/tokenizer_encodings.py [TOKENIZERS_DIR]   (needs the `regex` module)
"""
import json
import os
import sys
import unicodedata

import regex

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "runtime", "src", "test", "resources", "golden", "tokenize", "encodings.json")
MODELS = ["llama3", "llama3_1", "qwen3"]
TEXTS = [
    "Hello world!",
    "连衣裙A有S码吗?",
    "亲亲，连衣裙A的S码有货哦~ 现在下单满299减50。",
    "<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>",
    "  leading spaces and trailing   \n\n\tTabs\r\nCRLF",
    "I'm sure you'll LOVE it, they've said 12345678 times.",
    "emoji 😍👗✨ and accents: café, naïve",
    "{{ 7 * 7 }} {% for x in y %}",
    "",
]


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


BYTE_MAP = bytes_to_unicode()


class ByteLevelBpe:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        model = spec["model"]
        assert model["type"] == "BPE"
        self.vocab = model["vocab"]
        merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in model["merges"]]
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        self.ignore_merges = model.get("ignore_merges", False)
        self.added = {t["content"]: t["id"] for t in spec["added_tokens"]}
        normalizer = spec.get("normalizer")
        self.nfc = normalizer is not None and normalizer.get("type") == "NFC"
        split = [p for p in spec["pre_tokenizer"]["pretokenizers"] if p["type"] == "Split"][0]
        self.pattern = regex.compile(split["pattern"]["Regex"])

    def encode(self, text):
        ids = []
        for piece, is_added in self.split_added(text):
            if is_added:
                ids.append(self.added[piece])
                continue
            if self.nfc:
                piece = unicodedata.normalize("NFC", piece)
            for word in self.pattern.findall(piece):
                ids.extend(self.bpe("".join(BYTE_MAP[b] for b in word.encode("utf-8"))))
        return ids

    def split_added(self, text):
        tokens = sorted(self.added, key=len, reverse=True)
        out, start, i = [], 0, 0
        while i < len(text):
            match = next((t for t in tokens if text.startswith(t, i)), None)
            if match:
                if start < i:
                    out.append((text[start:i], False))
                out.append((match, True))
                i += len(match)
                start = i
            else:
                i += 1
        if start < len(text):
            out.append((text[start:], False))
        return out

    def bpe(self, word):
        if self.ignore_merges and word in self.vocab:
            return [self.vocab[word]]
        parts = list(word)
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b), 1 << 60), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, i = min(pairs)
            if rank == 1 << 60:
                break
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        return [self.vocab[p] for p in parts]


def main():
    tokenizers = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, ".cache", "tokenizers")
    result = {}
    for model in MODELS:
        bpe = ByteLevelBpe(os.path.join(tokenizers, model, "tokenizer.json"))
        result[model] = [{"text": text, "ids": bpe.encode(text)} for text in TEXTS]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        f.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {len(TEXTS) * len(MODELS)} encodings to {OUT}")


if __name__ == "__main__":
    main()
