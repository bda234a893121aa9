#!/usr/bin/env python3
"""Golden values for tests/nn/sparse_test.cpp: torch.sparse_coo_tensor's coalesce/to_dense, torch.sparse.mm
forward and gradients (w.r.t. the sparse values and the dense operand), the GCN propagation matrix
D^-1/2 (A + I) D^-1/2 and a GCN layer, all in float64; and Zachary's karate club from networkx.
Run with /usr/bin/python3 (Debian's python3-torch and python3-networkx). Writes sparse.json, karate_club.json."""
import json, os
import torch
import networkx as nx

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)


def t(x):
    x = x.detach()
    return {"shape": list(x.shape), "data": x.reshape(-1).tolist()}


def coo_case(name, n, m, nnz, f, duplicates):
    idx = torch.stack([torch.randint(0, n, (nnz,)), torch.randint(0, m, (nnz,))])
    if duplicates:  # repeat some entries so coalesce has something to sum
        idx = torch.cat([idx, idx[:, : nnz // 3]], 1)
    vals = torch.randn(idx.shape[1], dtype=torch.float64, requires_grad=True)
    dense = torch.randn(m, f, dtype=torch.float64, requires_grad=True)
    a = torch.sparse_coo_tensor(idx, vals, (n, m))
    c = a.coalesce()
    out = torch.sparse.mm(a, dense)
    g = torch.randn_like(out)
    (out * g).sum().backward()
    return {"name": name, "size": [n, m], "indices": t(idx), "values": t(vals), "dense": t(dense),
            "coalesced_indices": t(c.indices()), "coalesced_values": t(c.values()),
            "to_dense": t(a.to_dense()), "mm": t(out), "grad_output": t(g),
            "grad_values": t(vals.grad), "grad_dense": t(dense.grad)}


cases = [coo_case("small", 4, 5, 7, 3, False), coo_case("duplicates", 6, 4, 12, 2, True),
         coo_case("wide", 3, 9, 10, 5, True), coo_case("empty_rows", 8, 3, 4, 2, False)]

# GCN on a small graph: an undirected edge list (once per edge), one isolated node (5).
edges = torch.tensor([[0, 0, 1, 2, 3], [1, 2, 2, 3, 4]])
n = 6
A = torch.zeros(n, n, dtype=torch.float64)
A[edges[0], edges[1]] = 1
A[edges[1], edges[0]] = 1
A_loops = A + torch.eye(n, dtype=torch.float64)
d = A_loops.sum(1).pow(-0.5)
A_hat = d[:, None] * A_loops * d[None, :]
deg_no_loops = A.sum(1)
d0 = deg_no_loops.pow(-0.5)
d0[deg_no_loops == 0] = 0
A_hat_no_loops = d0[:, None] * A * d0[None, :]
x = torch.randn(n, 3, dtype=torch.float64)
W = torch.randn(4, 3, dtype=torch.float64)
b = torch.randn(4, dtype=torch.float64)
gcn = {"edges": t(edges), "num_nodes": n, "adjacency": t(A), "normalized": t(A_hat),
       "normalized_no_self_loops": t(A_hat_no_loops), "x": t(x), "weight": t(W), "bias": t(b),
       "out": t(A_hat @ (x @ W.T) + b)}

with open(os.path.join(here, "sparse.json"), "w") as f:
    json.dump({"coo": cases, "gcn": gcn}, f)
    f.write("\n")

g = nx.karate_club_graph()
with open(os.path.join(here, "karate_club.json"), "w") as f:
    json.dump({"num_nodes": g.number_of_nodes(),
               "edges": sorted([min(u, v), max(u, v)] for u, v in g.edges()),
               "club": [g.nodes[i]["club"] for i in range(g.number_of_nodes())],
               "networkx": nx.__version__}, f)
    f.write("\n")
print("wrote sparse.json and karate_club.json")
