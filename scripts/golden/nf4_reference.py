#!/usr/bin/env python3
"""NumPy reference for NF4 quantization, written from the QLoRA paper (arXiv:2305.14314).

Reads float32 tensors from a safetensors file and writes, for each tensor X, the NF4 result of
block-wise quantization (block 64, absmax per block) and of double quantization (the block maxima
centred on their mean and quantized with the signed 8-bit dynamic code in blocks of 256):

  X.codes     U8   one 4-bit code per value          X.packed   U8   two codes per byte, first high
  X.absmax    F32  absmax per 64-value block         X.dequant  F32  code value * absmax
  X.dq.codes8 U8   8-bit code of each centred absmax X.dq.scales F32 absmax of each 256-block
  X.dq.offset F32  [mean of the block maxima]        X.dq.dequant F32 values with the 8-bit maxima

Only float32 arithmetic is used where the format computes (scaling, midpoints, products), so an
independent implementation with the same definition gives bit-identical results.

Usage: python3 scripts/golden/nf4_reference.py INPUT.safetensors OUTPUT.safetensors
"""
import json
import struct
import sys

import numpy as np

# The NF4 data type: 16 quantiles of N(0, 1) normalised to [-1, 1] with an exact zero (QLoRA,
# section 3 and appendix E), as the paper's reference implementation (bitsandbytes) tabulates them.
NF4 = np.array([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
    0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0], dtype=np.float32)
BLOCK = 64
ABSMAX_BLOCK = 256
MIN_ABSMAX = np.float32(1e-38)


def dynamic_code():
    """Signed 8-bit dynamic code (Dettmers 2015): 10^e times midpoints of a linear fraction grid."""
    values = []
    for i in range(7):
        items = 2 ** i + 1
        scale = float("1e%d" % (i - 6))
        grid = [0.1 + (1.0 - 0.1) * k / (items - 1) for k in range(items)]
        for j in range(items - 1):
            mean = (grid[j] + grid[j + 1]) / 2.0
            values += [scale * mean, -scale * mean]
    values += [0.0, 1.0]
    assert len(values) == 256
    return np.sort(np.array(values, dtype=np.float64).astype(np.float32))


def midpoints(code):
    return ((code[:-1] + code[1:]) / np.float32(2)).astype(np.float32)


def blockwise(values, code, block):
    """Per block: absmax, scale by its fp32 reciprocal, clamp, nearest code (ties to the lower one)."""
    n = values.size
    blocks = (n + block - 1) // block
    padded = np.zeros(blocks * block, dtype=np.float32)
    padded[:n] = values
    absmax = np.abs(padded.reshape(blocks, block)).max(axis=1).astype(np.float32)
    inverse = (np.float32(1) / np.maximum(absmax, MIN_ABSMAX)).astype(np.float32)
    scaled = (padded.reshape(blocks, block) * inverse[:, None]).astype(np.float32).reshape(-1)[:n]
    scaled = np.clip(scaled, np.float32(-1), np.float32(1))
    codes = np.searchsorted(midpoints(code), scaled, side="left").astype(np.uint8)
    return codes, absmax


def dequantize(codes, code, absmax, block):
    per_value = np.repeat(absmax, block)[:codes.size]
    return (code[codes] * per_value).astype(np.float32)


def pack(codes):
    if codes.size % 2:
        codes = np.append(codes, np.uint8(7))  # the code of 0.0
    return ((codes[0::2] << 4) | codes[1::2]).astype(np.uint8)


def read(path):
    data = open(path, "rb").read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", name
        start, end = entry["data_offsets"]
        out[name] = np.frombuffer(data[8 + size + start:8 + size + end], dtype="<f4").copy()
    return out


def write(path, tensors):
    header = {}
    offset = 0
    blobs = []
    for name, array in tensors.items():
        dtype = {np.dtype(np.uint8): "U8", np.dtype(np.float32): "F32"}[array.dtype]
        blob = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": [array.size], "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    code8 = dynamic_code()
    out = {"dynamic_code": code8}
    for name, values in read(sys.argv[1]).items():
        codes, absmax = blockwise(values, NF4, BLOCK)
        out[name + ".codes"] = codes
        out[name + ".packed"] = pack(codes)
        out[name + ".absmax"] = absmax
        out[name + ".dequant"] = dequantize(codes, NF4, absmax, BLOCK)
        offset = np.float32(np.sum(absmax.astype(np.float64)) / absmax.size) if absmax.size else np.float32(0)
        centred = (absmax - offset).astype(np.float32)
        codes8, scales = blockwise(centred, code8, ABSMAX_BLOCK)
        restored = (dequantize(codes8, code8, scales, ABSMAX_BLOCK) + offset).astype(np.float32)
        out[name + ".dq.codes8"] = codes8
        out[name + ".dq.scales"] = scales
        out[name + ".dq.offset"] = np.array([offset], dtype=np.float32)
        out[name + ".dq.dequant"] = dequantize(codes, NF4, restored, BLOCK)
    write(sys.argv[2], out)


if __name__ == "__main__":
    main()
