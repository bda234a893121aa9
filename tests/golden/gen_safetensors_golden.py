#!/usr/bin/python3
"""Generates the safetensors golden files that tests/io/safetensors_test.cpp and checkpoint_test.cpp read:

    tests/golden/safetensors/reference.safetensors    plain safetensors file
    tests/golden/safetensors/checkpoint.safetensors   the same tensors as a nabla checkpoint (nabla.checksum)

Debian 12 has no python3-safetensors, so the format is written by hand (safetensors_writer.py, which
follows the specification and the reference implementation's writer exactly).
Tensor bytes come from PyTorch (the oracle). The checkpoint's nabla.checksum is computed here
independently of nabla: CRC-32C (bitwise) over the data buffer followed by the header JSON without the
checksum entry (see docs/io.md). The C++ tests check that nabla reads both files and writes them byte for
byte. Run with Debian's python3-torch:

    /usr/bin/python3 tests/golden/gen_safetensors_golden.py
"""
import os

import torch

from safetensors_writer import crc32c, header_json, layout, write

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "tests", "golden", "safetensors")

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
