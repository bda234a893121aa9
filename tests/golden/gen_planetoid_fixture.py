#!/usr/bin/python3
"""Writes tests/golden/planetoid/: a small fabricated Planetoid data set ("tiny") in the real format, the
graph PyTorch Geometric would build from it, and a few pickles for the io tests.

    /usr/bin/python3 tests/golden/gen_planetoid_fixture.py      # Debian's python3-numpy and python3-scipy

The real files (Cora, CiteSeer, PubMed: ind.<name>.{x,tx,allx,y,ty,ally,graph,test.index}) were pickled by
Python 2 with protocol 2. This script writes the same opcodes from Python 3: Python 2's str (the dict keys,
numpy's type codes and raw data) as (SHORT_)BINSTRING, GLOBAL names as Python 2 spelled them
('scipy.sparse.csr csr_matrix', '__builtin__ list'), a csr_matrix as NEWOBJ + BUILD with the attributes
scipy 0.x had, numpy.dtype with int arguments. Deterministic (fixed seed).

tiny: 30 nodes, 8 features, 3 classes. allx/ally hold nodes 0..17, x/y the first 6 (two per class), tx/ty
the test nodes in the order of test.index: 18..29 shuffled, without 22 and 25 (isolated nodes missing from
the test set, as in CiteSeer). The graph is symmetric with repeated entries and self loops (as the real
files have), node 22 lists only itself and node 25 nothing.

expected.json is computed from the files as PyG's read_planetoid_data computes it (its CiteSeer branch,
which for test ids without gaps is the same as its other branch), after loading them with pickle.load(...,
encoding='latin1') exactly as PyG does. One deviation: PyG's val_mask is range(len(y), len(y) + 500),
which indexes past a graph of 30 nodes; here (and in nabla) it stops at the last node.
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import warnings

import numpy as np
import scipy.sparse as sp

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "planetoid")
NAME = "tiny"
N_ALL, N_TRAIN, F, C = 18, 6, 8, 3
TEST = [18, 19, 20, 21, 23, 24, 26, 27, 28, 29]  # 22 and 25 are not test nodes


class Py2Pickler(pickle._Pickler):
    """Protocol 2 with Python 2's str: str and bytes both written as (SHORT_)BINSTRING."""

    dispatch = pickle._Pickler.dispatch.copy()

    def save_py2_str(self, obj):
        b = obj.encode("latin1") if isinstance(obj, str) else obj
        if len(b) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(b)]) + b)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(b)) + b)
        self.memoize(obj)

    dispatch[str] = save_py2_str
    dispatch[bytes] = save_py2_str

    def reducer_override(self, obj):
        if isinstance(obj, np.dtype):  # Python 2's numpy passed ints: dtype('i4', 0, 1)
            name, _align, _copy = obj.__reduce__()[1]
            return np.dtype, (name, 0, 1), obj.__reduce__()[2]
        return NotImplemented


def py2_dumps(obj):
    buf = io.BytesIO()
    Py2Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def py2_csr(dense):
    """A csr_matrix whose pickle has the attributes of Python 2's scipy (and its module name)."""
    m = sp.csr_matrix(dense.astype(np.float32))
    state = {"format": "csr", "_shape": m.shape, "indptr": m.indptr.astype(np.int32),
             "_cs_matrix__has_sorted_indices": True, "indices": m.indices.astype(np.int32),
             "maxprint": 50, "data": m.data.astype(np.float32)}
    m.__dict__.clear()
    m.__dict__.update(state)
    return m


def dumps_csr(m):
    cls = sp.csr_matrix
    saved = cls.__module__
    cls.__module__ = "scipy.sparse.csr"  # Python 2's scipy (the module still exists, deprecated)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return py2_dumps(m)
    finally:
        cls.__module__ = saved


def fabricate(rng):
    labels = np.concatenate([[0, 0, 1, 1, 2, 2], rng.randint(0, C, size=24)])
    feats = np.zeros((30, F), dtype=np.float32)
    for i, c in enumerate(labels):
        feats[i, 2 * c:2 * c + 2] = rng.rand(2) < 0.85       # the class's two words, mostly
        feats[i, 6:] = rng.rand(2) < 0.3                      # two words of no class
        feats[i] = np.where(rng.rand(F) < 0.08, 1 - feats[i], feats[i])  # and some noise
    feats[5] = 0  # a training node without words (row normalisation must not divide by zero)
    graph = collections.defaultdict(list)
    for i in range(30):
        if i in (22, 25):
            continue
        same = [j for j in range(30) if labels[j] == labels[i] and j != i and j not in (22, 25)]
        for j in rng.choice(same, size=2, replace=False):
            graph[i].append(int(j))
            graph[int(j)].append(i)
        if rng.rand() < 0.3:
            j = int(rng.choice([j for j in range(30) if j not in (i, 22, 25)]))
            graph[i].append(j)
            graph[j].append(i)
    graph[3].append(3)  # a self loop
    graph[7].append(graph[7][0])  # a repeated edge
    graph[22] = [22]  # isolated: only itself, like CiteSeer's
    graph[25] = []
    graph = collections.defaultdict(list, sorted(graph.items()))
    return labels, feats, graph


def write_tiny(rng):
    labels, feats, graph = fabricate(rng)
    onehot = np.eye(C, dtype=np.int32)[labels]
    order = rng.permutation(TEST).tolist()
    files = {
        "x": dumps_csr(py2_csr(feats[:N_TRAIN])),
        "y": py2_dumps(onehot[:N_TRAIN]),
        "allx": dumps_csr(py2_csr(feats[:N_ALL])),
        "ally": py2_dumps(onehot[:N_ALL]),
        "tx": dumps_csr(py2_csr(feats[order])),
        "ty": py2_dumps(onehot[order]),
        "graph": py2_dumps(graph),
        "test.index": "".join(f"{i}\n" for i in order).encode(),
    }
    for part, data in files.items():
        with open(os.path.join(OUT, f"ind.{NAME}.{part}"), "wb") as f:
            f.write(data)


def read_planetoid_like_pyg(folder, prefix):
    """torch_geometric.io.read_planetoid_data in numpy (CiteSeer's branch; val_mask clipped)."""
    def read(name):
        path = os.path.join(folder, f"ind.{prefix}.{name}")
        if name == "test.index":
            return np.loadtxt(path, dtype=np.int64).reshape(-1)
        with open(path, "rb") as f, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = pickle.load(f, encoding="latin1")
        if name == "graph":
            return out
        out = out.todense() if hasattr(out, "todense") else out
        return np.asarray(out, dtype=np.float32)

    x, tx, allx, y, ty, ally, graph, test_index = [
        read(n) for n in ["x", "tx", "allx", "y", "ty", "ally", "graph", "test.index"]]
    sorted_test = np.sort(test_index)
    span = int(test_index.max() - test_index.min()) + 1
    tx_ext = np.zeros((span, tx.shape[1]), dtype=tx.dtype)
    tx_ext[sorted_test - test_index.min(), :] = tx
    ty_ext = np.zeros((span, ty.shape[1]), dtype=ty.dtype)
    ty_ext[sorted_test - test_index.min(), :] = ty
    xs = np.concatenate([allx, tx_ext])
    xs[test_index] = xs[sorted_test].copy()
    ys = np.concatenate([ally, ty_ext]).argmax(axis=1)  # first maximum, as torch.max(dim=1)
    ys[test_index] = ys[sorted_test].copy()
    n = ys.shape[0]
    rows, cols = [], []
    for key, value in graph.items():
        rows += [key] * len(value)
        cols += value
    edges = sorted({(c, r) for r, c in zip(rows, cols) if r != c})  # coalesce(sort_by_row=False)
    edge_index = [[r for c, r in edges], [c for c, r in edges]]
    train = np.zeros(n, bool)
    train[:y.shape[0]] = True
    val = np.zeros(n, bool)
    val[y.shape[0]:min(y.shape[0] + 500, n)] = True
    test = np.zeros(n, bool)
    test[test_index] = True
    return {"num_nodes": n, "num_features": int(xs.shape[1]), "num_classes": int(ally.shape[1]),
            "x": xs.reshape(-1).tolist(), "y": ys.tolist(), "edge_index": edge_index,
            "train_mask": train.tolist(), "val_mask": val.tolist(), "test_mask": test.tolist()}


def write_io_cases():
    """One pickle per io case (tests/io/numpy_pickle_test.cpp) and what it should load as."""
    arrays = {
        "f8_fortran": np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3) / 4),
        "i2_big_endian": np.array([[1, -2], [300, -32768]], dtype=">i2"),
        "b1": np.array([True, False, True]),
        "u8": np.array([0, 2**40, 7], dtype=np.uint64),
        "f2": np.array([0.5, -1.25, 65504], dtype=np.float16),
        "u1_3d": np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
        "i8_empty": np.zeros((0, 3), dtype=np.int64),
    }
    expected = {}
    for name, a in arrays.items():
        with open(os.path.join(OUT, "io", name + ".pkl"), "wb") as f:
            f.write(py2_dumps(a))
        expected[name] = {"shape": list(a.shape), "data": a.astype(np.float64).reshape(-1).tolist()}
    # Python 3's own pickles (protocol 4: BINBYTES, STACK_GLOBAL, scipy.sparse._csr) of the same kinds.
    m = sp.csr_matrix(np.array([[0, 1.5, 0], [0, 0, 0], [2, 0, -1]], dtype=np.float64))
    with open(os.path.join(OUT, "io", "py3_csr.pkl"), "wb") as f:
        pickle.dump(m, f, protocol=4)
    with open(os.path.join(OUT, "io", "py3_dict_of_lists.pkl"), "wb") as f:
        pickle.dump({0: [1, 2], 5: [], 2: [0]}, f, protocol=4)
    expected["py3_csr"] = {"shape": [3, 3], "data": m.toarray().reshape(-1).tolist()}
    # Hostile or broken files.
    bad = {
        "os_system": b"\x80\x02cos\nsystem\nq\x00U\x0becho hackedq\x01\x85q\x02Rq\x03.",
        "csc_matrix": py2_dumps(0)[:2] + b"cscipy.sparse.csc\ncsc_matrix\nq\x00)\x81q\x01}q\x02b.",
        "object_array": py2_dumps(np.array([1, None], dtype=object)),
        # 5 int32s where the shape says 6
        "short_data": py2_dumps(np.arange(6, dtype=np.int32)).replace(
            b"U\x18" + np.arange(6, dtype=np.int32).tobytes(), b"U\x14" + np.arange(5, dtype=np.int32).tobytes()),
    }
    m = py2_csr(np.eye(3))
    m.__dict__["indices"] = np.array([0, 1, 3], dtype=np.int32)  # column 3 of a 3-column matrix
    bad["csr_bad_column"] = dumps_csr(m)
    for name, data in bad.items():
        with open(os.path.join(OUT, "io", name + ".pkl"), "wb") as f:
            f.write(data)
    return expected


def main():
    os.makedirs(os.path.join(OUT, "io"), exist_ok=True)
    rng = np.random.RandomState(13)
    write_tiny(rng)
    expected = {"tiny": read_planetoid_like_pyg(OUT, NAME), "io": write_io_cases()}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {expected['tiny']['num_nodes']} nodes, {len(expected['tiny']['edge_index'][0])} edges")


if __name__ == "__main__":
    sys.exit(main())
