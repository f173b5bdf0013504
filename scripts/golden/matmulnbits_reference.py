#!/usr/bin/python3
"""Independent check of a weight-only quantized ONNX export (com.microsoft.MatMulNBits nodes).

For every MatMulNBits node of the exported model it unpacks the weight with NumPy, following the layout
ONNX Runtime documents for the operator (docs/ContribOperators.md):
  B            uint8 [N, k_blocks, block_size * bits / 8], each block's values packed along K, for 4 bits
               the first value in the low 4 bits of a byte;
  scales       [N * k_blocks] (or [N, k_blocks]);
  zero_points  uint8 [N * ceil(k_blocks * bits / 8)] packed the same way, each row starting on a new byte;
               absent: 2^(bits - 1);
  weight[n, k] = (q[n, k] - zero_point[n, k // block_size]) * scale[n, k // block_size],
and compares it with the original checkpoint's weight (a node named "PREFIX.q_proj+k_proj+v_proj" holds those
modules' weights stacked row after row): every value must be within half a quantization
step (|scale| / 2). Then it runs a plain PyTorch forward of the checkpoint (the decoders of
onnx_reference_models.py) with those dequantized weights in place of the linear layers' and writes
the last-position logits of the reference batch (with the export's token embedding, which a quantized export
may keep in fp16). A quantized token embedding (a com.microsoft.GatherBlockQuantized node) is unpacked from the
operator's layout the same way: data uint8 [vocab, hidden * bits / 8], scales [vocab, blocks], zero_points uint8
[vocab, ceil(blocks * bits / 8)] (absent: 2^(bits - 1)), quantized along the last axis; it is checked against
the checkpoint's embedding and the forward looks its rows up in the dequantized table.

Usage: /usr/bin/python3 scripts/golden/matmulnbits_reference.py CHECKPOINT_DIR MODEL.onnx OUT.json
Prints one line per quantized weight; exits 1 when a weight is off by more than half a step.
"""
import json
import os
import struct
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_reference_models as ref  # noqa: E402


def read_safetensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit("expected an F32 checkpoint, %s is %s" % (name, info["dtype"]))
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(data[start:end], dtype="<f4").reshape(info["shape"])
    return out


def unpack(packed, bits, count):
    """The first `count` codes of each row of `packed` (uint8 [rows, bytes]), low bits first."""
    packed = packed.astype(np.uint16)
    if bits == 8:
        return packed[:, :count]
    codes = np.empty((packed.shape[0], packed.shape[1] * 2), dtype=np.uint16)
    codes[:, 0::2] = packed & 0x0F
    codes[:, 1::2] = packed >> 4
    return codes[:, :count]


def dequantize_blocks(b, scales, zero_points, n, k, bits, block):
    """Rows of k values from n rows of packed blocks; scales [n * blocks]; zero points packed per row or None."""
    blocks = -(-k // block)
    scales = scales.astype(np.float32).reshape(n, blocks)
    if zero_points is not None:
        zp_row = -(-blocks * bits // 8)
        zero_points = unpack(zero_points.reshape(n, zp_row), bits, blocks).astype(np.float32)
    else:
        zero_points = np.full((n, blocks), 2 ** (bits - 1), dtype=np.float32)
    q = unpack(b.reshape(n * blocks, -1), bits, block).reshape(n, blocks, block).astype(np.float32)
    w = (q - zero_points[:, :, None]) * scales[:, :, None]
    return w.reshape(n, blocks * block)[:, :k], np.abs(scales), block


def optional_input(node, inits, index):
    return inits[node.input[index]] if len(node.input) > index and node.input[index] else None


def dequantize(node, inits):
    """A MatMulNBits weight [N, K]."""
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    k, n, bits, block = attrs["K"], attrs["N"], attrs["bits"], attrs["block_size"]
    return dequantize_blocks(inits[node.input[1]], inits[node.input[2]], optional_input(node, inits, 3), n, k, bits, block)


def dequantize_gather(node, inits):
    """A GatherBlockQuantized table [vocab, hidden] (gather axis 0, quantized along the last axis)."""
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    bits, block = attrs.get("bits", 4), attrs["block_size"]
    if attrs.get("gather_axis", 0) != 0 or attrs.get("quantize_axis", 1) != 1:
        raise SystemExit("%s: expected gather_axis 0 and quantize_axis 1, got %s" % (node.name, attrs))
    data = inits[node.input[0]]
    n, k = data.shape[0], data.shape[1] * 8 // bits
    return dequantize_blocks(data, inits[node.input[2]], optional_input(node, inits, 3), n, k, bits, block)


def half_step_ratio(w, original, scales, block):
    error = np.abs(w - original)
    half_step = np.repeat(scales, block, axis=1)[:, : w.shape[1]] / 2
    ratio = float(np.max(np.where(half_step > 0, error / np.where(half_step > 0, half_step, 1), np.where(error > 0, np.inf, 0))))
    return error.max(), ratio


def main(checkpoint, model_path, out_path):
    with open(os.path.join(checkpoint, "config.json")) as f:
        cfg = json.load(f)
    original = read_safetensors(os.path.join(checkpoint, "model.safetensors"))
    model = onnx.load(model_path)
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    dequantized, worst, quantized_embedding = {}, 0.0, None
    for node in model.graph.node:
        if node.op_type == "GatherBlockQuantized":
            table, scales, block = dequantize_gather(node, inits)
            largest, ratio = half_step_ratio(table, original["model.embed_tokens.weight"], scales, block)
            worst = max(worst, ratio)
            print("model.embed_tokens: %s max |w - dequantized| = %.3g, %.3f of half a step" % (list(table.shape), largest, ratio))
            quantized_embedding = table
            continue
        if node.op_type != "MatMulNBits":
            continue
        stacked = node.input[1][: -len(".weight_q")]
        w_all, scales_all, block = dequantize(node, inits)
        # "prefix.q_proj+k_proj+v_proj": the modules' weights stacked row after row
        prefix, _, joined = stacked.rpartition(".")
        row = 0
        for part in joined.split("+"):
            module = prefix + "." + part if prefix else part
            name = module + ".weight"
            if name not in original and module == "lm_head":
                name = "model.embed_tokens.weight"  # a tied head: the embedding's values
            rows = original[name].shape[0]
            w, scales = w_all[row:row + rows], scales_all[row:row + rows]
            row += rows
            largest, ratio = half_step_ratio(w, original[name], scales, block)
            worst = max(worst, ratio)
            print("%s: %s max |w - dequantized| = %.3g, %.3f of half a step" % (module, list(w.shape), largest, ratio))
            dequantized[module + ".weight"] = torch.from_numpy(np.ascontiguousarray(w))
        if row != w_all.shape[0]:
            print("%s: %d rows, the modules it names have %d" % (stacked, w_all.shape[0], row))
            return 1

    arch = cfg["model_type"]
    lm = ref.CausalLM(cfg, arch)
    state = {name: torch.from_numpy(np.array(value)) for name, value in original.items()}
    if cfg["tie_word_embeddings"]:
        state["lm_head.weight"] = state["model.embed_tokens.weight"]
    lm.load_state_dict(state, strict=True)
    with torch.no_grad():
        if cfg["tie_word_embeddings"] and "lm_head.weight" in dequantized:
            # the exported head is a quantized copy; the embedding lookup keeps the original values
            lm.lm_head = torch.nn.Linear(cfg["hidden_size"], cfg["vocab_size"], bias=False)
        embedding = inits.get("model.embed_tokens.weight")
        if quantized_embedding is not None:
            lm.model.embed_tokens.weight = torch.nn.Parameter(torch.from_numpy(np.ascontiguousarray(quantized_embedding)))
        elif embedding is not None and embedding.dtype == np.float16:
            # the export keeps the token embedding in fp16: look up the same rounded values
            lm.model.embed_tokens.weight = torch.nn.Parameter(torch.from_numpy(embedding.astype(np.float32)))
        for name, value in dequantized.items():
            target = lm.get_submodule(name[: -len(".weight")])
            target.weight = torch.nn.Parameter(value.clone())
        ids, mask, pos = ref.batch_inputs(ref.PROMPTS)
        logits = lm(ids, mask, pos, *ref.empty_past(cfg, len(ref.PROMPTS)))[0]
    with open(out_path, "w") as f:
        json.dump({"prompts": ref.PROMPTS, "worst_half_step_ratio": worst,
                   "quantized": len(dequantized) + (quantized_embedding is not None),
                   "last_logits": logits[:, -1, :].tolist()}, f)
    if worst > 1.0 + 1e-4:
        print("a dequantized weight is off by more than half a quantization step (%.4f)" % worst)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
