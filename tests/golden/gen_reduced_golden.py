#!/usr/bin/python3
"""Generates tests/golden/reduced.json: float16 and bfloat16 against PyTorch. Run with Debian's
python3-torch:

    /usr/bin/python3 tests/golden/gen_reduced_golden.py

Three parts:
  conversions  float32 values (ties, subnormals, overflow, NaN, -0) and the bits PyTorch rounds them to;
  promotion    torch.result_type for every pair of dtypes, dimensioned and 0-d, and with Python scalars;
  cases        one case per op of the op table, in ops.json's format (gen_golden.py's first case of the op
               whose floating inputs are all float32), with those inputs rounded to float16 or bfloat16.
The reference is PyTorch's own kernel for that dtype when it has one ("reference": "torch"). PyTorch 1.13
lacks most float16 CPU kernels (exp, softmax, matmul, conv...); there the reference is the op computed
in float32 on the same rounded inputs, outputs and gradients rounded once ("reference": "float32"), which
is what later PyTorch releases' float16 CPU kernels compute (they accumulate in float32).
"""
import os
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_golden as G  # noqa: E402  (builds its cases on import; nothing is written)
import gen_sweep as S  # noqa: E402  (tensor layouts and the reduced dtypes' encoding)
from golden_io import f32_short, write_cases  # noqa: E402

warnings.filterwarnings("ignore")
OUT = os.path.join(G.ROOT, "tests", "golden", "reduced.json")
REDUCED = S.REDUCED
ALL = {**G.DTYPES, **REDUCED}
FROM_NAME = {v: k for k, v in ALL.items()}


def encode(t):
    """A plain tensor in ops.json's encoding (gen_sweep's: reduced values as exact float32 decimals)."""
    return G.encode_plain(t.detach())


def decode(j):
    """The logical input tensor of an ops.json input (its layout undone) and that layout."""
    if j is None:
        return None, None
    return S.decode(j).contiguous(), j.get("layout", "contiguous")


def layout_encode(t, layout):
    return S.Input(t, layout).encode()


def build(t, layout):
    return S.Input(t, layout).build()


def run_op(op, xs, args):
    outs = G.FNS[op](xs, args) if op in G.FNS else G.torch_default(op, xs, args)
    return list(outs) if isinstance(outs, (tuple, list)) else [outs]


def evaluate(c, dt, compute):
    """Outputs and gradients of case c with its float32 inputs rounded to dt, computed in `compute`
    (dt itself or float32), rounded to dt."""
    ins = [decode(j) for j in c["inputs"]]
    want_grad = c["grads"] is not None
    xs, leaves = [], []
    for k, (t, layout) in enumerate(ins):
        if t is None:
            xs.append(None)
            continue
        if t.dtype == torch.float32:
            t = t.to(dt).to(compute)
        x = build(t, layout)
        if want_grad and c["grads"][k] is not None:
            x = x.detach().requires_grad_()
            leaves.append(k)
        xs.append(x)
    torch.manual_seed(len(c["name"]))
    outs = run_op(c["op"], xs, c["args"])
    rounded = [o.detach().to(dt) if o.is_floating_point() else o.detach() for o in outs]
    rec_outs = [encode(o) for o in rounded]
    grads, gos = None, None
    if want_grad and leaves:
        gos = [torch.randn(o.shape).to(dt) if o.is_floating_point() and o.requires_grad else None for o in outs]
        pairs = [(o, g.to(o.dtype)) for o, g in zip(outs, gos) if g is not None]
        if pairs:
            torch.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
            grads = [encode(xs[k].grad.to(dt)) if k in leaves and xs[k].grad is not None else None
                     for k in range(len(xs))]
            gos = [encode(g) if g is not None else None for g in gos]
        else:
            gos = None
    inputs = [None if t is None else layout_encode(t.to(dt) if t.dtype == torch.float32 else t, layout)
              for t, layout in ins]
    return {"op": c["op"], "name": f'{c["name"]}/{REDUCED[dt]}', "inputs": inputs, "args": c["args"],
            "outputs": rec_outs, "grad_outputs": gos, "grads": grads}


def eligible(c):
    if "dtype" in c["args"]:
        return False  # explicit output dtypes (sum(dtype=...), to_dtype) are not about reduced inputs
    floats = [j["dtype"] for j in c["inputs"] if j is not None and j["dtype"].startswith("float")]
    return bool(floats) and all(d == "float32" for d in floats)


def op_cases():
    cases, fallback, skipped = [], {}, []
    for op, _, _ in G.OPS:
        candidates = [c for c in G.CASES if c["op"] == op and eligible(c)]
        candidates.sort(key=lambda c: c["grads"] is None)  # prefer a case with gradients
        if not candidates:
            skipped.append(op)
            continue
        c = candidates[0]
        for dt in REDUCED:
            try:
                rec = evaluate(c, dt, dt)
                rec["reference"] = "torch"
            except RuntimeError:
                rec = evaluate(c, dt, torch.float32)
                rec["reference"] = "float32"
                fallback.setdefault(REDUCED[dt], []).append(op)
            cases.append(rec)
    print("ops without a float32-only case (no reduced case):", skipped)
    for name, ops in fallback.items():
        print(f"{name}: {len(ops)} ops referenced through float32 (PyTorch {torch.__version__} has no kernel)")
    return cases


def creation_and_conversion_cases():
    """arange/linspace/eye in a reduced dtype, and to_dtype into, out of and between them."""
    cases = []
    for dt, name in REDUCED.items():
        for op, args in [("arange", {"start": 0, "end": 2, "step": 0.3}), ("arange", {"end": 300}),
                         ("linspace", {"start": -1.0, "end": 1.0, "steps": 7}), ("eye", {"n": 3, "m": 4})]:
            a = {**args, "dtype": name}
            try:
                outs = run_op(op, [], a)
            except RuntimeError:  # PyTorch 1.13 has no bfloat16 eye: the float32 values, rounded
                outs = [o.to(dt) for o in run_op(op, [], args)]
            cases.append({"op": op, "name": f"{op}/{len(cases)}/{name}", "inputs": [], "args": a,
                          "outputs": [encode(o) for o in outs], "grad_outputs": None, "grads": None})
        g = torch.Generator().manual_seed(3)
        for src, dst in [(torch.float32, dt), (dt, torch.float32), (dt, torch.int64), (torch.float64, dt),
                         (dt, torch.float16 if dt == torch.bfloat16 else torch.bfloat16)]:
            x = (torch.randn(2, 3, generator=g) * 300).to(src).detach().requires_grad_()
            y = x.to(dst)
            rec = {"op": "to_dtype", "name": f"to_dtype/{ALL[src]}_to_{ALL[dst]}", "inputs": [encode(x)],
                   "args": {"dtype": ALL[dst]}, "outputs": [encode(y)], "grad_outputs": None, "grads": None}
            if y.is_floating_point():
                go = torch.randn(2, 3, generator=g).to(dst)
                y.backward(go)
                rec["grad_outputs"], rec["grads"] = [encode(go)], [encode(x.grad)]
            cases.append(rec)
    return cases


def conversions():
    f = [0.0, -0.0, 1.0, -1.0, 0.1, 1 / 3, 65504.0, 65519.0, 65520.0, 65536.0, 1e5, -1e5, 6.1e-5, 6.0e-8,
         5.96e-8, 2.98e-8, 2.99e-8, 1e-8, 3e38, 1e-38, 1e-40, 1.00048828125, 1.0009765625, 1.00146484375,
         1.00390625, 1.005859375, 1.0078125, 1.01171875, 2049.0, 2051.0, 255.5, 256.5, 3.14159265,
         float("inf"), float("-inf"), float("nan")]
    g = torch.Generator().manual_seed(7)
    f += (torch.randn(40, generator=g) * 10 ** torch.randint(-9, 9, (40,), generator=g).double()).tolist()
    x = torch.tensor(f, dtype=torch.float32)
    bits = {name: (x.to(dt).view(torch.int16).to(torch.int64) & 0xFFFF).tolist() for dt, name in REDUCED.items()}
    values = [G.nonfinite_as_str(f32_short(v)) for v in x.tolist()]
    return {"float32": values, **bits}


def promotion():
    names = list(ALL.values())
    out = []
    for a in names:
        for b in names:
            ta, tb = torch.ones(2, dtype=FROM_NAME[a]), torch.ones(2, dtype=FROM_NAME[b])
            zb = torch.ones((), dtype=FROM_NAME[b])
            out.append({"a": a, "b": b, "dim_dim": ALL[torch.result_type(ta, tb)],
                        "dim_zerodim": ALL[torch.result_type(ta, zb)]})
        ta = torch.ones(2, dtype=FROM_NAME[a])
        out.append({"a": a, "float_scalar": ALL[torch.result_type(ta, 2.5)],
                    "int_scalar": ALL[torch.result_type(ta, 2)]})
    return out


def main():
    cases = op_cases() + creation_and_conversion_cases()
    write_cases(OUT, "tests/golden/gen_reduced_golden.py", torch.__version__, cases, "op")
    # The two tables ride in the same file, after the cases.
    import json
    with open(OUT) as f:
        doc = json.load(f)
    doc["conversions"] = conversions()
    doc["promotion"] = promotion()
    with open(OUT, "w") as f:
        f.write('{"generator": %s, "torch_version": %s,\n' % (json.dumps(doc["generator"]),
                                                              json.dumps(doc["torch_version"])))
        f.write('"conversions": %s,\n' % json.dumps(doc["conversions"], separators=(",", ":")))
        f.write('"promotion": [\n%s],\n' % ",\n".join(json.dumps(p, separators=(",", ":")) for p in doc["promotion"]))
        f.write('"cases": [\n%s\n]}\n' % ",\n".join(json.dumps(c, separators=(",", ":")) for c in doc["cases"]))


if __name__ == "__main__":
    main()
