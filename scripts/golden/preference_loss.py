#!/usr/bin/python3
"""Reference preference losses and their LoRA gradients for engine-djl's PreferenceLossGoldenTest,
from plain PyTorch autograd over the formulas of TRL's DPOTrainer and LLaMA-Factory's
CustomDPOTrainer (sigmoid with label smoothing, ORPO, SimPO, plus pref_ftx).

Model: the committed golden llama fixture and its LoRA adapter (written by torch_reference.py).
Policy = base + adapter; reference = base with the LoRA delta switched off. Each sequence runs
alone (no padding); a sequence's log-probability is the sum of log p(token) over its answer.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/golden/preference_loss.py
Writes engine-djl/src/test/resources/golden/preference/ (pairs.json, expected.safetensors).
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference as tr  # noqa: E402

FIXTURE = os.path.join(tr.OUT, "llama")
OUT = os.path.join(tr.OUT, "preference")
IGNORE = -100
CASES = [
    {"loss": "sigmoid", "beta": 0.1, "label_smoothing": 0.0, "ftx": 0.0, "gamma": 0.5},
    {"loss": "sigmoid", "beta": 0.5, "label_smoothing": 0.1, "ftx": 0.5, "gamma": 0.5},
    {"loss": "orpo", "beta": 0.2, "label_smoothing": 0.0, "ftx": 0.0, "gamma": 0.5},
    {"loss": "simpo", "beta": 2.0, "label_smoothing": 0.0, "ftx": 0.3, "gamma": 0.5},
]


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        a, b = spec["data_offsets"]
        raw = data[a:b]
        if spec["dtype"] == "BF16":
            bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = bits.view(np.float32)
        elif spec["dtype"] == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        else:
            raise ValueError(spec["dtype"])
        out[name] = torch.tensor(arr.copy()).reshape(spec["shape"])
    return out


def pairs():
    gen = torch.Generator().manual_seed(7)
    out = []
    for lengths in ((4, 3, 5), (6, 2, 2), (3, 5, 1)):
        prompt = torch.randint(3, 128, (lengths[0],), generator=gen).tolist()
        chosen = torch.randint(3, 128, (lengths[1],), generator=gen).tolist() + [2]
        rejected = torch.randint(3, 128, (lengths[2],), generator=gen).tolist() + [2]
        out.append([seq(prompt, chosen), seq(prompt, rejected)])
    return out


def seq(prompt, answer):
    return {"ids": prompt + answer, "labels": [IGNORE] * len(prompt) + answer}


def logp(cfg, w, s, lora, scale):
    """Summed log-probability of the answer tokens, and their count."""
    ids = torch.tensor([s["ids"]])
    logits = tr.forward(cfg, w, ids, lora, scale)[0]
    logprobs = torch.log_softmax(logits[:-1], dim=-1)
    labels = torch.tensor(s["labels"][1:])
    keep = labels != IGNORE
    picked = logprobs[keep].gather(1, labels[keep][:, None])[:, 0]
    return picked.sum(), int(keep.sum())


def pair_loss(case, pc, pr, lc, lr, rc, rr):
    beta = case["beta"]
    ac, ar = pc / lc, pr / lr
    if case["loss"] == "sigmoid":  # TRL DPOTrainer, loss_type="sigmoid"
        logits = (pc - pr) - (rc - rr)
        eps = case["label_smoothing"]
        loss = -F.logsigmoid(beta * logits) * (1 - eps) - F.logsigmoid(-beta * logits) * eps
    elif case["loss"] == "orpo":  # LLaMA-Factory odds_ratio_loss on length-averaged log-probs
        log_odds = (ac - ar) - (torch.log1p(-torch.exp(ac)) - torch.log1p(-torch.exp(ar)))
        loss = -ac - beta * F.logsigmoid(log_odds)
    else:  # LLaMA-Factory simpo_loss
        loss = -F.logsigmoid(beta * ((ac - ar) - case["gamma"] / beta))
    return loss + case["ftx"] * -ac


def main():
    torch.set_num_threads(1)
    with open(os.path.join(FIXTURE, "config.json")) as f:
        cfg = tr.Cfg(json.load(f))
    with open(os.path.join(FIXTURE, "adapter_config.json")) as f:
        ac = json.load(f)
    w = read_safetensors(os.path.join(FIXTURE, "model.safetensors"))
    adapter = read_safetensors(os.path.join(FIXTURE, "adapter_model.safetensors"))
    scale = ac["lora_alpha"] / ac["r"]
    data = pairs()
    expected = {}
    with torch.no_grad():
        for i, (c, r) in enumerate(data):
            expected["ref.%d.chosen" % i] = logp(cfg, w, c, None, 0.0)[0].reshape(1)
            expected["ref.%d.rejected" % i] = logp(cfg, w, r, None, 0.0)[0].reshape(1)
    for k, case in enumerate(CASES):
        lora = {n: t.clone().requires_grad_(True) for n, t in adapter.items()}
        total = 0
        for i, (c, r) in enumerate(data):
            pc, lc = logp(cfg, w, c, lora, scale)
            pr, lr = logp(cfg, w, r, lora, scale)
            if k == 0:
                expected["policy.%d.chosen" % i] = pc.detach().reshape(1)
                expected["policy.%d.rejected" % i] = pr.detach().reshape(1)
            total = total + pair_loss(case, pc, pr, lc, lr, expected["ref.%d.chosen" % i][0],
                                      expected["ref.%d.rejected" % i][0])
        loss = total / len(data)  # the mean over pairs, as the trainers reduce it
        loss.backward()
        expected["case%d.loss" % k] = loss.detach().reshape(1)
        for n, t in lora.items():
            expected["case%d.%s" % (k, n)] = t.grad.contiguous()
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "pairs.json"), "w") as f:
        json.dump({"cases": CASES, "pairs": data}, f)
    tr.save_safetensors(os.path.join(OUT, "expected.safetensors"), expected)
    print("written:", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    sys.exit(main())
