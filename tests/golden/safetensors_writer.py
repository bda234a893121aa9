"""The safetensors format written by hand (Debian 12 has no python3-safetensors), shared by the golden
generators: gen_safetensors_golden.py (byte-exact reference files) and gen_vision_golden.py
(torchvision state_dicts). It follows the specification and the reference implementation's writer
(safetensors/src/tensor.rs) exactly:
  - 8-byte little-endian header length N, then N bytes of JSON, then the data buffer;
  - tensors laid out by dtype, widest first in the reference's Dtype order (I64, F64, F32, I32, U8,
    BOOL here), then by name; data_offsets relative to the start of the buffer;
  - compact JSON (serde_json): "__metadata__" first when given (keys sorted, as nabla writes them; the
    reference keeps a hash map's order), then the tensors in layout order, each
    {"dtype", "shape", "data_offsets"}; non-ASCII characters written as UTF-8;
  - the header padded with spaces to a multiple of 8 bytes.
"""
import json
import struct

import torch

# torch dtype -> (safetensors name, rank in the reference's Dtype enum)
DTYPES = {torch.bool: ("BOOL", 0), torch.uint8: ("U8", 1), torch.int32: ("I32", 9), torch.float32: ("F32", 11),
          torch.float64: ("F64", 12), torch.int64: ("I64", 13)}


def crc32c(data, crc=0):
    """CRC-32C, bitwise (independent of nabla's table-driven one)."""
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def layout(tensors):
    """(header entries in layout order, data buffer) for a {name: tensor} dict."""
    order = sorted(tensors, key=lambda n: (-DTYPES[tensors[n].dtype][1], n.encode("utf-8")))
    entries, chunks, pos = [], [], 0
    for name in order:
        t = tensors[name].detach().contiguous()
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
        f.write(struct.pack("<Q", len(header)) + header)
        f.write(data)


def save_file(tensors, path, metadata=None):
    """safetensors.torch.save_file's signature: {name: tensor} to `path`."""
    entries, data = layout(tensors)
    write(path, entries, data, metadata)
