#!/usr/bin/python3
"""Golden files for engine-onnx, from an independent oracle: a plain-PyTorch implementation of the
Hugging Face Llama / Qwen 2 / Qwen 3 decoders (eager attention, as in transformers).

For each architecture it writes a tiny random-weight checkpoint (config.json, generation_config.json,
model.safetensors) and reference.json with the PyTorch logits of a left-padded batch: a prefill
and one decoding step that reuses the key/value cache, plus 64-token greedy continuations.
For llama it also exports the model with torch.onnx.export (torch_model.onnx), using the input and
output names of ONNX Runtime GenAI / Optimum, and writes a PEFT LoRA adapter with the logits of
the adapted model (computed with the unmerged LoRA forward: base(x) + scale * B(A(x))).

Run with Debian's Python (python3-torch, python3-onnx):
    /usr/bin/python3 scripts/golden/onnx_reference_models.py engine-onnx/src/test/resources/golden
"""
import json
import math
import os
import struct
import sys

import torch
from torch import nn

torch.set_num_threads(1)

CONFIGS = {
    "llama": dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=64, intermediate_size=128,
                  num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1, head_dim=32, vocab_size=256,
                  rms_norm_eps=1e-5, rope_theta=500000.0, max_position_embeddings=128, tie_word_embeddings=False,
                  attention_bias=False, mlp_bias=False, hidden_act="silu", torch_dtype="float32",
                  bos_token_id=1, eos_token_id=2,
                  rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                    original_max_position_embeddings=32)),
    "qwen2": dict(architectures=["Qwen2ForCausalLM"], model_type="qwen2", hidden_size=128, intermediate_size=96,
                  num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=32, vocab_size=256,
                  rms_norm_eps=1e-6, rope_theta=1000000.0, max_position_embeddings=128, tie_word_embeddings=True,
                  hidden_act="silu", torch_dtype="float32", bos_token_id=1, eos_token_id=2),
    "qwen3": dict(architectures=["Qwen3ForCausalLM"], model_type="qwen3", hidden_size=64, intermediate_size=96,
                  num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2, head_dim=32, vocab_size=256,
                  rms_norm_eps=1e-6, rope_theta=1000000.0, max_position_embeddings=128, tie_word_embeddings=True,
                  attention_bias=False, hidden_act="silu", torch_dtype="float32", bos_token_id=1, eos_token_id=2),
}
LORA = dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"])


def rope_inv_freq(cfg):
    dim = cfg["head_dim"]
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    rs = cfg.get("rope_scaling")
    if rs:  # transformers' _compute_llama3_parameters
        low_wavelen = rs["original_max_position_embeddings"] / rs["low_freq_factor"]
        high_wavelen = rs["original_max_position_embeddings"] / rs["high_freq_factor"]
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > low_wavelen, inv / rs["factor"], inv)
        smooth = (rs["original_max_position_embeddings"] / wavelen - rs["low_freq_factor"]) / (
            rs["high_freq_factor"] - rs["low_freq_factor"])
        smoothed = (1 - smooth) * scaled / rs["factor"] + smooth * scaled
        medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        inv = torch.where(medium, smoothed, scaled)
    return inv


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        x = x.to(torch.float32)
        variance = x.pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(variance + self.eps)
        return self.weight * x.to(dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def repeat_kv(x, n_rep):
    """transformers' repeat_kv: (batch, kv_heads, seq, dim) -> (batch, kv_heads * n_rep, seq, dim)"""
    batch, kv_heads, seq, dim = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None, :, :].expand(batch, kv_heads, n_rep, seq, dim).reshape(batch, kv_heads * n_rep, seq, dim)


class Lora(nn.Module):
    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        self.scale = alpha / r

    def forward(self, x):
        return self.base(x) + self.scale * self.lora_B(self.lora_A(x))


class Attention(nn.Module):
    def __init__(self, cfg, arch):
        super().__init__()
        h, d = cfg["hidden_size"], cfg["head_dim"]
        self.heads, self.kv_heads, self.head_dim = cfg["num_attention_heads"], cfg["num_key_value_heads"], d
        qkv_bias = arch == "qwen2" or cfg.get("attention_bias", False)
        o_bias = arch != "qwen2" and cfg.get("attention_bias", False)
        self.q_proj = nn.Linear(h, self.heads * d, bias=qkv_bias)
        self.k_proj = nn.Linear(h, self.kv_heads * d, bias=qkv_bias)
        self.v_proj = nn.Linear(h, self.kv_heads * d, bias=qkv_bias)
        self.o_proj = nn.Linear(self.heads * d, h, bias=o_bias)
        self.qk_norm = arch == "qwen3"
        if self.qk_norm:
            self.q_norm = RMSNorm(d, cfg["rms_norm_eps"])
            self.k_norm = RMSNorm(d, cfg["rms_norm_eps"])

    def forward(self, x, cos, sin, mask, past_k, past_v):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        if self.qk_norm:
            q, k = self.q_norm(q), self.k_norm(k)
        q, k = q.transpose(1, 2), k.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        kr, vr = repeat_kv(k, self.heads // self.kv_heads), repeat_kv(v, self.heads // self.kv_heads)
        scores = torch.matmul(q, kr.transpose(2, 3)) * (self.head_dim ** -0.5) + mask
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(probs, vr).transpose(1, 2).reshape(b, s, self.heads * self.head_dim)
        return self.o_proj(out), k, v


class Mlp(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h, i = cfg["hidden_size"], cfg["intermediate_size"]
        bias = cfg.get("mlp_bias", False)
        self.gate_proj = nn.Linear(h, i, bias=bias)
        self.up_proj = nn.Linear(h, i, bias=bias)
        self.down_proj = nn.Linear(i, h, bias=bias)

    def forward(self, x):
        return self.down_proj(nn.functional.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, cfg, arch):
        super().__init__()
        self.self_attn = Attention(cfg, arch)
        self.mlp = Mlp(cfg)
        self.input_layernorm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])

    def forward(self, x, cos, sin, mask, past_k, past_v):
        a, k, v = self.self_attn(self.input_layernorm(x), cos, sin, mask, past_k, past_v)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, k, v


class Inner(nn.Module):
    def __init__(self, cfg, arch):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        self.layers = nn.ModuleList([Layer(cfg, arch) for _ in range(cfg["num_hidden_layers"])])
        self.norm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])


class CausalLM(nn.Module):
    """The decoder with the ONNX Runtime GenAI signature: (input_ids, attention_mask, position_ids,
    past k0, past v0, past k1, ...) -> (logits, present k0, present v0, ...)."""

    def __init__(self, cfg, arch):
        super().__init__()
        self.cfg = cfg
        self.model = Inner(cfg, arch)
        self.lm_head = nn.Linear(cfg["hidden_size"], cfg["vocab_size"], bias=False)
        if cfg["tie_word_embeddings"]:
            self.lm_head.weight = self.model.embed_tokens.weight
        self.register_buffer("inv_freq", rope_inv_freq(cfg), persistent=False)

    def forward(self, input_ids, attention_mask, position_ids, *past):
        x = self.model.embed_tokens(input_ids)
        freqs = position_ids[:, :, None].float() * self.inv_freq[None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None, :, :], emb.sin()[:, None, :, :]
        total = attention_mask.shape[1]
        seq = input_ids.shape[1]
        key_index = torch.arange(total, device=input_ids.device)
        query_index = torch.arange(seq, device=input_ids.device) + (total - seq)
        allowed = (key_index[None, :] <= query_index[:, None])[None, None, :, :] & (attention_mask[:, None, None, :] > 0)
        mask = torch.where(allowed, torch.zeros((), dtype=x.dtype), torch.full((), torch.finfo(x.dtype).min, dtype=x.dtype))
        presents = []
        for i, layer in enumerate(self.model.layers):
            x, k, v = layer(x, cos, sin, mask, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        logits = self.lm_head(self.model.norm(x))
        return (logits, *presents)


def empty_past(cfg, batch):
    shape = (batch, cfg["num_key_value_heads"], 0, cfg["head_dim"])
    return [torch.zeros(shape) for _ in range(2 * cfg["num_hidden_layers"])]


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.08 * torch.randn(p.shape, generator=g))


def write_safetensors(path, tensors):
    header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def checkpoint_tensors(model):
    out = {}
    for name, t in model.state_dict().items():
        if name == "lm_head.weight" and model.cfg["tie_word_embeddings"]:
            continue
        out[name] = t
    return out


# a left-padded batch: row 0 has 7 tokens, row 1 has 4 (3 pads on the left)
PROMPTS = [[1, 17, 42, 99, 3, 200, 7], [1, 250, 64, 12]]


def batch_inputs(prompts, pad=0):
    width = max(len(p) for p in prompts)
    ids, mask, pos = [], [], []
    for p in prompts:
        n = width - len(p)
        ids.append([pad] * n + p)
        mask.append([0] * n + [1] * len(p))
        pos.append([0] * n + list(range(len(p))))
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(pos)


def reference(model, cfg, steps=64):
    ids, mask, pos = batch_inputs(PROMPTS)
    with torch.no_grad():
        out = model(ids, mask, pos, *empty_past(cfg, len(PROMPTS)))
        prefill_logits = out[0]
        past = list(out[1:])
        next_ids = torch.tensor([[5], [9]])
        mask2 = torch.cat([mask, torch.ones(2, 1, dtype=mask.dtype)], dim=1)
        pos2 = pos[:, -1:] + 1
        step_logits = model(next_ids, mask2, pos2, *past)[0]
        greedy = []
        for row, prompt in enumerate(PROMPTS):  # each row alone, no padding
            seq = list(prompt)
            p_ids = torch.tensor([prompt])
            o = model(p_ids, torch.ones_like(p_ids), torch.arange(len(prompt))[None, :], *empty_past(cfg, 1))
            tokens = []
            for _ in range(steps):
                t = int(o[0][0, -1].argmax())
                tokens.append(t)
                seq.append(t)
                m = torch.ones(1, len(seq), dtype=torch.int64)
                o = model(torch.tensor([[t]]), m, torch.tensor([[len(seq) - 1]]), *o[1:])
            greedy.append(tokens)
    rows = []
    width = ids.shape[1]
    for r, p in enumerate(PROMPTS):
        first = width - len(p)
        rows.append(dict(prompt=p, prefill_logits=[[round(float(v), 7) for v in prefill_logits[r, i]] for i in range(first, width)],
                         next_token=int(next_ids[r, 0]), step_logits=[round(float(v), 7) for v in step_logits[r, 0]],
                         greedy=greedy[r]))
    return dict(pad_token_id=0, rows=rows)


def add_lora(model, seed):
    g = torch.Generator().manual_seed(seed)
    adapter = {}
    for i, layer in enumerate(model.model.layers):
        for name in LORA["target_modules"]:
            base = getattr(layer.self_attn, name)
            lora = Lora(base, LORA["r"], LORA["lora_alpha"])
            with torch.no_grad():
                lora.lora_A.weight.copy_(0.2 * torch.randn(lora.lora_A.weight.shape, generator=g))
                lora.lora_B.weight.copy_(0.2 * torch.randn(lora.lora_B.weight.shape, generator=g))
            setattr(layer.self_attn, name, lora)
            prefix = f"base_model.model.model.layers.{i}.self_attn.{name}"
            adapter[prefix + ".lora_A.weight"] = lora.lora_A.weight
            adapter[prefix + ".lora_B.weight"] = lora.lora_B.weight
    return adapter


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1)
        f.write("\n")


def main(out_dir):
    for seed, (arch, cfg) in enumerate(sorted(CONFIGS.items())):
        d = os.path.join(out_dir, arch)
        os.makedirs(d, exist_ok=True)
        torch.manual_seed(seed)
        model = CausalLM(cfg, arch).eval()
        randomize(model, 1000 + seed)
        write_json(os.path.join(d, "config.json"), cfg)
        write_json(os.path.join(d, "generation_config.json"),
                   dict(bos_token_id=cfg["bos_token_id"], eos_token_id=cfg["eos_token_id"]))
        write_safetensors(os.path.join(d, "model.safetensors"), checkpoint_tensors(model))
        write_json(os.path.join(d, "reference.json"), reference(model, cfg))
        if arch == "llama":
            export_onnx(model, cfg, os.path.join(d, "torch_model.onnx"))
            adapter_dir = os.path.join(d, "adapter")
            os.makedirs(adapter_dir, exist_ok=True)
            tensors = add_lora(model, 77)
            write_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"), tensors)
            write_json(os.path.join(adapter_dir, "adapter_config.json"), dict(
                peft_type="LORA", task_type="CAUSAL_LM", base_model_name_or_path="tiny-llama", r=LORA["r"],
                lora_alpha=LORA["lora_alpha"], lora_dropout=0.0, target_modules=LORA["target_modules"], bias="none",
                fan_in_fan_out=False, use_rslora=False, inference_mode=True))
            write_json(os.path.join(adapter_dir, "reference.json"), reference(model, cfg))
        print("wrote", d)


def export_onnx(model, cfg, path):
    layers = cfg["num_hidden_layers"]
    ids, mask, pos = batch_inputs(PROMPTS)
    past_len = 3
    past = [torch.randn(2, cfg["num_key_value_heads"], past_len, cfg["head_dim"]) for _ in range(2 * layers)]
    mask = torch.cat([torch.ones(2, past_len, dtype=mask.dtype), mask], dim=1)
    past_names, present_names = [], []
    for i in range(layers):
        past_names += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        present_names += [f"present.{i}.key", f"present.{i}.value"]
    dynamic = {"input_ids": {0: "batch_size", 1: "sequence_length"},
               "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
               "position_ids": {0: "batch_size", 1: "sequence_length"},
               "logits": {0: "batch_size", 1: "sequence_length"}}
    for n in past_names:
        dynamic[n] = {0: "batch_size", 2: "past_sequence_length"}
    for n in present_names:
        dynamic[n] = {0: "batch_size", 2: "total_sequence_length"}
    torch.onnx.export(model, (ids, mask, pos, *past), path, input_names=["input_ids", "attention_mask", "position_ids", *past_names],
                      output_names=["logits", *present_names], dynamic_axes=dynamic, opset_version=17,
                      do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(path), full_check=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "engine-onnx/src/test/resources/golden")
