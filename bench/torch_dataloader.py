#!/usr/bin/python3
"""PyTorch's DataLoader on the same MNIST files and pipeline as bench/data_bench.cpp, for the ratio.

torchvision is not packaged in Debian 12, so the dataset reads the IDX files itself and applies the
tensor equivalent of ToTensor + Normalize((0.1307,), (0.3081,)) per sample, like torchvision's MNIST
does after its PIL conversion (which would only make PyTorch slower). Batch 64, shuffle, 0 and 2 workers.
Prints `name<TAB>samples/s<TAB>threads=N`, the same names as nabla-bench-data.
  /usr/bin/python3 bench/torch_dataloader.py [data_dir] [--epochs N]
"""
import argparse
import os
import time

import torch
from torch.utils.data import DataLoader, Dataset


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return torch.frombuffer(bytearray(raw[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


class GrayImages(Dataset):
    """uint8 [N, H, W] images and int64 [N] labels, decoded per sample by ToTensor + Normalize."""

    def __init__(self, data, targets, mean, std):
        self.data, self.targets, self.mean, self.std = data, targets, mean, std

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        x = self.data[i].unsqueeze(0).float().div(255)  # ToTensor
        x = (x - self.mean) / self.std                   # Normalize
        return x, int(self.targets[i])


def mnist(root):
    raw = os.path.join(root, "MNIST", "raw")
    return GrayImages(read_idx(os.path.join(raw, "train-images-idx3-ubyte")),
                      read_idx(os.path.join(raw, "train-labels-idx1-ubyte")).long(), 0.1307, 0.3081)


def measure(ds, workers, epochs, seconds=float("inf")):
    """Samples/s over `epochs` passes or `seconds`, whichever ends first (worker start-up included),
    like bench/loader_throughput.h."""
    loader = DataLoader(ds, batch_size=64, shuffle=True, num_workers=workers,
                        generator=torch.Generator().manual_seed(0))
    samples, start = 0, time.perf_counter()
    for _ in range(epochs):
        for x, y in loader:
            samples += x.shape[0]
            if time.perf_counter() - start >= seconds:
                return samples / (time.perf_counter() - start)
    return samples / (time.perf_counter() - start)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root", nargs="?", default=os.environ.get("NABLA_DATA_DIR", "data"))
    p.add_argument("--epochs", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(1)
    ds = mnist(a.root)
    for workers in (0, 2):
        rate = measure(ds, workers, a.epochs)
        print(f"dataloader_mnist_b64_workers{workers}_samples_per_s\t{int(rate)}\tthreads={max(1, workers)}", flush=True)


if __name__ == "__main__":
    main()
