#!/usr/bin/python3
"""The PyTorch-eager side of `kefu bench train`: the same decoder (the architecture of
scripts/golden/torch_reference.py, i.e. transformers' modeling_llama in plain torch), the same
random initialisation scheme, LoRA on the same modules or full fine-tuning, AdamW, gradient
clipping at 1.0, on random token batches of the same shape. Prints one JSON line:
  {"threads": .., "matmul_gflops": .., "tokens_per_second": .., "peak_rss_mb": .., "torch": ..}

Run with Debian's python3-torch (with libopenblas0-pthread installed torch uses OpenBLAS):
  /usr/bin/python3 scripts/bench/torch_train_bench.py --hidden 512 --layers 8 ... --mode lora
"""
import argparse
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "golden"))
from torch_reference import Cfg, forward, layout  # noqa: E402


def matmul_gflops(n=1024, seconds=1.0):
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    torch.matmul(a, b)
    reps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        torch.matmul(a, b)
        reps += 1
    return 2.0 * n ** 3 * reps / (time.perf_counter() - start) / 1e9


def main():
    p = argparse.ArgumentParser()
    for name in ("hidden", "layers", "inter", "heads", "kv-heads", "head-dim", "vocab", "batch", "seq", "steps", "rank", "threads"):
        p.add_argument("--" + name, type=int, required=True)
    p.add_argument("--mode", choices=["lora", "full"], required=True)
    p.add_argument("--targets", default="q_proj,v_proj")
    p.add_argument("--tied", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cfg = Cfg({"model_type": "llama", "hidden_size": a.hidden, "intermediate_size": a.inter,
               "num_hidden_layers": a.layers, "num_attention_heads": a.heads, "num_key_value_heads": a.kv_heads,
               "head_dim": a.head_dim, "vocab_size": a.vocab, "rms_norm_eps": 1e-5, "rope_theta": 500000.0,
               "tie_word_embeddings": a.tied})
    weights = {}
    for name, shape in layout(cfg).items():
        t = torch.ones(shape) if name.endswith("norm.weight") else torch.randn(shape) * 0.02
        t.requires_grad_(a.mode == "full")
        weights[name] = t
    lora, trainable = {}, []
    if a.mode == "lora":
        targets = a.targets.split(",")
        for i in range(cfg.layers):
            for mod in targets:
                block = "mlp" if mod in ("gate_proj", "up_proj", "down_proj") else "self_attn"
                w = weights["model.layers.%d.%s.%s.weight" % (i, block, mod)]
                prefix = "base_model.model.model.layers.%d.%s.%s" % (i, block, mod)
                A = ((torch.rand(a.rank, w.shape[1]) * 2 - 1) / w.shape[1] ** 0.5).requires_grad_(True)
                B = torch.zeros(w.shape[0], a.rank).requires_grad_(True)
                lora[prefix + ".lora_A.weight"], lora[prefix + ".lora_B.weight"] = A, B
                trainable += [A, B]
    else:
        trainable = list(weights.values())
    optimizer = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.0)
    scale = 2.0  # alpha 16 / r 8
    times = []
    for step in range(a.steps + 1):
        ids = torch.randint(0, a.vocab, (a.batch, a.seq))
        start = time.perf_counter()
        logits = forward(cfg, weights, ids, lora if lora else None, scale)
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, a.vocab), ids[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        optimizer.zero_grad()
        if step > 0:  # the first step warms up
            times.append(time.perf_counter() - start)
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({"threads": torch.get_num_threads(), "matmul_gflops": matmul_gflops(),
                      "tokens_per_second": a.batch * a.seq / median,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
