#!/usr/bin/python3
"""Randomized differential cases against PyTorch (issue #17 item 10), in the ops.json case format.

    /usr/bin/python3 tests/golden/gen_sweep.py --seed N [--out FILE] [--per-op K] [--ops a,b]

Every case of the committed tests/golden/ops.json is a template (op, args, input shapes and dtypes); a
seed mutates templates into fresh cases: new random values with edge values (0, -0, +-inf, NaN, ties,
1e30, 1e-30, the op's kinks) at random positions, non-contiguous layouts (transposed, strided,
expanded = a stride-0 broadcast view), other dtypes (float32 inputs also float16/bfloat16), and for
elementwise ops and simple reductions random shapes (0-size and 1-size dims, broadcasting pairs).
PyTorch evaluates each mutant; a mutant PyTorch rejects is skipped (counted per op). Where PyTorch
1.13 has no CPU kernel for float16/bfloat16, the reference is the op in float32 on the same rounded
inputs, rounded once ("reference": "float32", as in gen_reduced_golden.py). The op list comes from include/nabla/ops/op_table.h and
the script fails when an op gets no case. tests/ops/sweep_test.cpp runs the committed
tests/golden/sweep/seed_*.json; tools/sweep generates and runs a fresh seed.
"""
import argparse
import collections
import json
import math
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import torch  # noqa: E402

import gen_golden as G  # noqa: E402  (FNS: the ops in PyTorch terms; importing it builds its cases)
from golden_io import f32_short, write_cases  # noqa: E402

# dtypes a mutant may take; float16 and bfloat16 only replace float32 inputs (REDUCED_FROM).
SWEEP_DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool"]
REDUCED = {torch.float16: "float16", torch.bfloat16: "bfloat16"}
REDUCED_NAMES = set(REDUCED.values())
REDUCED_FROM = "float32"
FLOATS = {"float32", "float64"} | REDUCED_NAMES
G.DTYPES.update(REDUCED)
G.DTYPE_FROM_NAME.update({v: k for k, v in REDUCED.items()})
TORCH_DTYPE = {name: t for t, name in G.DTYPES.items()}
_flat_values = G.flat_values


def flat_values(t):
    """gen_golden's encoding, and reduced values as the float32 decimals that round-trip (exact)."""
    if t.dtype in REDUCED:
        return [G.nonfinite_as_str(f32_short(v)) for v in t.detach().float().contiguous().reshape(-1).tolist()]
    return _flat_values(t)


G.flat_values = flat_values  # encode_plain and Input.encode go through it

PER_OP = 6  # mutants per op and seed (keeps the committed files small)
EDGES = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e30, -1e30, 1e-30, -1e-30]
HUGE = {1e30, -1e30}


def parse_table():
    """(name, diff, kernel kind) per row of the op table (Note [Op table rows])."""
    text = open(G.OP_TABLE).read()
    body = text[text.index("#define NABLA_FOREACH_OP"):text.index("namespace nabla")]
    rows = re.finditer(r"X\((\w+),\s*(-?\d+),\s*(true|false),\s*(?:true|false),\s*\w+,\s*(\w+)", body)
    return [(m.group(1), m.group(3) == "true", m.group(4)) for m in rows]


OPS = parse_table()
ELEMENTWISE = {name for name, _, kernel in OPS if kernel in ("U", "UF", "B", "BC")} | {
    "where", "lerp", "lerp_scalar", "addcmul", "addcdiv", "hardtanh", "elu", "silu", "nan_to_num", "isnan",
    "isinf", "isfinite", "to_dtype"}
REDUCTIONS = {"sum", "mean", "prod", "max", "min", "argmax", "argmin", "var", "std", "norm", "logsumexp",
              "softmax", "log_softmax", "cumsum", "cumprod", "all", "any", "amax", "amin", "sort", "argsort"}
# The golden test's accumulating ops (float32 tolerance 1e-4/1e-5; keep in sync with golden_tolerance.h).
ACCUMULATING = {"sum", "mean", "prod", "var", "std", "norm", "logsumexp", "softmax", "log_softmax", "cumsum",
                "cumprod", "einsum", "matmul", "mm", "bmm", "addmm", "dot", "outer", "linear", "conv1d", "conv2d",
                "conv_transpose2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm", "batch_norm_relu",
                "layer_norm", "group_norm", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div", "interpolate"}
# Bool masks: fresh random values of the template's shape, never another dtype.
MASKS = {("where", 0), ("masked_fill", 1), ("masked_select", 1), ("masked_scatter", 1)}
# Inputs that must stay sorted along the last dim (fresh values, sorted; no NaN).
SORTED = {("searchsorted", 0), ("bucketize", 1)}
# Non-differentiable points where PyTorch's gradient is a convention; injected as edge values.
KINKS = {
    "relu": lambda a: [0.0], "leaky_relu": lambda a: [0.0], "abs": lambda a: [0.0], "sign": lambda a: [0.0],
    "elu": lambda a: [0.0], "selu": lambda a: [0.0], "celu": lambda a: [0.0], "sqrt": lambda a: [0.0],
    "hardtanh": lambda a: [a.get("min_val", -1.0), a.get("max_val", 1.0)],
    "clamp": lambda a: [v for v in (a.get("min"), a.get("max")) if v is not None],
    "hardswish": lambda a: [-3.0, 3.0], "hardsigmoid": lambda a: [-3.0, 3.0],
    "floor": lambda a: [1.0, -2.0, 0.5], "ceil": lambda a: [1.0, -2.0, 0.5], "round": lambda a: [0.5, 1.5, -2.5],
    "softplus": lambda a: [a.get("threshold", 20) / a.get("beta", 1)],
    "max_pool2d": lambda a: [1.0], "l1_loss": lambda a: [0.0], "smooth_l1_loss": lambda a: [a.get("beta", 1.0)],
    "huber_loss": lambda a: [a.get("delta", 1.0)], "binary_cross_entropy": lambda a: [0.0, 1.0],
}


# ---- tensors with layouts -----------------------------------------------------------------------
def decode(j):
    """The logical tensor of a template's JSON input (layouts undone)."""
    vals = [float(v) if isinstance(v, str) else v for v in j["data"]]
    dt = TORCH_DTYPE[j["dtype"]]
    shape = list(j["shape"])
    layout = j.get("layout", "contiguous")
    if layout == "transposed":
        return torch.tensor(vals, dtype=dt).reshape(shape[:-2] + [shape[-1], shape[-2]]).transpose(-1, -2)
    if layout == "strided":
        return torch.tensor(vals, dtype=dt).reshape(shape[:-1] + [2 * shape[-1]])[..., ::2]
    if layout == "expanded":
        return torch.tensor(vals, dtype=dt).reshape(j["base_shape"]).expand(shape)
    return torch.tensor(vals, dtype=dt).reshape(shape)


class Input:
    """A logical tensor `t` stored with `layout`; `base_shape` for expanded (t is constant along the
    dims where base_shape is 1)."""

    def __init__(self, t, layout, base_shape=None):
        self.t, self.layout, self.base_shape = t.contiguous(), layout, base_shape
        if layout == "transposed":
            self.data = self.t.transpose(-1, -2).contiguous()
        elif layout == "strided":
            base = torch.empty(*t.shape[:-1], 2 * t.shape[-1], dtype=t.dtype)
            base[..., 0::2] = self.t
            base[..., 1::2] = True if t.dtype == torch.bool else 7
            self.data = base
        elif layout == "expanded":
            idx = tuple(slice(0, 1) if b == 1 and s != 1 else slice(None) for b, s in zip(base_shape, t.shape))
            self.data = self.t[idx].contiguous()
        else:
            self.data = self.t

    def build(self):
        """The tensor both sides compute on (a non-contiguous view for the non-contiguous layouts)."""
        d = self.data.clone()
        if self.layout == "transposed":
            return d.transpose(-1, -2)
        if self.layout == "strided":
            return d[..., 0::2]
        if self.layout == "expanded":
            return d.expand(self.t.shape)
        return d

    def encode(self):
        enc = {"dtype": G.DTYPES[self.t.dtype], "shape": list(self.t.shape), "data": G.flat_values(self.data),
               "layout": self.layout}
        if self.layout == "expanded":
            enc["base_shape"] = list(self.base_shape)
        return enc


def layouts_for(shape, rng, allow_expand=True):
    opts = ["contiguous", "contiguous"]
    if len(shape) >= 2:
        opts.append("transposed")
    if len(shape) >= 1:
        opts.append("strided")
    if allow_expand and any(s > 1 for s in shape):
        opts.append("expanded")
    return rng.choice(opts)


def with_layout(t, layout, rng):
    if layout != "expanded":
        return Input(t, layout)
    big = [d for d, s in enumerate(t.shape) if s > 1]
    dims = {d for d in big if rng.random() < 0.5} or {rng.choice(big)}
    base_shape = [1 if d in dims else s for d, s in enumerate(t.shape)]
    idx = tuple(slice(0, 1) if d in dims else slice(None) for d in range(t.dim()))
    return Input(t[idx].expand(t.shape), "expanded", base_shape)


# ---- values ---------------------------------------------------------------------------------------
def short(t, digits=3):
    """`t` rounded to 3 significant digits: short in the JSON files, still varied."""
    d = t.double()
    e = torch.floor(torch.log10(d.abs().clamp(min=1e-300)))
    scale = torch.pow(10.0, digits - 1 - e)
    return torch.where(d == 0, d, torch.round(d * scale) / scale).to(t.dtype)


def fresh_values(shape, dtype, template, rng, gen):
    """Random values of `dtype`: randn (scaled), the template's values reshuffled with jitter (keeps
    an op's domain, e.g. probabilities), or small integers (ties)."""
    n = math.prod(shape)
    if dtype == "bool":
        return torch.rand(shape, generator=gen) > 0.5
    if dtype not in FLOATS:
        lo, hi = (0, 11) if dtype == "uint8" else (-5, 6)
        return torch.randint(lo, hi, shape, generator=gen).to(TORCH_DTYPE[dtype])
    tdt = TORCH_DTYPE[dtype]
    if dtype in REDUCED_NAMES:  # drawn as float32, rounded once (torch has no reduced randn on CPU)
        return fresh_values(shape, "float32", template, rng, gen).to(tdt)
    pool = [v for v in template.reshape(-1).tolist() if math.isfinite(v)] if template is not None else []
    mode = rng.choices(["randn", "template", "ints"], [0.4, 0.45 if pool else 0, 0.15])[0]
    if mode == "template":
        vals = [rng.choice(pool) * (1 + 0.1 * rng.gauss(0, 1) * (rng.random() < 0.7)) for _ in range(n)]
        return short(torch.tensor(vals, dtype=tdt).reshape(shape))
    if mode == "ints":
        return torch.randint(-3, 4, shape, generator=gen).to(tdt)
    return short(torch.randn(shape, generator=gen, dtype=tdt) * rng.choice([1.0, 1.0, 3.0, 0.1]))


def inject_edges(t, op, args, rng, allow_huge, allow_nan=True):
    """Puts edge values at random positions of floating `t`; returns whether it did."""
    n = t.numel()
    if n == 0 or not t.is_floating_point() or rng.random() > 0.6:
        return False
    flat = t.reshape(-1).float() if t.dtype in REDUCED else t.reshape(-1).clone()  # 1e30 -> inf in float16
    kinks = KINKS[op](args) if op in KINKS else []
    pool = [e for e in EDGES if (allow_huge or e not in HUGE) and (allow_nan or not math.isnan(e))]
    for _ in range(rng.randint(1, max(1, n // 3))):
        k = rng.randrange(n)
        r = rng.random()
        if kinks and r < 0.35:
            flat[k] = rng.choice(kinks)
        elif r < 0.55 and n > 1:
            flat[k] = flat[rng.randrange(n)]  # a tie
        else:
            flat[k] = rng.choice(pool)
    t.copy_(flat.reshape(t.shape))
    return True


# ---- shapes ---------------------------------------------------------------------------------------
def random_shape(rng, max_numel=24):
    while True:
        shape = [rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5]) if rng.random() > 0.06 else 0
                 for _ in range(rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4]))]
        if 0 in shape and rng.random() < 0.6:  # 0-size dims: keep them rarer
            continue
        if math.prod(shape) <= max_numel:
            return shape


def broadcast_parts(out, k, rng):
    """k shapes that broadcast together to `out`: leading dims dropped, dims set to 1."""
    shapes = []
    for _ in range(k):
        s = list(out)
        if s and rng.random() < 0.3:
            s = s[rng.randint(1, len(s)):]
        s = [1 if rng.random() < 0.3 else d for d in s]
        shapes.append(s)
    return shapes


def reduction_args(args, rank, rng):
    """Template args with dims re-drawn for a new rank."""
    a = dict(args)
    r = max(rank, 1)
    for key in ("dims", "dim"):
        if key not in a:
            continue
        if isinstance(a[key], list):
            dims = rng.sample(range(r), rng.randint(1, r)) if rank > 0 else [0]
            a[key] = [d - r if rng.random() < 0.3 else d for d in dims]
        else:
            a[key] = rng.randrange(-r, r)
        if "keepdim" in a or rng.random() < 0.3:
            a["keepdim"] = rng.random() < 0.5
    return a


# ---- one mutant -------------------------------------------------------------------------------------
def input_role(op, k, j):
    """'value' (fresh values, any dtype), 'mask', 'sorted' or 'keep' (an index: values kept)."""
    if (op, k) in MASKS:
        return "mask"
    if (op, k) in SORTED:
        return "sorted"
    if j["dtype"] not in FLOATS and op not in ELEMENTWISE and op not in REDUCTIONS:
        return "keep"
    return "value"


def mutate(tpl, rng, gen):
    op, args = tpl["op"], dict(tpl["args"])
    tins = tpl["inputs"]
    tags = []
    shapes = [list(j["shape"]) if j is not None else None for j in tins]
    roles = [input_role(op, k, j) if j is not None else None for k, j in enumerate(tins)]
    if (op in ELEMENTWISE or op in REDUCTIONS) and tins and rng.random() < 0.5:
        out = random_shape(rng)
        live = [k for k, j in enumerate(tins) if j is not None]
        parts = broadcast_parts(out, len(live), rng) if op in ELEMENTWISE and len(live) > 1 else [out]
        for k, s in zip(live, parts):
            shapes[k] = s
        if op in REDUCTIONS:
            args = reduction_args(args, len(out), rng)
        tags.append("shape")
    dtypes = [j["dtype"] if j is not None else None for j in tins]
    r = rng.random()
    if r < 0.15:  # every float32 value input in one reduced dtype
        red = rng.choice(sorted(REDUCED_NAMES))
        for k, role in enumerate(roles):
            if role == "value" and dtypes[k] == REDUCED_FROM:
                dtypes[k] = red
        tags.append(red)
    elif r < 0.45:
        same = rng.choice(SWEEP_DTYPES)
        for k, role in enumerate(roles):
            if role == "value":
                pool = SWEEP_DTYPES + sorted(REDUCED_NAMES) if dtypes[k] == REDUCED_FROM else SWEEP_DTYPES
                dtypes[k] = same if rng.random() < 0.5 else rng.choice(pool)
        tags.append("dtype")
    allow_huge = op not in ACCUMULATING or all(d != "float64" for d in dtypes if d)
    ins, edged = [], False
    for k, j in enumerate(tins):
        if j is None:
            ins.append(None)
            continue
        template = decode(j)
        role = roles[k]
        if role == "keep":
            t = template.contiguous()
        elif role == "mask":
            t = torch.rand(shapes[k], generator=gen) > 0.5
        else:
            tf = template.double() if template.is_floating_point() else None
            t = fresh_values(shapes[k], dtypes[k], tf, rng, gen)
            edged |= inject_edges(t, op, args, rng, allow_huge, allow_nan=role != "sorted")
            if role == "sorted":
                t = t.sort(dim=-1).values if t.dim() > 0 else t
        layout = layouts_for(list(t.shape), rng, allow_expand=role in ("value", "mask"))
        ins.append(with_layout(t, layout, rng))
    # A tie across inputs (maximum/minimum, comparisons, l1 kinks at input == target).
    vals = [i for i in ins if i is not None and i.t.is_floating_point() and i.layout != "expanded"]
    if len(vals) >= 2 and vals[0].t.shape == vals[1].t.shape and vals[0].t.numel() and rng.random() < 0.3:
        a, b = vals[0], vals[1]
        mask = torch.rand(a.t.shape, generator=gen) < 0.5
        b.t = torch.where(mask, a.t.to(b.t.dtype), b.t)
        vals[1].__init__(b.t, b.layout, b.base_shape)
        edged = True
    tags += sorted({i.layout[0].upper() for i in ins if i is not None and i.layout != "contiguous"})
    if edged:
        tags.append("edge")
    return op, args, ins, tags, edged


# ---- evaluating with PyTorch ----------------------------------------------------------------------
def random_grad(o, round_to=None):
    """A grad_output for output `o`, its values representable in `round_to` when given."""
    if o.dtype in REDUCED:
        return short(torch.randn(o.shape)).to(o.dtype)
    g = short(torch.randn(o.shape, dtype=o.dtype))
    return g.to(round_to).to(o.dtype) if round_to is not None else g


def evaluate(op, args, xs, nograd, want_grad, gos=None, round_to=None):
    """Outputs, grad_outputs and input gradients (None where not differentiated)."""
    diff = [x is not None and x.is_floating_point() and k not in nograd and want_grad for k, x in enumerate(xs)]
    xs = [x.detach().requires_grad_() if d else x for x, d in zip(xs, diff)]
    outs = G.FNS[op](xs, args) if op in G.FNS else G.torch_default(op, xs, args)
    outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
    if not any(diff):
        return outs, None, None
    if gos is None:
        gos = [random_grad(o, round_to) if o.is_floating_point() and o.requires_grad else None for o in outs]
    pairs = [(o, g.to(o.dtype)) for o, g in zip(outs, gos) if g is not None and o.requires_grad]
    if not pairs:
        return outs, None, None
    torch.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
    grads = [x.grad if d else None for x, d in zip(xs, diff)]
    return outs, gos, grads


def only_reduced(xs):
    """The reduced dtype when every floating input is of that one reduced dtype, else None."""
    floats = {x.dtype for x in xs if x is not None and x.is_floating_point()}
    return next(iter(floats)) if len(floats) == 1 and next(iter(floats)) in REDUCED else None


def missing_kernel(e):
    return any(f"not implemented for '{n}'" in str(e) for n in ("Half", "BFloat16"))


def upcast(x):
    """x in float32, an expanded (stride-0) view staying a view: batch_norm's running stats are then
    updated in place as on the reduced tensor (one element), and the float64 check (on contiguous
    copies) skips the mutant as for float32."""
    idx = tuple(slice(0, 1) if st == 0 and n > 1 else slice(None) for st, n in zip(x.stride(), x.shape))
    return x[idx].float().expand(x.shape)


def evaluate_in_float32(op, args, xs, nograd, want_grad, red):
    """gen_reduced_golden.py's reference where PyTorch 1.13 has no kernel for reduced dtype `red`: the
    op in float32 on the same (rounded) inputs, outputs and gradients rounded once to `red` (what later
    PyTorch releases' reduced CPU kernels compute: they accumulate in float32)."""
    up = [upcast(x) if x is not None and x.dtype == red else x for x in xs]
    outs, gos, grads = evaluate(op, args, up, nograd, want_grad, round_to=red)
    outs = [o.detach().to(red) if o.dtype == torch.float32 else o for o in outs]
    if gos is not None:
        gos = [g.to(red) if g is not None else None for g in gos]
        grads = [g.to(red) if g is not None else None for g in grads]
    return outs, gos, grads


ULP = {torch.float16: 2.0 ** -10, torch.bfloat16: 2.0 ** -7}


def agrees_reduced(a, b, ulps):
    """Reduced result `a` is within `ulps` of float64 result `b` rounded to a's dtype (relative and
    absolute, as sweep_test.cpp compares), NaN with NaN, infinities of one sign."""
    a64, b64 = a.detach().double(), b.detach().to(a.dtype).double()
    tol = ulps * ULP[a.dtype]
    close = (a64 - b64).abs() <= tol + tol * b64.abs()
    same = (a64 == b64) | (a64.isnan() & b64.isnan())
    return bool((close | same).all())


def tolerance(op, grad, broadcast):
    if grad and not (op in ACCUMULATING or broadcast):
        return 2e-5, 2e-6
    return (1e-4, 1e-5) if op in ACCUMULATING or grad else (1e-5, 1e-6)


def agrees(a, b, rtol, atol, grad):
    """float32 result `a` matches float64 result `b` to half the test's tolerance (or both overflow)."""
    if a is None or b is None:
        return a is None and b is None
    if a.shape != b.shape:
        return False
    if not a.is_floating_point():
        return torch.equal(a, b.to(a.dtype))
    if a.dtype in REDUCED:  # half of sweep_test.cpp's 2 ulps (forward) or 4 (gradients)
        return agrees_reduced(a, b, 2 if grad else 1)
    a64, b64 = a.detach().double(), b.detach().double()
    close = (a64 - b64).abs() <= (atol + rtol * b64.abs()) / 2
    same = (a64 == b64.float().double()) | (a64.isnan() & b64.isnan())
    return bool((close | same).all())


# Ops whose results (and gradients) are sums of products of input elements with non-negative weights
# once their scalar args are made non-negative: the op on |inputs| in float64 is the size of the terms.
SUMS_OF_PRODUCTS = {"conv1d", "conv2d", "conv_transpose2d", "mm", "matmul", "bmm", "addmm", "linear", "dot",
                    "einsum", "sum", "mean", "cumsum", "avg_pool2d", "adaptive_avg_pool2d", "interpolate"}


def order_safe(a, b, mag, rtol, atol):
    """Float32 result `a` (float64 `b`) cannot depend on summation order: one rounding of the largest
    term, 2^-24 * mag, is within half the tolerance wherever b is finite. Otherwise float32 terms of
    1e30 cancelled (PyTorch's order gave 0.05, oneDNN's 1.5e23; both are right), and PyTorch's
    float64 answer agreed only because it cancelled the same way."""
    if a is None or a.dtype != torch.float32 or b is None or mag is None:
        return True
    b64, m = b.detach().double(), mag.detach().double()
    ok = ~b64.isfinite() | (2.0 ** -24 * m <= (atol + rtol * b64.abs()) / 2)
    return bool(ok.all())


def sums_are_order_safe(op, args, xs, nograd, want_grad, gos, outs, outs64, grads, grads64, broadcast):
    a = {k: abs(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for k, v in args.items()}
    ax = [x.abs() if x is not None and x.is_floating_point() else x for x in xs]
    mo, _, mg = evaluate(op, a, ax, nograd, want_grad,
                         [g.double().abs() if g is not None else None for g in gos] if gos else None)
    rt, at = tolerance(op, False, broadcast)
    if not all(order_safe(o, o64, m, rt, at) for o, o64, m in zip(outs, outs64, mo)):
        return False
    rt, at = tolerance(op, True, broadcast)
    return grads is None or all(order_safe(g, g64, m, rt, at) for g, g64, m in zip(grads, grads64, mg))


def well_conditioned(op, args, ins, nograd, want_grad, outs, gos, grads):
    """PyTorch's answer equals its answer on contiguous copies of the inputs, float32 ones widened to
    float64. Otherwise the float32 result depends on summation order or rounding inside PyTorch (no
    implementation can match it), or PyTorch mishandles the layout (1.13's eval batch_norm backward
    reads a stride-0 running_mean as dense), and the mutant is skipped. float16/bfloat16 inputs are
    widened too, and a reduced result (PyTorch's kernel or the float32 reference) must be within an
    ulp (2 for gradients) of the float64 result rounded to its dtype: PyTorch's reduced kernels that
    round intermediates (a bfloat16 sum accumulating in bfloat16) fail that and are skipped."""
    widen = {torch.float32} | set(REDUCED)
    xs = [i.build().double().contiguous() if i is not None and i.t.dtype in widen else
          (i.build().contiguous() if i is not None else None) for i in ins]
    try:
        outs64, _, grads64 = evaluate(op, args, xs, nograd, want_grad,
                                      [g.double() if g is not None else None for g in gos] if gos else None)
    except Exception:
        return False
    if len(outs64) != len(outs) or (grads is None) != (grads64 is None):
        return False
    broadcast = any(i is not None and list(i.t.shape) != list(outs[0].shape) for i in ins)
    rt, at = tolerance(op, False, broadcast)
    if not all(agrees(o, o64, rt, at, False) for o, o64 in zip(outs, outs64)):
        return False
    rt, at = tolerance(op, True, broadcast)
    if grads is not None and not all(agrees(g, g64, rt, at, True) for g, g64 in zip(grads, grads64)):
        return False
    try:
        return op not in SUMS_OF_PRODUCTS or sums_are_order_safe(op, args, xs, nograd, want_grad, gos, outs,
                                                                  outs64, grads, grads64, broadcast)
    except RuntimeError:
        return False


def make_case(tpl, rng, gen, seed, n):
    op, args, ins, tags, edged = mutate(tpl, rng, gen)
    tgrads = tpl.get("grads")
    floats_in_tpl = any(j is not None and j["dtype"] in FLOATS for j in tpl["inputs"])
    want_grad = G.DIFF[op] and (tgrads is not None or not floats_in_tpl)
    nograd = {k for k, j in enumerate(tpl["inputs"])
              if tgrads is not None and j is not None and j["dtype"] in FLOATS and tgrads[k] is None}
    xs = [i.build() if i is not None else None for i in ins]
    reference = "torch"
    try:
        outs, gos, grads = evaluate(op, args, xs, nograd, want_grad)  # raises: PyTorch rejects the mutant
    except RuntimeError as e:
        red = only_reduced(xs)
        if red is None or not missing_kernel(e):
            raise  # a mixed float16/float32 mutant without a kernel is skipped: its dtype rule is unknown
        outs, gos, grads = evaluate_in_float32(op, args, xs, nograd, want_grad, red)
        reference = "float32"
    if not well_conditioned(op, args, ins, nograd, want_grad, outs, gos, grads):
        return None
    base = tpl["name"].split("/", 1)[1]
    rec = {"op": op, "name": f"{op}/s{seed}.{n}:{base}:{'+'.join(tags) or 'values'}",
           "inputs": [i.encode() if i is not None else None for i in ins], "args": args,
           "outputs": [G.encode_plain(o.detach()) for o in outs], "grad_outputs": None, "grads": None}
    if any(i is not None and i.t.dtype in REDUCED for i in ins):
        rec["reference"] = reference
    if edged or tpl.get("gradcheck") is False:
        rec["gradcheck"] = False  # edge values sit at kinks and ties: PyTorch's gradient is a convention
    if grads is not None:
        rec["grad_outputs"] = [G.encode_plain(g) if g is not None else None for g in gos]
        rec["grads"] = [G.encode_plain(g) if g is not None else None for g in grads]
    return rec


def nonfinite(j):
    return j is not None and any(isinstance(v, str) for v in j["data"])


def lanes_have_ties(j, dim):
    t = decode(j)
    if t.dim() == 0 or t.numel() == 0:
        return False
    s = t.movedim(dim, -1).sort(dim=-1).values
    return bool((s[..., 1:] == s[..., :-1]).any())


def huge(j):
    return any(isinstance(v, float) and abs(v) > 1e18 for v in j["data"])


def var_count(j, a):
    """Elements per lane of var/std."""
    shape = j["shape"]
    dims = a.get("dims")
    return math.prod(shape) if dims is None or not shape else math.prod(shape[d] for d in dims)


CONVS = {"conv1d", "conv2d", "conv_transpose2d"}
FLOAT_ONLY = CONVS | {"max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "interpolate"}


# PyTorch's backward kernels whose vectorized loop takes the other branch than the scalar loop (elu:
# blendv on x > 0, scalar x <= 0; hardswish at 3: x >= 3 vs x <= 3): the gradient there depends on
# the element's position in a chunk of 2 x the vector width and on contiguity. nabla follows the
# scalar loop.
NAN_BRANCH_BACKWARD = {"elu", "selu", "celu", "hardswish", "hardtanh"}


def has_nan(j):
    return j is not None and "nan" in j["data"]


def vectorized_branch(op, j):
    return (op in NAN_BRANCH_BACKWARD and has_nan(j)) or (op == "hardswish" and 3.0 in j["data"])


def excluded(rec):
    """Mutants where nabla deliberately differs from PyTorch (docs/ARCHITECTURE.md, "Deviations from
    PyTorch found by the sweep"); the reason is counted in the summary."""
    op, ins, a = rec["op"], rec["inputs"], rec["args"]
    if op in FLOAT_ONLY and ins[0]["dtype"] not in FLOATS:
        return "excluded: integer conv/pool/interpolate"  # nabla: floating only (oneDNN)
    if op in ("softmax", "log_softmax", "dropout") and ins[0]["dtype"] not in FLOATS:
        return "excluded: integer softmax/dropout"  # PyTorch keeps the int dtype only when empty or p=1
    if op in CONVS and (a.get("padding", 0) or a.get("padding_same")) and (nonfinite(ins[0]) or nonfinite(ins[1])):
        return "excluded: non-finite conv with padding"  # zero padding times inf: NaN only in PyTorch
    if op in CONVS and ins[2] is not None and ins[2]["dtype"] != ins[0]["dtype"]:
        return "excluded: conv bias dtype"  # nabla raises a DTypeError; PyTorch casts the bias
    if op in ("batch_norm", "batch_norm_relu", "group_norm", "layer_norm") and any(nonfinite(j) or huge(j) for j in ins if j):
        # nabla's float32 statistics (oneDNN, composites) overflow at |x| > 1.8e19 and give +-inf where
        # PyTorch's double accumulation gives NaN or finite values.
        return "excluded: norm of non-finite or huge input"
    if op in ("var", "std") and rec["grads"] and var_count(ins[0], a) <= a.get("correction", 1):
        return "excluded: var/std without degrees of freedom"  # PyTorch's gradient is inf * 0 there
    if op == "binary_cross_entropy_with_logits" and ins[0]["dtype"] != ins[1]["dtype"]:
        return "excluded: mixed-dtype bce_with_logits"  # PyTorch's in-place steps keep the target's dtype
    if rec["grads"] and vectorized_branch(op, ins[0]):
        return "excluded: vectorized backward branch"
    if op == "unique" and has_nan(ins[0]):
        return "excluded: unique of NaN"  # PyTorch's std::sort with NaN leaves each NaN anywhere
    if op == "topk" and lanes_have_ties(ins[0], a.get("dim", -1)):
        return "excluded: topk ties"  # PyTorch leaves the order of tied elements unspecified
    return None


def generate(seed, per_op, only=None):
    rng = random.Random(seed)
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    templates = collections.defaultdict(list)
    for c in json.load(open(os.path.join(HERE, "ops.json")))["cases"]:
        templates[c["op"]].append(c)
    cases, stats = [], collections.defaultdict(collections.Counter)
    for op, _, _ in OPS:
        if only and op not in only:
            continue
        tpls, made, tries = templates.get(op, []), 0, 0
        while tpls and made < per_op and tries < 4 * per_op:
            tries += 1
            tpl = tpls[(tries - 1) % len(tpls)] if tries <= len(tpls) else rng.choice(tpls)
            try:
                rec = make_case(tpl, rng, gen, seed, tries)
            except Exception:
                stats[op]["torch raised"] += 1
                continue
            if rec is None:
                stats[op]["ill-conditioned"] += 1
                continue
            why = excluded(rec)
            if why:
                stats[op][why] += 1
                continue
            cases.append(rec)
            made += 1
        stats[op]["cases"] = made
    return cases, stats


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", default=None)
    p.add_argument("--per-op", type=int, default=PER_OP)
    p.add_argument("--ops", default=None, help="comma-separated ops only (a closer look at one finding)")
    a = p.parse_args()
    torch.set_num_threads(1)
    only = set(a.ops.split(",")) if a.ops else None
    cases, stats = generate(a.seed, a.per_op, only)
    skipped = {op: {k: v for k, v in s.items() if k != "cases"} for op, s in stats.items()}
    lines = [f"  {op}: " + ", ".join(f"{v} {k}" for k, v in sorted(s.items())) for op, s in skipped.items() if s]
    print(f"skipped mutants ({sum(sum(s.values()) for s in skipped.values())}):\n" + "\n".join(lines))
    missing = [op for op, _, _ in OPS if stats[op]["cases"] == 0 and (not only or op in only)]
    if missing:
        sys.exit(f"gen_sweep.py: ops without a sweep case: {missing}")
    out = a.out or os.path.join(HERE, "sweep", f"seed_{a.seed}.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    write_cases(out, "tests/golden/gen_sweep.py", torch.__version__, cases, "op")


if __name__ == "__main__":
    main()
