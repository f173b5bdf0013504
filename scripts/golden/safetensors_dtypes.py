#!/usr/bin/env python3
"""Writes golden safetensors files for the reader's dtype conversions, with numpy only.

The file follows the safetensors layout (8-byte little-endian header length, JSON header,
raw little-endian data). numpy's float16 is an independent IEEE-half implementation; bf16 is
numpy's float32 rounded to the upper 16 bits (nearest, ties to even). Every value numpy reads
back as float32 is stored beside it as an F32 tensor, so the Java reader can be checked against
numpy's conversion.

Run from the repository root:  python3 scripts/golden/safetensors_dtypes.py
"""
import json
import pathlib
import struct

import numpy as np

OUT = pathlib.Path("runtime/src/test/resources/golden/safetensors")


def to_bf16_bits(values: np.ndarray) -> np.ndarray:
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    nan = np.isnan(values)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    quiet = ((bits >> 16) | 0x40).astype(np.uint16)
    return np.where(nan, quiet, rounded)


def write(path: pathlib.Path, tensors: dict, metadata: dict) -> None:
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name, (dtype, array) in tensors.items():
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    special = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 1e-8, 6.0e-8, 5.96e-8, 3.0e-5, 6.1e-5,
                        np.inf, -np.inf, np.nan, 1e38, -3.4e38, 1.17549435e-38, 9.2e-41], dtype=np.float32)
    rng = np.random.default_rng(20240601)
    wide = (rng.standard_normal(64) * np.exp(rng.uniform(-30, 30, 64))).astype(np.float32)
    values = np.concatenate([special, wide]).reshape(9, 9)

    f16 = values.astype(np.float16)
    bf16_bits = to_bf16_bits(values)
    bf16_as_f32 = (bf16_bits.astype(np.uint32) << 16).view(np.float32)
    all_half = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    write(OUT / "dtypes.safetensors", {
        "f32": ("F32", values),
        "f16": ("F16", f16),
        "f16_as_f32": ("F32", f16.astype(np.float32)),
        "bf16": ("BF16", bf16_bits.view(np.uint16)),
        "bf16_as_f32": ("F32", bf16_as_f32),
        "f64": ("F64", values.astype(np.float64)),
        "all_f16_bits": ("F16", all_half.view(np.float16)),
        "all_f16_as_f32": ("F32", all_half.view(np.float16).astype(np.float32)),
        "i64": ("I64", np.array([[-1, 2**40], [7, -(2**62)]], dtype=np.int64)),
        "i32": ("I32", np.array([-5, 6, 2**31 - 1], dtype=np.int32)),
        "u8": ("U8", np.array([0, 255, 17], dtype=np.uint8)),
        "mask": ("BOOL", np.array([True, False, True])),
        "scalar": ("F32", np.array(3.5, dtype=np.float32)),
        "empty": ("F32", np.zeros((0, 4), dtype=np.float32)),
    }, {"format": "pt", "source": "numpy " + np.__version__})


if __name__ == "__main__":
    main()
