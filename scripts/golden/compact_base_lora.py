#!/usr/bin/python3
"""Reference logits and LoRA gradients over a base whose frozen weights are stored compact, for
engine-djl's CompactBaseParityTest: plain PyTorch (fp32) over the weights as each storage mode
dequantizes them.

Modes: "bf16" and "fp16" round every matrix (embeddings, projections, output head) to that dtype;
"nf4" quantizes the decoder layers' linear projections to NF4 with double quantization, using the
NumPy reference written from the QLoRA paper (nf4_reference.py), and keeps the rest as stored.
Norms and biases stay as stored in every mode. "bf16+fp16" is the bf16 base with its matrix
products in fp16 (TrainingConfig.fp16), emulated by torch_reference.product16; the output head and
the loss stay fp32.

Fixtures: the committed golden llama (bf16, untied output head, with its adapter) and qwen2 (fp16,
tied embeddings; a rank-4 adapter on q_proj and v_proj is drawn here). Loss: the summed next-token
cross-entropy of every position of one sequence; gradients with respect to the LoRA matrices.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/golden/compact_base_lora.py
Writes engine-djl/src/test/resources/golden/compact/<fixture>/ (expected.safetensors, and the
adapter where the fixture has none).
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nf4_reference as nf4  # noqa: E402
import preference_loss as pl  # noqa: E402
import torch_reference as tr  # noqa: E402

OUT = os.path.join(tr.OUT, "compact")
SEQUENCE = [1, 5, 9, 33, 70, 2, 101, 64, 3, 17, 120, 45]
MODES = ("bf16", "fp16", "nf4", "bf16+fp16")


def read_checkpoint(directory):
    """Every tensor of a (possibly sharded) checkpoint, widened exactly to fp32."""
    out = {}
    for file in sorted(f for f in os.listdir(directory) if f.startswith("model") and f.endswith(".safetensors")):
        with open(os.path.join(directory, file), "rb") as f:
            size = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(size))
            data = f.read()
        for name, spec in header.items():
            if name == "__metadata__":
                continue
            a, b = spec["data_offsets"]
            raw = data[a:b]
            if spec["dtype"] == "BF16":
                array = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
            elif spec["dtype"] == "F16":
                array = np.frombuffer(raw, dtype="<f2").astype(np.float32)
            else:
                array = np.frombuffer(raw, dtype="<f4")
            out[name] = torch.tensor(array.copy()).reshape(spec["shape"])
    return out


def is_small(name):
    return name.endswith("norm.weight") or name.endswith(".bias")


def is_projection(name):
    return name.startswith("model.layers.") and name.endswith("_proj.weight")


def nf4_dequantized(t):
    values = t.reshape(-1).numpy().astype(np.float32)
    code = nf4.NF4
    codes, absmax = nf4.blockwise(values, code, nf4.BLOCK)
    dynamic = nf4.dynamic_code()
    offset = np.float32(absmax.mean(dtype=np.float64))
    centred = (absmax - offset).astype(np.float32)
    codes8, scales = nf4.blockwise(centred, dynamic, nf4.ABSMAX_BLOCK)
    absmax_dq = (nf4.dequantize(codes8, dynamic, scales, nf4.ABSMAX_BLOCK) + offset).astype(np.float32)
    return torch.tensor(nf4.dequantize(codes, code, absmax_dq, nf4.BLOCK)).reshape(t.shape)


def stored_as(weights, mode):
    out = {}
    for name, t in weights.items():
        if is_small(name):
            out[name] = t
        elif mode == "bf16":
            out[name] = t.to(torch.bfloat16).float()
        elif mode == "fp16":
            out[name] = t.half().float()
        elif is_projection(name):
            out[name] = nf4_dequantized(t)
        else:
            out[name] = t
    return out


def adapter_for(name, cfg, weights):
    src = os.path.join(tr.OUT, name)
    if os.path.exists(os.path.join(src, "adapter_model.safetensors")):
        with open(os.path.join(src, "adapter_config.json")) as f:
            config = json.load(f)
        return pl.read_safetensors(os.path.join(src, "adapter_model.safetensors")), config, False
    gen = torch.Generator().manual_seed(11)
    r, alpha = 4, 8.0
    lora = {}
    for i in range(cfg.layers):
        for mod in ("self_attn.q_proj", "self_attn.v_proj"):
            base = weights["model.layers.%d.%s.weight" % (i, mod)]
            prefix = "base_model.model.model.layers.%d.%s" % (i, mod)
            lora[prefix + ".lora_A.weight"] = 0.2 * torch.randn((r, base.shape[1]), generator=gen)
            lora[prefix + ".lora_B.weight"] = 0.2 * torch.randn((base.shape[0], r), generator=gen)
    config = {"base_model_name_or_path": name, "bias": "none", "fan_in_fan_out": False, "inference_mode": True,
              "init_lora_weights": True, "lora_alpha": alpha, "lora_dropout": 0.0, "modules_to_save": None,
              "peft_type": "LORA", "r": r, "target_modules": ["q_proj", "v_proj"], "task_type": "CAUSAL_LM",
              "use_rslora": False}
    return lora, config, True


def main():
    for name in ("llama", "qwen2"):
        src = os.path.join(tr.OUT, name)
        with open(os.path.join(src, "config.json")) as f:
            cfg = tr.Cfg(json.load(f))
        weights = read_checkpoint(src)
        lora, config, write_adapter = adapter_for(name, cfg, weights)
        out_dir = os.path.join(OUT, name)
        os.makedirs(out_dir, exist_ok=True)
        if write_adapter:
            tr.save_safetensors(os.path.join(out_dir, "adapter_model.safetensors"), lora, {"format": "pt"})
            with open(os.path.join(out_dir, "adapter_config.json"), "w") as f:
                json.dump(config, f, indent=2)
        scale = config["lora_alpha"] / config["r"]
        ids = torch.tensor([SEQUENCE])
        expected = {}
        for mode in MODES:
            storage, products = (mode.split("+") + [None])[:2]
            w = stored_as(weights, storage)
            params = {k: v.clone().requires_grad_(True) for k, v in lora.items()}
            logits = tr.forward(cfg, w, ids, params, scale, tr.product16 if products == "fp16" else None)[0]
            loss = F.cross_entropy(logits[:-1], ids[0, 1:], reduction="sum")
            loss.backward()
            expected[mode + ".logits"] = logits.detach().contiguous()
            expected[mode + ".loss"] = loss.detach().reshape(1)
            for k, p in params.items():
                expected[mode + ".grad." + k] = p.grad.contiguous()
        tr.save_safetensors(os.path.join(out_dir, "expected.safetensors"), expected)
        print(name, "written:", sorted(os.listdir(out_dir)))


if __name__ == "__main__":
    main()
