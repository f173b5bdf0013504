#!/usr/bin/python3
"""Writes golden sampling distributions with PyTorch, using the logits processors of Hugging Face
transformers' generate() (RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper,
TopKLogitsWarper, TopPLogitsWarper, as in transformers 4.4x, reproduced below line for line) in
float32, as transformers runs them.

Each case holds float32 logits, the prompt ids seen so far, the parameters and the probabilities
softmax(processed scores) that the next draw uses. The Java Sampler must give the same set of
kept tokens and the same probabilities.

Run from the repository root with Debian's Python and python3-torch:
    /usr/bin/python3 scripts/golden/sampling_processors.py
"""
import json
import pathlib

import torch

OUT = pathlib.Path("runtime/src/test/resources/golden/sampling/processors.json")
VOCAB = 64


def repetition_penalty(input_ids, scores, penalty):
    score = torch.gather(scores, 1, input_ids)
    score = torch.where(score < 0, score * penalty, score / penalty)
    return scores.scatter(1, input_ids, score)


def top_k(scores, k):
    k = min(k, scores.size(-1))
    indices_to_remove = scores < torch.topk(scores, k)[0][..., -1, None]
    return scores.masked_fill(indices_to_remove, -float("inf"))


def top_p(scores, p):
    sorted_logits, sorted_indices = torch.sort(scores, descending=False)
    cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    sorted_indices_to_remove = cumulative_probs <= (1 - p)
    sorted_indices_to_remove[..., -1:] = 0
    indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
    return scores.masked_fill(indices_to_remove, -float("inf"))


def process(logits, prompt, temperature, k, p, penalty):
    scores = logits.clone()
    if penalty != 1.0 and prompt:
        scores = repetition_penalty(torch.tensor([prompt]), scores, penalty)
    if temperature != 1.0:
        scores = scores / temperature
    if k > 0:
        scores = top_k(scores, k)
    if p < 1.0:
        scores = top_p(scores, p)
    return torch.softmax(scores, dim=-1)


def main():
    generator = torch.Generator().manual_seed(1234)
    cases = []
    settings = [
        (1.0, 0, 1.0, 1.0), (0.7, 0, 1.0, 1.0), (1.5, 0, 1.0, 1.0), (1.0, 10, 1.0, 1.0),
        (0.8, 5, 1.0, 1.0), (1.0, 0, 0.9, 1.0), (0.6, 0, 0.5, 1.0), (1.0, 20, 0.8, 1.0),
        (1.0, 0, 1.0, 1.3), (0.9, 40, 0.95, 1.2), (1.2, 0, 0.3, 2.0), (1.0, 1, 1.0, 1.0),
    ]
    for temperature, k, p, penalty in settings:
        logits = (torch.randn(1, VOCAB, generator=generator) * 3).to(torch.float32)
        prompt = torch.randint(0, VOCAB, (12,), generator=generator).tolist()
        probs = process(logits, prompt, temperature, k, p, penalty)
        cases.append({
            "temperature": temperature, "top_k": k, "top_p": p, "repetition_penalty": penalty,
            "prompt": prompt,
            "logits": [float(v) for v in logits[0]],
            "probs": [float(v) for v in probs[0].double()],
        })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1))


if __name__ == "__main__":
    main()
