#!/usr/bin/python3
"""Generates tests/golden/distributed_sampler.json, the oracle for tests/distributed/sampler_test.cpp:
torch.utils.data.distributed.DistributedSampler's index lists (every rank, two epochs) and
torch.randperm with a seeded torch.Generator. Run with Debian's python3-torch:

    /usr/bin/python3 tests/golden/gen_distributed_sampler_golden.py

Layout: {"randperm": [{"n", "seed", "perm"}], "sampler": [{"size", "num_replicas", "shuffle", "seed",
"drop_last", "epoch", "num_samples", "total_size", "ranks": [[indices of rank 0], ...]}]}
"""
import json
import os

import torch
from torch.utils.data.distributed import DistributedSampler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "distributed_sampler.json")


class Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def main():
    randperm = []
    for n, seed in [(1, 0), (2, 0), (5, 0), (10, 3), (100, 42), (1000, 7), (257, 2**32 + 5)]:
        g = torch.Generator()
        g.manual_seed(seed)
        randperm.append({"n": n, "seed": seed, "perm": torch.randperm(n, generator=g).tolist()})
    cases = []
    for size in [0, 1, 3, 10, 11, 17, 64]:
        for replicas in [1, 2, 3, 4, 8]:
            for shuffle in [False, True]:
                for drop_last in [False, True]:
                    for seed, epoch in ([(0, 0), (0, 1), (123, 2)] if shuffle else [(0, 0)]):
                        ranks, num_samples, total = [], None, None
                        for rank in range(replicas):
                            s = DistributedSampler(Sized(size), num_replicas=replicas, rank=rank, shuffle=shuffle,
                                                   seed=seed, drop_last=drop_last)
                            s.set_epoch(epoch)
                            ranks.append(list(iter(s)))
                            num_samples, total = s.num_samples, s.total_size
                            assert len(s) == len(ranks[-1])
                        cases.append({"size": size, "num_replicas": replicas, "shuffle": shuffle, "seed": seed,
                                      "drop_last": drop_last, "epoch": epoch, "num_samples": num_samples,
                                      "total_size": total, "ranks": ranks})
    with open(OUT, "w") as f:
        json.dump({"randperm": randperm, "sampler": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(randperm)} randperm cases, {len(cases)} sampler cases")


if __name__ == "__main__":
    main()
