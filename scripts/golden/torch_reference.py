#!/usr/bin/python3
"""Reference logits for engine-djl's parity tests, from plain PyTorch.

Builds tiny random checkpoints of LlamaForCausalLM (llama3 rope scaling, untied head, bf16),
Qwen2ForCausalLM (q/k/v biases, tied embeddings, fp16) and Qwen3ForCausalLM (per-head q/k
RMSNorm, fp32, sharded in two files), plus a PEFT LoRA adapter for the llama one, and writes the
logits a forward pass gives, computed with the published architectures re-implemented below after
transformers' modeling_llama.py / modeling_qwen2.py / modeling_qwen3.py (transformers itself is
not needed). Weights stored in bf16/fp16 are rounded first and computed in fp32, as a loader does.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/golden/torch_reference.py
Writes engine-djl/src/test/resources/golden/<name>/ (config.json, *.safetensors, logits.safetensors,
greedy.json).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "engine-djl", "src", "test", "resources", "golden")

# ---------------------------------------------------------------- safetensors writing (no library)
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        # bf16 = upper 16 bits of the fp32 pattern (t is already bf16-rounded)
        bits = t.float().numpy().view(np.uint32) >> 16
        return bits.astype("<u2").tobytes()
    if t.dtype == torch.float16:
        return t.numpy().astype("<f2").tobytes()
    if t.dtype == torch.float32:
        return t.numpy().astype("<f4").tobytes()
    if t.dtype == torch.int64:
        return t.numpy().astype("<i8").tobytes()
    raise ValueError(t.dtype)


def save_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name, t in tensors.items():
        data = tensor_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ---------------------------------------------------------------- the architectures, after transformers
class Cfg:
    def __init__(self, d):
        self.d = d
        self.arch = d["model_type"]
        self.hidden = d["hidden_size"]
        self.inter = d["intermediate_size"]
        self.layers = d["num_hidden_layers"]
        self.heads = d["num_attention_heads"]
        self.kv_heads = d.get("num_key_value_heads", self.heads)
        self.head_dim = d.get("head_dim", self.hidden // self.heads)
        self.vocab = d["vocab_size"]
        self.eps = d.get("rms_norm_eps", 1e-6)
        self.theta = d.get("rope_theta", 10000.0)
        self.rope_scaling = d.get("rope_scaling")
        self.tied = d.get("tie_word_embeddings", False)


def rms_norm(x, w, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(variance + eps))


def inv_freq(cfg):
    dim = cfg.head_dim
    inv = 1.0 / (cfg.theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    rs = cfg.rope_scaling
    if rs and rs.get("rope_type", rs.get("type")) == "llama3":  # transformers' _compute_llama3_parameters
        factor, low, high, old = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv
        inv_llama = torch.where(wavelen > low_wavelen, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * inv_llama / factor + smooth * inv_llama
        is_medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        inv = torch.where(is_medium, smoothed, inv_llama)
    return inv


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def product16(a, b):
    """a @ b as an fp16 matrix product computes it: fp16 operands, fp32 sums, the result rounded to fp16.
    Written with casts around an fp32 product (this CPU build of PyTorch has no fp16 products); in autograd
    the casts round each gradient to fp16 where an fp16 backward product would."""
    return (a.half().float() @ b.half().float()).half().float()


def forward(cfg, w, ids, lora=None, lora_scale=0.0, mm=None):
    """ids [B, T] -> logits [B, T, V], causal attention, positions 0..T-1.

    mm: the matrix product of the projections, LoRA and attention (product16 for fp16 products);
    the output head is always fp32."""
    mm = mm or (lambda a, b: a @ b)
    b, t = ids.shape
    pos = torch.arange(t).float()
    freqs = torch.outer(pos, inv_freq(cfg))
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]
    mask = torch.full((t, t), torch.finfo(torch.float32).min).triu(1)[None, None]

    def lin(x, name):
        y = mm(x, w[name + ".weight"].T)
        if name + ".bias" in w:
            y = y + w[name + ".bias"]
        if lora is not None and ("base_model.model." + name + ".lora_A.weight") in lora:
            a = lora["base_model.model." + name + ".lora_A.weight"]
            bb = lora["base_model.model." + name + ".lora_B.weight"]
            y = y + mm(mm(x, a.T), bb.T) * lora_scale
        return y

    x = w["model.embed_tokens.weight"][ids]
    g = cfg.heads // cfg.kv_heads
    for i in range(cfg.layers):
        p = "model.layers.%d." % i
        h = rms_norm(x, w[p + "input_layernorm.weight"], cfg.eps)
        q = lin(h, p + "self_attn.q_proj").view(b, t, cfg.heads, cfg.head_dim)
        k = lin(h, p + "self_attn.k_proj").view(b, t, cfg.kv_heads, cfg.head_dim)
        v = lin(h, p + "self_attn.v_proj").view(b, t, cfg.kv_heads, cfg.head_dim)
        if cfg.arch == "qwen3":
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], cfg.eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], cfg.eps)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k[:, :, None].expand(b, cfg.kv_heads, g, t, cfg.head_dim).reshape(b, cfg.heads, t, cfg.head_dim)
        v = v[:, :, None].expand(b, cfg.kv_heads, g, t, cfg.head_dim).reshape(b, cfg.heads, t, cfg.head_dim)
        scores = mm(q, k.transpose(2, 3)) * cfg.head_dim ** -0.5 + mask
        attn = mm(torch.softmax(scores.float(), dim=-1), v)
        attn = attn.transpose(1, 2).reshape(b, t, cfg.heads * cfg.head_dim)
        x = x + lin(attn, p + "self_attn.o_proj")
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], cfg.eps)
        x = x + lin(torch.nn.functional.silu(lin(h, p + "mlp.gate_proj")) * lin(h, p + "mlp.up_proj"), p + "mlp.down_proj")
    x = rms_norm(x, w["model.norm.weight"], cfg.eps)
    head = w["model.embed_tokens.weight"] if cfg.tied else w["lm_head.weight"]
    return x @ head.T


# ---------------------------------------------------------------- fixtures
def layout(cfg):
    h, qd, kvd = cfg.hidden, cfg.heads * cfg.head_dim, cfg.kv_heads * cfg.head_dim
    m = {"model.embed_tokens.weight": (cfg.vocab, h)}
    for i in range(cfg.layers):
        p = "model.layers.%d." % i
        m[p + "input_layernorm.weight"] = (h,)
        for proj, shape in (("q_proj", (qd, h)), ("k_proj", (kvd, h)), ("v_proj", (kvd, h)), ("o_proj", (h, qd))):
            m[p + "self_attn." + proj + ".weight"] = shape
            if cfg.arch == "qwen2" and proj != "o_proj":
                m[p + "self_attn." + proj + ".bias"] = (shape[0],)
        if cfg.arch == "qwen3":
            m[p + "self_attn.q_norm.weight"] = (cfg.head_dim,)
            m[p + "self_attn.k_norm.weight"] = (cfg.head_dim,)
        m[p + "post_attention_layernorm.weight"] = (h,)
        m[p + "mlp.gate_proj.weight"] = (cfg.inter, h)
        m[p + "mlp.up_proj.weight"] = (cfg.inter, h)
        m[p + "mlp.down_proj.weight"] = (h, cfg.inter)
    m["model.norm.weight"] = (h,)
    if not cfg.tied:
        m["lm_head.weight"] = (cfg.vocab, h)
    return m


def random_weights(cfg, gen, dtype):
    w = {}
    for name, shape in layout(cfg).items():
        if name.endswith("norm.weight"):
            t = 1.0 + 0.1 * torch.randn(shape, generator=gen)  # not all ones, so a norm mix-up shows
        elif name.endswith(".bias"):
            t = 0.1 * torch.randn(shape, generator=gen)
        else:
            t = 0.15 * torch.randn(shape, generator=gen)
        w[name] = t.to(dtype)
    return w


SEQUENCES = [[1, 5, 9, 33, 70, 2, 101, 64, 3, 17, 120, 45], [7, 7, 7, 90, 12], [100]]


def fixture(name, config, dtype, shards, with_lora=False):
    gen = torch.Generator().manual_seed(sum(map(ord, name)))
    cfg = Cfg(config)
    stored = random_weights(cfg, gen, dtype)
    w = {k: v.float() for k, v in stored.items()}  # what a loader computes with
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    names = list(stored)
    if shards == 1:
        save_safetensors(os.path.join(d, "model.safetensors"), stored, {"format": "pt"})
    else:
        cut = len(names) // 2
        parts = [names[:cut], names[cut:]]
        weight_map = {}
        for i, part in enumerate(parts):
            fname = "model-%05d-of-%05d.safetensors" % (i + 1, len(parts))
            save_safetensors(os.path.join(d, fname), {n: stored[n] for n in part}, {"format": "pt"})
            weight_map.update({n: fname for n in part})
        total = sum(len(tensor_bytes(t)) for t in stored.values())
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    golden = {}
    with torch.no_grad():
        for i, seq in enumerate(SEQUENCES):
            golden["logits.%d" % i] = forward(cfg, w, torch.tensor([seq]))[0].contiguous()
            golden["ids.%d" % i] = torch.tensor(seq, dtype=torch.int64)
        # greedy decoding with full recomputation, 12 new tokens from the first sequence's first 4 tokens
        seq = SEQUENCES[0][:4]
        for _ in range(12):
            seq.append(int(forward(cfg, w, torch.tensor([seq]))[0, -1].argmax()))
        if with_lora:
            r, alpha = 4, 8.0
            lora = {}
            for i in range(cfg.layers):
                for mod in ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                            "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"):
                    base = w["model.layers.%d.%s.weight" % (i, mod)]
                    prefix = "base_model.model.model.layers.%d.%s" % (i, mod)
                    lora[prefix + ".lora_A.weight"] = 0.2 * torch.randn((r, base.shape[1]), generator=gen)
                    lora[prefix + ".lora_B.weight"] = 0.2 * torch.randn((base.shape[0], r), generator=gen)
            save_safetensors(os.path.join(d, "adapter_model.safetensors"), lora, {"format": "pt"})
            with open(os.path.join(d, "adapter_config.json"), "w") as f:
                json.dump({"base_model_name_or_path": name, "bias": "none", "fan_in_fan_out": False,
                           "inference_mode": True, "init_lora_weights": True, "lora_alpha": alpha,
                           "lora_dropout": 0.0, "modules_to_save": None, "peft_type": "LORA", "r": r,
                           "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
                           "task_type": "CAUSAL_LM", "use_rslora": False}, f, indent=2)
            for i, s in enumerate(SEQUENCES):
                golden["lora_logits.%d" % i] = forward(cfg, w, torch.tensor([s]), lora, alpha / r)[0].contiguous()
    save_safetensors(os.path.join(d, "logits.safetensors"), golden)
    if name.startswith("jlama"):
        minimal_tokenizer(d, cfg.vocab)
    with open(os.path.join(d, "greedy.json"), "w") as f:
        json.dump({"prompt": SEQUENCES[0][:4], "tokens": seq[4:]}, f)
    print(name, "written:", sorted(os.listdir(d)))


def minimal_tokenizer(d, vocab):
    """A byte-level BPE tokenizer.json without merges (token i = one byte), enough for a loader
    that insists on a tokenizer; parity tests feed token ids directly."""
    byte_chars = [chr(c) for c in range(33, 127)] + [chr(256 + c) for c in range(vocab)]
    tokens = {byte_chars[i]: i for i in range(vocab)}
    tok = {"version": "1.0", "added_tokens": [], "normalizer": None,
           "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
           "post_processor": None, "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
           "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                     "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "vocab": tokens, "merges": []}}
    with open(os.path.join(d, "tokenizer.json"), "w") as f:
        json.dump(tok, f)
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 256}, f)


def main():
    torch.set_num_threads(1)
    common = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
              "num_key_value_heads": 2, "head_dim": 32, "vocab_size": 128, "rms_norm_eps": 1e-5,
              "max_position_embeddings": 256, "hidden_act": "silu"}
    fixture("llama", dict(common, architectures=["LlamaForCausalLM"], model_type="llama", rope_theta=500000.0,
                          rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                        "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
                          tie_word_embeddings=False, torch_dtype="bfloat16", bos_token_id=1, eos_token_id=2),
            torch.bfloat16, 1, with_lora=True)
    fixture("qwen2", dict(common, architectures=["Qwen2ForCausalLM"], model_type="qwen2", rope_theta=1000000.0,
                          tie_word_embeddings=True, torch_dtype="float16", eos_token_id=2),
            torch.float16, 1)
    fixture("qwen3", dict(common, architectures=["Qwen3ForCausalLM"], model_type="qwen3", rope_theta=1000000.0,
                          hidden_size=64, num_attention_heads=4, head_dim=32, tie_word_embeddings=False,
                          torch_dtype="float32", eos_token_id=2, attention_bias=False),
            torch.float32, 2)
    # for greedy parity with Jlama, which wants hidden = heads * head_dim and a tokenizer.json
    jl = dict(common, num_attention_heads=2, num_key_value_heads=1, head_dim=32, torch_dtype="float32")
    fixture("jlama_llama", dict(jl, architectures=["LlamaForCausalLM"], model_type="llama", rope_theta=10000.0,
                                tie_word_embeddings=False, bos_token_id=1, eos_token_id=2), torch.float32, 1)
    fixture("jlama_qwen2", dict(jl, architectures=["Qwen2ForCausalLM"], model_type="qwen2", rope_theta=1000000.0,
                                tie_word_embeddings=True, eos_token_id=2), torch.float32, 1)


if __name__ == "__main__":
    sys.exit(main())
