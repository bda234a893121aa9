#!/usr/bin/python3
"""Writes the .pt fixtures that tests/io/pt_golden_test.cpp reads, with torch.save (Debian's python3-torch 1.13):

    tests/golden/pt/<name>.pt     the files (small)
    tests/golden/pt/expected.json what each holds, and the numbers the tests compare nabla's results with

Files: a tensor; a small model's state_dict (BatchNorm's int64 num_batches_tracked included) with its
eval-mode output on a fixed input; tensors viewing one storage at offsets and with strides; every dtype
nabla reads (float16, bfloat16, int8, int16, bool, float64, ...); a nested dict/list/tuple of numbers,
strings and tensors; SGD-with-momentum and Adam state_dicts with the parameters, gradients and results
of one more step; a Parameter; the legacy (pre-1.6) format; and a pickled nn.Module, which nabla must
refuse. Encoding of expected.json: None -> null, bool, str as themselves; int -> {"int": n};
float -> {"float": x} ("nan"/"inf"/"-inf" as strings); tensor -> {"tensor": {dtype, shape, data (flat,
row-major, as float), requires_grad}}; list/tuple -> {"list"|"tuple": [...]};
dict -> {"dict": [[key, value], ...], "ordered": bool}. Deterministic (fixed seeds). Run:

    /usr/bin/python3 tests/golden/gen_pt_golden.py
"""
import collections
import copy
import json
import math
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "pt")


def num(x):
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def enc(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"int": v}
    if isinstance(v, float):
        return {"float": num(v)}
    if isinstance(v, torch.Tensor):
        flat = v.detach().reshape(-1).to(torch.float64).tolist()
        return {"tensor": {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                           "data": [num(x) for x in flat], "requires_grad": v.requires_grad}}
    if isinstance(v, (list, tuple)):  # torch.Size is a tuple
        return {"tuple" if isinstance(v, tuple) else "list": [enc(x) for x in v]}
    if isinstance(v, dict):
        return {"dict": [[k, enc(x)] for k, x in v.items()], "ordered": isinstance(v, collections.OrderedDict)}
    raise TypeError(type(v))


def model():
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    m.train()
    for _ in range(2):  # running statistics and num_batches_tracked = 2
        m(torch.randn(5, 4))
    return m.eval()


def optimizer_case(kind):
    torch.manual_seed(1)
    params = [torch.nn.Parameter(torch.randn(2, 3)), torch.nn.Parameter(torch.randn(3))]
    opt = (torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=0.01) if kind == "sgd"
           else torch.optim.Adam(params, lr=0.01, betas=(0.8, 0.95), weight_decay=0.001))
    for _ in range(2):
        for p in params:
            p.grad = torch.randn_like(p)
        opt.step()
    state = copy.deepcopy(opt.state_dict())  # state_dict() shares the live state tensors
    before = [p.detach().clone() for p in params]
    grads = [torch.randn_like(p) for p in params]
    for p, g in zip(params, grads):
        p.grad = g
    opt.step()  # what nabla's optimizer must do after loading `state`
    return state, {"params": enc(before), "grads": enc(grads), "after": enc([p.detach() for p in params])}


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}

    def save(name, obj, **kw):
        torch.save(obj, os.path.join(OUT, name + ".pt"), **kw)
        expected[name] = enc(obj)

    save("tensor", torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.25 - 0.5)

    m = model()
    save("state_dict", m.state_dict())
    x = torch.linspace(-2, 2, 8).reshape(2, 4)
    expected["state_dict_forward"] = {"input": enc(x), "output": enc(m(x).detach())}

    base = torch.arange(20, dtype=torch.float32)
    save("views", {"base": base, "a": base[2:8].view(2, 3), "b": base[5:15:2], "c": base.view(4, 5).t(),
                   "other": torch.ones(2)})

    save("dtypes", {
        "float16": torch.tensor([0.5, -1.5, 65504.0, 6e-08], dtype=torch.float16),
        "bfloat16": torch.tensor([1.0, -3.140625, 3.0e38], dtype=torch.bfloat16),
        "float64": torch.tensor([1e-300, -2.5, float("inf")], dtype=torch.float64),
        "float32": torch.tensor([[1.5, float("nan")]], dtype=torch.float32),
        "int64": torch.tensor([-(2 ** 62), 0, 2 ** 62], dtype=torch.int64),
        "int32": torch.tensor([-2147483648, 7], dtype=torch.int32),
        "int16": torch.tensor([-32768, 32767, 5], dtype=torch.int16),
        "int8": torch.tensor([-128, -1, 0, 127], dtype=torch.int8),
        "uint8": torch.tensor([0, 200, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 3),
    })

    save("nested", {
        "epoch": 3, "lr": 0.01, "name": "run-1 \u2713", "flags": [True, False, None], "shape": torch.Size([2, 3]),
        "pair": (1, -2.5), "big": 2 ** 40, "neg": -5, "nan": float("nan"),
        "tensors": [torch.ones(2), torch.zeros(1, dtype=torch.int64)],
        "deep": {"x": {"y": torch.full((2,), 7.0)}}, 1: "an int key", "empty": {}, "long_tuple": (1, 2, 3, 4, 5),
    })

    for kind in ("sgd", "adam"):
        state, step = optimizer_case(kind)
        save(kind, state)
        expected[kind + "_step"] = step

    torch.manual_seed(2)
    save("parameter", torch.nn.Parameter(torch.randn(2, 2)))

    w = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    save("legacy", {"w": w, "row": w[1], "n": 3, "int8": torch.tensor([-3, 4], dtype=torch.int8)},
         _use_new_zipfile_serialization=False)

    torch.save(torch.nn.Linear(2, 2), os.path.join(OUT, "module.pt"))  # a pickled module: refused

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=False, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
