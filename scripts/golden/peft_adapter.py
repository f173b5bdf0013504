#!/usr/bin/env python3
"""Writes golden PEFT LoRA adapters with numpy only, laid out exactly as PEFT saves them.

PEFT's save_pretrained writes two files:
  adapter_config.json        json.dumps(config, indent=2, sort_keys=True)
  adapter_model.safetensors  tensors named base_model.model.model.layers.{i}.self_attn.{q,k,v,o}_proj.lora_{A,B}.weight
                             and base_model.model.model.layers.{i}.mlp.{gate,up,down}_proj.lora_{A,B}.weight,
                             lora_A of shape (r, in_features), lora_B of shape (out_features, r),
                             header metadata {"format": "pt"}
The safetensors layout (8-byte little-endian header length, JSON header, raw data) is written by hand.

Two adapters for a tiny Llama-shaped base (hidden 64, 4 heads, 2 key/value heads, head_dim 16,
intermediate 96, 2 layers): r=4 on q_proj and v_proj in fp32, and r=2 on all linear layers in bf16
(rounded to nearest even from the same fp32 values). expected.json lists, per tensor, the shape and
the float64 sum and first values of what a reader must get back as fp32.

Run from the repository root:  python3 scripts/golden/peft_adapter.py
"""
import json
import pathlib
import struct

import numpy as np

OUT = pathlib.Path("runtime/src/test/resources/golden/peft")
HIDDEN, HEADS, KV_HEADS, HEAD_DIM, INTERMEDIATE, LAYERS = 64, 4, 2, 16, 96, 2
FEATURES = {  # module: (block, in_features, out_features)
    "q_proj": ("self_attn", HIDDEN, HEADS * HEAD_DIM),
    "k_proj": ("self_attn", HIDDEN, KV_HEADS * HEAD_DIM),
    "v_proj": ("self_attn", HIDDEN, KV_HEADS * HEAD_DIM),
    "o_proj": ("self_attn", HEADS * HEAD_DIM, HIDDEN),
    "gate_proj": ("mlp", HIDDEN, INTERMEDIATE),
    "up_proj": ("mlp", HIDDEN, INTERMEDIATE),
    "down_proj": ("mlp", INTERMEDIATE, HIDDEN),
}


def peft_config(r, alpha, dropout, targets, base):
    # the keys PEFT 0.13 writes for a LoraConfig(task_type="CAUSAL_LM", ...)
    return {
        "alpha_pattern": {},
        "auto_mapping": None,
        "base_model_name_or_path": base,
        "bias": "none",
        "fan_in_fan_out": False,
        "inference_mode": True,
        "init_lora_weights": True,
        "layer_replication": None,
        "layers_pattern": None,
        "layers_to_transform": None,
        "loftq_config": {},
        "lora_alpha": alpha,
        "lora_dropout": dropout,
        "megatron_config": None,
        "megatron_core": "megatron.core",
        "modules_to_save": None,
        "peft_type": "LORA",
        "r": r,
        "rank_pattern": {},
        "revision": None,
        "target_modules": targets,
        "task_type": "CAUSAL_LM",
        "use_dora": False,
        "use_rslora": False,
    }


def to_bf16_bits(values):
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def write_safetensors(path, tensors, dtype):
    header = {"__metadata__": {"format": "pt"}}
    offset, blobs = 0, []
    for name in sorted(tensors):
        array = tensors[name]
        data = (to_bf16_bits(array) if dtype == "BF16" else array.astype("<f4")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def make(name, r, alpha, dropout, targets, dtype, seed):
    rng = np.random.default_rng(seed)
    tensors = {}
    for layer in range(LAYERS):
        for module in targets:
            block, fan_in, fan_out = FEATURES[module]
            prefix = f"base_model.model.model.layers.{layer}.{block}.{module}"
            # PEFT initialises A Kaiming-uniform and B zeros; a trained adapter has both non-zero
            bound = 1.0 / np.sqrt(fan_in)
            tensors[prefix + ".lora_A.weight"] = rng.uniform(-bound, bound, (r, fan_in)).astype(np.float32)
            tensors[prefix + ".lora_B.weight"] = (rng.standard_normal((fan_out, r)) * 0.01).astype(np.float32)
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    config = peft_config(r, alpha, dropout, targets, "kefu-tiny-llama")
    (folder / "adapter_config.json").write_text(json.dumps(config, indent=2, sort_keys=True))
    write_safetensors(folder / "adapter_model.safetensors", tensors, dtype)
    expected = {}
    for tensor_name, array in sorted(tensors.items()):
        read_back = array if dtype == "F32" else (to_bf16_bits(array).astype(np.uint32) << 16).view(np.float32)
        expected[tensor_name] = {
            "shape": list(array.shape),
            "sum": float(read_back.astype(np.float64).sum()),
            "first": [float(v) for v in read_back.reshape(-1)[:4]],
        }
    (folder / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True))


def main():
    make("llama-qv-r4-fp32", 4, 8, 0.1, ["q_proj", "v_proj"], "F32", 7)
    make("llama-all-linear-r2-bf16", 2, 16, 0.05,
         ["down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"], "BF16", 11)


if __name__ == "__main__":
    main()
