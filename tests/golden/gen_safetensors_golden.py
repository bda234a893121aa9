#!/usr/bin/python3
"""Generates the safetensors golden files that tests/io/safetensors_test.cpp and checkpoint_test.cpp read:

    tests/golden/safetensors/reference.safetensors    plain safetensors file
    tests/golden/safetensors/checkpoint.safetensors   the same tensors as a nabla checkpoint (nabla.checksum)

Debian 12 has no python3-safetensors, so this script writes the format by hand, following the
specification and the reference implementation's writer (safetensors/src/tensor.rs) exactly:
  - 8-byte little-endian header length N, then N bytes of JSON, then the data buffer;
  - tensors laid out by dtype, widest first in the reference's Dtype order (I64, F64, F32, I32, U8,
    BOOL here), then by name; data_offsets relative to the start of the buffer;
  - compact JSON (serde_json): "__metadata__" first when given (keys sorted, as nabla writes them; the
    reference keeps a hash map's order), then the tensors in layout order, each
    {"dtype", "shape", "data_offsets"}; non-ASCII characters written as UTF-8;
  - the header padded with spaces to a multiple of 8 bytes.
Tensor bytes come from PyTorch (the oracle). The checkpoint's nabla.checksum is computed here
independently of nabla: CRC-32C (bitwise) over the data buffer followed by the header JSON without the
checksum entry (see docs/io.md). The C++ tests check that nabla reads both files and writes them byte for
byte. Run with Debian's python3-torch:

    /usr/bin/python3 tests/golden/gen_safetensors_golden.py
"""
import json
import os
import struct

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "tests", "golden", "safetensors")

# torch dtype -> (safetensors name, rank in the reference's Dtype enum)
DTYPES = {torch.bool: ("BOOL", 0), torch.uint8: ("U8", 1), torch.int32: ("I32", 9), torch.float32: ("F32", 11),
          torch.float64: ("F64", 12), torch.int64: ("I64", 13)}

# Keep in sync with golden_tensors() in tests/io/safetensors_test.cpp.
TENSORS = {
    "weight": torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1.0,
    "bias": torch.tensor([0.1, -2.5, 1e300], dtype=torch.float64),
    "step": torch.tensor(123456789012, dtype=torch.int64),
    "labels": torch.tensor([-1, 0, 7, 2147483647], dtype=torch.int32),
    "pixels": torch.tensor([[0, 1], [128, 255]], dtype=torch.uint8),
    "mask": torch.tensor([True, False, True]),
    "empty": torch.zeros(0, 4, dtype=torch.float32),
    "layer.0.transposed": (torch.arange(6, dtype=torch.float32).reshape(2, 3) + 10).t(),
}
METADATA = {"format": "pt", "note": "golden \u2713 caf\u00e9"}


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def layout(tensors):
    order = sorted(tensors, key=lambda n: (-DTYPES[tensors[n].dtype][1], n.encode("utf-8")))
    entries, chunks, pos = [], [], 0
    for name in order:
        t = tensors[name].contiguous()
        data = t.numpy().tobytes()
        entries.append((name, {"dtype": DTYPES[t.dtype][0], "shape": list(t.shape), "data_offsets": [pos, pos + len(data)]}))
        chunks.append(data)
        pos += len(data)
    return entries, b"".join(chunks)


def header_json(entries, metadata):
    header = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))  # nabla writes keys sorted (by code point)
    header.update(entries)
    return json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def write(path, entries, data, metadata):
    header = header_json(entries, metadata)
    header += b" " * ((8 - len(header) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + data)


def main():
    assert crc32c(b"123456789") == 0xE3069283
    os.makedirs(OUT_DIR, exist_ok=True)
    entries, data = layout(TENSORS)
    write(os.path.join(OUT_DIR, "reference.safetensors"), entries, data, METADATA)
    crc = crc32c(header_json(entries, METADATA), crc32c(data))
    write(os.path.join(OUT_DIR, "checkpoint.safetensors"), entries, data,
          dict(METADATA, **{"nabla.checksum": "crc32c:%08x" % crc}))


if __name__ == "__main__":
    main()
