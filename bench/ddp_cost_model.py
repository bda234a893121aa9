#!/usr/bin/env python3
"""When does data-parallel training pay? The communication-cost model of docs/distributed.md.

A DistributedDataParallel step sends every gradient once through an allreduce. With a ring allreduce
over N processes, each process sends and receives 2(N-1)/N of the gradient bytes B in 2(N-1) steps:
    t_comm(N) = 2(N-1) * alpha + 2(N-1)/N * B / beta
(alpha: one message's latency, beta: a link's bandwidth). Each rank keeps its batch (weak scaling), so a
step costs t_compute + t_comm - overlap, where overlap <= the backward pass (buckets start during it).
Throughput relative to one process: N * t_compute / (t_compute + exposed communication).

Inputs, all measured on the machine at hand:
  --allreduce FILE   nabla-bench-allreduce's output (bytes, usec, ... at 2 ranks on loopback): fitted to
                     t = alpha + B / beta, the cost of the local MPI path (shared memory)
  --model NAME:PARAMS:STEP_MS[:BACKWARD_FRACTION]   a workload's float32 parameter count, its measured
                     single-process step time, and the share of the step that is backward (default 2/3)
Networks are stated, not measured (this machine has none): 10 GbE, 25 GbE, 100 Gb/s InfiniBand, with
the latency and achievable bandwidth below. Prints a markdown table.
"""
import argparse

NETWORKS = [  # name, alpha (s), beta (bytes/s): typical MPI figures, stated as assumptions
    ("10 GbE (TCP)", 50e-6, 1.1e9),
    ("25 GbE (TCP)", 25e-6, 2.8e9),
    ("100 Gb/s InfiniBand", 2e-6, 11e9),
]


def fit(path, max_bytes):
    """Least squares t = alpha + bytes / beta over nabla-bench-allreduce's rows up to max_bytes."""
    rows = []
    for line in open(path):
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit() and float(parts[0]) <= max_bytes:
            rows.append((float(parts[0]), float(parts[1]) * 1e-6))
    n = len(rows)
    mx = sum(b for b, _ in rows) / n
    my = sum(t for _, t in rows) / n
    slope = sum((b - mx) * (t - my) for b, t in rows) / sum((b - mx) ** 2 for b, _ in rows)
    return max(my - slope * mx, 0.0), 1.0 / slope, rows


def ring_seconds(nbytes, n, alpha, beta):
    return 2 * (n - 1) * alpha + 2 * (n - 1) / n * nbytes / beta


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--allreduce", required=True)
    p.add_argument("--model", action="append", required=True)
    p.add_argument("--nodes", default="2,4,8,16,64")
    p.add_argument("--max-bytes", type=float, default=16e6,
                   help="fit the loopback rows up to this size (the gradients' range)")
    a = p.parse_args()
    alpha, beta, rows = fit(a.allreduce, a.max_bytes)
    print(f"Loopback (2 ranks, shared memory) fit: alpha = {alpha * 1e6:.1f} us, beta = {beta / 1e9:.2f} GB/s "
          f"over {len(rows)} sizes\n")
    nodes = [int(x) for x in a.nodes.split(",")]
    print("| workload | gradient MB | step ms (1 proc) | network | " +
          " | ".join(f"N={n}" for n in nodes) + " |")
    print("|---|---|---|---|" + "---|" * len(nodes))
    for spec in a.model:
        parts = spec.split(":")
        name, params, step_ms = parts[0], int(parts[1]), float(parts[2])
        backward = float(parts[3]) if len(parts) > 3 else 2 / 3
        nbytes = 4 * params
        t = step_ms / 1e3
        nets = [("loopback (measured fit)", alpha, beta)] + NETWORKS
        for net, al, be in nets:
            cells = []
            for n in nodes:
                comm = ring_seconds(nbytes, n, al, be)
                exposed_none = comm                       # no overlap
                exposed_best = max(0.0, comm - backward * t)  # all of backward hides communication
                lo = n * t / (t + exposed_none)
                hi = n * t / (t + exposed_best)
                cells.append(f"{lo:.1f}-{hi:.1f}x" if abs(hi - lo) >= 0.05 else f"{lo:.1f}x")
            print(f"| {name} | {nbytes / 1e6:.2f} | {step_ms:.2f} | {net} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
