#!/usr/bin/python3
"""Generates tests/golden/ops.json: forward outputs and input gradients of every op of nabla's op table,
computed by PyTorch (the oracle). Run with Debian's python3-torch:

    /usr/bin/python3 tests/golden/gen_golden.py

The op list is parsed from include/nabla/ops/op_table.h, and the script fails when an op has no case.
The argument vocabulary (`args`) of each op must match the C++ invokers in tests/support/op_registry.cpp
(for generated rows: the parameter names of the op table row). Ops without an FNS entry call torch.<op>.
See tests/golden/README.md for the file format.
"""
import json
import math
import os
import re
import struct
import sys
import warnings
import zlib

import torch
import torch.nn.functional as F

from golden_io import f32_short, write_cases

warnings.filterwarnings("ignore", category=UserWarning)  # kl_div "mean", padding="same" notes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OP_TABLE = os.path.join(ROOT, "include", "nabla", "ops", "op_table.h")
OUT = os.path.join(ROOT, "tests", "golden", "ops.json")

DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.int32: "int32",
          torch.uint8: "uint8", torch.bool: "bool"}
DTYPE_FROM_NAME = {v: k for k, v in DTYPES.items()}


def parse_op_table():
    text = open(OP_TABLE).read()
    body = text[text.index("#define NABLA_FOREACH_OP"):text.index("namespace nabla")]
    # Rows are X(name, arity, diff, dbl, forms, kernel, params...) (Note [Op table rows]).
    return [(m.group(1), int(m.group(2)), m.group(3) == "true")
            for m in re.finditer(r"X\((\w+),\s*(-?\d+),\s*(true|false),", body)]


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------
def nonfinite_as_str(v):
    """JSON has no NaN or infinity: they are written "nan", "inf", "-inf" (golden_cases.h reads them)."""
    return v if math.isfinite(v) else str(v)


def flat_values(t):
    t = t.detach().contiguous().reshape(-1)
    if t.dtype == torch.float32:
        return [nonfinite_as_str(f32_short(v)) for v in t.tolist()]
    if t.dtype == torch.float64:
        return [nonfinite_as_str(float(v)) for v in t.tolist()]
    if t.dtype == torch.bool:
        return [bool(v) for v in t.tolist()]
    return [int(v) for v in t.tolist()]


def randn(*shape, dtype=torch.float32):
    return torch.randn(shape, dtype=dtype)


def pos(*shape, dtype=torch.float32, lo=0.5, hi=2.0):
    return (torch.rand(shape, dtype=dtype) * (hi - lo) + lo)


def away(*shape, dtype=torch.float32, gap=0.1):
    """Random values at least `gap` away from 0 (for abs, relu, sign, division)."""
    x = torch.randn(shape, dtype=dtype)
    return torch.where(x >= 0, x + gap, x - gap)


def distinct(*shape, dtype=torch.float32, scale=0.37):
    """Values with no ties (gaps >= ~0.3): for max/min/sort/topk/minimum/maximum."""
    n = 1
    for s in shape:
        n *= s
    v = (torch.randperm(n).to(dtype) - n / 2) * scale + torch.rand(n, dtype=dtype) * 0.05
    return v.reshape(shape)


def frac(*shape, dtype=torch.float32):
    """Random values at least 0.05 away from integers and half-integers (floor/ceil/round)."""
    x = torch.randn(shape, dtype=dtype) * 2
    r = x - torch.floor(x * 2) / 2
    return torch.where(r < 0.05, x + 0.1, torch.where(r > 0.45, x - 0.1, x))


def avoid(x, points, gap=0.05):
    """Moves values within `gap` of any of `points` (non-differentiable points) 2*gap away."""
    for p in points:
        x = torch.where((x - p).abs() < gap, torch.where(x < p, x - 2 * gap, x + 2 * gap), x)
    return x


def randint(lo, hi, *shape, dtype=torch.int64):
    return torch.randint(lo, hi, shape, dtype=dtype)


def small_ints_as_float(*shape, dtype=torch.float32):
    """Integer-valued floats in [-2, 2]: produce ties for comparison ops."""
    return torch.randint(-2, 3, shape).to(dtype)


def boolean(*shape):
    return torch.rand(shape) > 0.5


# ---------------------------------------------------------------------------------------------
# Inputs with layouts
# ---------------------------------------------------------------------------------------------
class In:
    """An input tensor with its memory layout: contiguous, transposed (last two dims swapped in memory)
    or strided (every other element of a contiguous tensor whose last dim is doubled)."""

    def __init__(self, t, layout="contiguous"):
        self.t, self.layout = t, layout
        if layout == "transposed":
            assert t.dim() >= 2 and t.shape[-1] > 1 and t.shape[-2] > 1, "transposed needs 2 dims > 1"
            self.data = t.transpose(-1, -2).contiguous()
        elif layout == "strided":
            assert t.dim() >= 1
            base = torch.empty(*t.shape[:-1], 2 * t.shape[-1], dtype=t.dtype)
            base[..., 0::2] = t
            base[..., 1::2] = torch.full_like(t, 7) if t.dtype != torch.bool else True
            self.data = base
        else:
            assert layout == "contiguous"
            self.data = t.contiguous()

    def build(self):
        """The tensor the C++ test builds from `data` (non-contiguous for transposed/strided)."""
        d = self.data.clone()
        if self.layout == "transposed":
            x = d.transpose(-1, -2)
        elif self.layout == "strided":
            x = d[..., 0::2]
        else:
            x = d
        same = torch.equal(x, self.t) or bool(((x == self.t) | ((x != x) & (self.t != self.t))).all())  # NaN inputs
        assert x.shape == self.t.shape and same
        assert (self.layout == "contiguous") == x.is_contiguous(), "layout must match contiguity"
        return x

    def encode(self):
        return {"dtype": DTYPES[self.t.dtype], "shape": list(self.t.shape), "data": flat_values(self.data),
                "layout": self.layout}


def T(t):
    return In(t, "transposed")


def S(t):
    return In(t, "strided")


def encode_plain(t):
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": flat_values(t), "layout": "contiguous"}


# ---------------------------------------------------------------------------------------------
# The ops in PyTorch terms, with nabla's argument vocabulary
# ---------------------------------------------------------------------------------------------
def opt_dtype(a):
    return DTYPE_FROM_NAME[a["dtype"]] if "dtype" in a else None


def parse_index(spec, tensors):
    """'0, 1:3, None, ..., ::2, t1' -> a Python index tuple; tN is input N (a tensor index)."""
    out = []
    for e in (p.strip() for p in spec.split(",")):
        if e == "None":
            out.append(None)
        elif e == "...":
            out.append(Ellipsis)
        elif e.startswith("t"):
            out.append(tensors[int(e[1:])])
        elif ":" in e:
            parts = [int(p) if p else None for p in e.split(":")]
            out.append(slice(*parts))
        else:
            out.append(int(e))
    return tuple(out)


def slice_op(x, a):
    dim = a["dim"] % x.dim()
    idx = (slice(None),) * dim + (slice(a.get("start"), a.get("end"), a.get("step", 1)),)
    return x[idx]


def reduce_or_full(fn_full, fn_dim):
    return lambda x, a: fn_dim(x[0], a) if "dim" in a else fn_full(x[0])


def conv_args(a):
    return dict(stride=a.get("stride", 1), padding="same" if a.get("padding_same") else a.get("padding", 0),
                dilation=a.get("dilation", 1), groups=a.get("groups", 1))


def batch_norm(x, a):
    """Outputs: the result, then the running mean and variance (updated in place in training mode)."""
    y = F.batch_norm(x[0], x[1], x[2], x[3], x[4], a.get("training", False), a.get("momentum", 0.1),
                     a.get("eps", 1e-5))
    return [y] + [t.clone() for t in (x[1], x[2]) if t is not None]


def batch_norm_relu(x, a):
    """nabla's fused relu(batch_norm(...)): the same outputs as batch_norm, through relu."""
    out = batch_norm(x, a)
    return [F.relu(out[0])] + out[1:]


FNS = {
    "add": lambda x, a: torch.add(x[0], x[1], alpha=a.get("alpha", 1)),
    "sub": lambda x, a: torch.sub(x[0], x[1], alpha=a.get("alpha", 1)),
    "mul": lambda x, a: torch.mul(x[0], x[1]),
    "div": lambda x, a: torch.div(x[0], x[1]),
    "pow": lambda x, a: torch.pow(x[0], x[1]),
    "pow_scalar": lambda x, a: torch.pow(x[0], a["exponent"]),
    "minimum": lambda x, a: torch.minimum(x[0], x[1]),
    "maximum": lambda x, a: torch.maximum(x[0], x[1]),
    "where": lambda x, a: torch.where(x[0], x[1], x[2]),
    "eq": lambda x, a: torch.eq(x[0], x[1]),
    "ne": lambda x, a: torch.ne(x[0], x[1]),
    "lt": lambda x, a: torch.lt(x[0], x[1]),
    "le": lambda x, a: torch.le(x[0], x[1]),
    "gt": lambda x, a: torch.gt(x[0], x[1]),
    "ge": lambda x, a: torch.ge(x[0], x[1]),
    "logical_and": lambda x, a: torch.logical_and(x[0], x[1]),
    "logical_or": lambda x, a: torch.logical_or(x[0], x[1]),
    "logical_xor": lambda x, a: torch.logical_xor(x[0], x[1]),
    "neg": lambda x, a: torch.neg(x[0]),
    "exp": lambda x, a: torch.exp(x[0]),
    "log": lambda x, a: torch.log(x[0]),
    "log1p": lambda x, a: torch.log1p(x[0]),
    "sqrt": lambda x, a: torch.sqrt(x[0]),
    "rsqrt": lambda x, a: torch.rsqrt(x[0]),
    "abs": lambda x, a: torch.abs(x[0]),
    "sign": lambda x, a: torch.sign(x[0]),
    "sin": lambda x, a: torch.sin(x[0]),
    "cos": lambda x, a: torch.cos(x[0]),
    "tanh": lambda x, a: torch.tanh(x[0]),
    "sigmoid": lambda x, a: torch.sigmoid(x[0]),
    "relu": lambda x, a: torch.relu(x[0]),
    "leaky_relu": lambda x, a: F.leaky_relu(x[0], a.get("negative_slope", 0.01)),
    "gelu": lambda x, a: F.gelu(x[0], approximate=a.get("approximate", "none")),
    "softplus": lambda x, a: F.softplus(x[0], beta=a.get("beta", 1), threshold=a.get("threshold", 20)),
    "clamp": lambda x, a: torch.clamp(x[0], min=a.get("min"), max=a.get("max")),
    "floor": lambda x, a: torch.floor(x[0]),
    "ceil": lambda x, a: torch.ceil(x[0]),
    "round": lambda x, a: torch.round(x[0]),
    "logical_not": lambda x, a: torch.logical_not(x[0]),
    "to_dtype": lambda x, a: x[0].to(DTYPE_FROM_NAME[a["dtype"]]),
    "erf": lambda x, a: torch.erf(x[0]),
    "sum": lambda x, a: (torch.sum(x[0], a["dims"], keepdim=a.get("keepdim", False), dtype=opt_dtype(a))
                         if "dims" in a else torch.sum(x[0], dtype=opt_dtype(a))),
    "mean": lambda x, a: (torch.mean(x[0], a["dims"], keepdim=a.get("keepdim", False))
                          if "dims" in a else torch.mean(x[0])),
    "prod": reduce_or_full(torch.prod, lambda x, a: torch.prod(x, a["dim"], keepdim=a.get("keepdim", False))),
    "max": lambda x, a: (tuple(torch.max(x[0], a["dim"], keepdim=a.get("keepdim", False)))
                         if "dim" in a else torch.max(x[0])),
    "min": lambda x, a: (tuple(torch.min(x[0], a["dim"], keepdim=a.get("keepdim", False)))
                         if "dim" in a else torch.min(x[0])),
    "argmax": lambda x, a: torch.argmax(x[0], dim=a.get("dim"), keepdim=a.get("keepdim", False)),
    "argmin": lambda x, a: torch.argmin(x[0], dim=a.get("dim"), keepdim=a.get("keepdim", False)),
    "var": lambda x, a: torch.var(x[0], dim=a.get("dims"), correction=a.get("correction", 1),
                                  keepdim=a.get("keepdim", False)),
    "std": lambda x, a: torch.std(x[0], dim=a.get("dims"), correction=a.get("correction", 1),
                                  keepdim=a.get("keepdim", False)),
    "norm": lambda x, a: torch.linalg.vector_norm(x[0], ord=a.get("p", 2), dim=a.get("dims"),
                                                  keepdim=a.get("keepdim", False)),
    "logsumexp": lambda x, a: torch.logsumexp(x[0], a["dims"], keepdim=a.get("keepdim", False)),
    "softmax": lambda x, a: torch.softmax(x[0], a["dim"]),
    "log_softmax": lambda x, a: torch.log_softmax(x[0], a["dim"]),
    "cumsum": lambda x, a: torch.cumsum(x[0], a["dim"]),
    "all": lambda x, a: (torch.all(x[0], a["dim"], keepdim=a.get("keepdim", False))
                         if "dim" in a else torch.all(x[0])),
    "any": lambda x, a: (torch.any(x[0], a["dim"], keepdim=a.get("keepdim", False))
                         if "dim" in a else torch.any(x[0])),
    "topk": lambda x, a: tuple(torch.topk(x[0], a["k"], dim=a.get("dim", -1), largest=a.get("largest", True),
                                          sorted=a.get("sorted", True))),
    "sort": lambda x, a: tuple(torch.sort(x[0], dim=a.get("dim", -1), descending=a.get("descending", False))),
    "view": lambda x, a: x[0].view(a["shape"]),
    "reshape": lambda x, a: x[0].reshape(a["shape"]),
    "flatten": lambda x, a: x[0].flatten(a.get("start_dim", 0), a.get("end_dim", -1)),
    "unflatten": lambda x, a: x[0].unflatten(a["dim"], a["sizes"]),
    "transpose": lambda x, a: x[0].transpose(a["dim0"], a["dim1"]),
    "permute": lambda x, a: x[0].permute(a["dims"]),
    "squeeze": lambda x, a: x[0].squeeze(a["dim"]) if "dim" in a else x[0].squeeze(),
    "unsqueeze": lambda x, a: x[0].unsqueeze(a["dim"]),
    "expand": lambda x, a: x[0].expand(a["sizes"]),
    "narrow": lambda x, a: x[0].narrow(a["dim"], a["start"], a["length"]),
    "select": lambda x, a: x[0].select(a["dim"], a["index"]),
    "slice": lambda x, a: slice_op(x[0], a),
    "cat": lambda x, a: torch.cat(x, a.get("dim", 0)),
    "stack": lambda x, a: torch.stack(x, a.get("dim", 0)),
    "split": lambda x, a: tuple(torch.split(x[0], a["split_size"], a.get("dim", 0))),
    "chunk": lambda x, a: tuple(torch.chunk(x[0], a["chunks"], a.get("dim", 0))),
    "clone": lambda x, a: x[0].clone(),
    "contiguous": lambda x, a: x[0].contiguous(),
    "index_select": lambda x, a: torch.index_select(x[0], a["dim"], x[1]),
    "gather": lambda x, a: torch.gather(x[0], a["dim"], x[1]),
    "scatter": lambda x, a: torch.scatter(x[0], a["dim"], x[1], x[2]),
    "scatter_add": lambda x, a: torch.scatter_add(x[0], a["dim"], x[1], x[2]),
    "masked_fill": lambda x, a: x[0].masked_fill(x[1], a["value"]),
    # .contiguous(): PyTorch 1.13's masked_select backward scatters the gradient in the *memory* order of
    # a non-contiguous input while the forward reads logical order (torch's own gradcheck fails on a
    # transposed input). Same values, correct gradient.
    "masked_select": lambda x, a: torch.masked_select(x[0].contiguous(), x[1]),
    "index": lambda x, a: x[0][parse_index(a["indices"], x)],
    "nonzero": lambda x, a: torch.nonzero(x[0]),
    "one_hot": lambda x, a: F.one_hot(x[0], a.get("num_classes", -1)),
    "matmul": lambda x, a: torch.matmul(x[0], x[1]),
    "mm": lambda x, a: torch.mm(x[0], x[1]),
    "bmm": lambda x, a: torch.bmm(x[0], x[1]),
    "addmm": lambda x, a: torch.addmm(x[0], x[1], x[2], beta=a.get("beta", 1), alpha=a.get("alpha", 1)),
    "dot": lambda x, a: torch.dot(x[0], x[1]),
    "outer": lambda x, a: torch.outer(x[0], x[1]),
    "arange": lambda x, a: (torch.arange(a["start"], a["end"], a.get("step", 1), dtype=opt_dtype(a))
                            if "start" in a else torch.arange(a["end"], dtype=opt_dtype(a))),
    "linspace": lambda x, a: torch.linspace(a["start"], a["end"], a["steps"], dtype=opt_dtype(a)),
    "eye": lambda x, a: (torch.eye(a["n"], a["m"], dtype=opt_dtype(a)) if "m" in a
                         else torch.eye(a["n"], dtype=opt_dtype(a))),

    # nn.functional
    "linear": lambda x, a: F.linear(x[0], x[1], x[2]),
    "conv1d": lambda x, a: F.conv1d(x[0], x[1], x[2], **conv_args(a)),
    "conv2d": lambda x, a: F.conv2d(x[0], x[1], x[2], **conv_args(a)),
    "conv_transpose2d": lambda x, a: F.conv_transpose2d(
        x[0], x[1], x[2], stride=a.get("stride", 1), padding=a.get("padding", 0),
        output_padding=a.get("output_padding", 0), groups=a.get("groups", 1), dilation=a.get("dilation", 1)),
    "max_pool2d": lambda x, a: F.max_pool2d(x[0], a["kernel_size"], a.get("stride"), a.get("padding", 0),
                                            a.get("dilation", 1), ceil_mode=a.get("ceil_mode", False)),
    "avg_pool2d": lambda x, a: F.avg_pool2d(x[0], a["kernel_size"], a.get("stride"), a.get("padding", 0),
                                            ceil_mode=a.get("ceil_mode", False),
                                            count_include_pad=a.get("count_include_pad", True)),
    "adaptive_avg_pool2d": lambda x, a: F.adaptive_avg_pool2d(x[0], a["output_size"]),
    "batch_norm": lambda x, a: batch_norm(x, a),
    "batch_norm_relu": lambda x, a: batch_norm_relu(x, a),
    "layer_norm": lambda x, a: F.layer_norm(x[0], a["normalized_shape"], x[1], x[2], a.get("eps", 1e-5)),
    "group_norm": lambda x, a: F.group_norm(x[0], a["num_groups"], x[1], x[2], a.get("eps", 1e-5)),
    "dropout": lambda x, a: F.dropout(x[0], a.get("p", 0.5), a.get("training", True)),
    "embedding": lambda x, a: F.embedding(x[0], x[1], a.get("padding_idx")),
    "elu": lambda x, a: F.elu(x[0], a.get("alpha", 1.0)),
    "silu": lambda x, a: F.silu(x[0]),
    # losses
    "mse_loss": lambda x, a: F.mse_loss(x[0], x[1], reduction=a.get("reduction", "mean")),
    "l1_loss": lambda x, a: F.l1_loss(x[0], x[1], reduction=a.get("reduction", "mean")),
    "smooth_l1_loss": lambda x, a: F.smooth_l1_loss(x[0], x[1], reduction=a.get("reduction", "mean"),
                                                    beta=a.get("beta", 1.0)),
    "huber_loss": lambda x, a: F.huber_loss(x[0], x[1], reduction=a.get("reduction", "mean"), delta=a.get("delta", 1.0)),
    "binary_cross_entropy": lambda x, a: F.binary_cross_entropy(x[0], x[1], x[2], reduction=a.get("reduction", "mean")),
    "binary_cross_entropy_with_logits": lambda x, a: F.binary_cross_entropy_with_logits(
        x[0], x[1], x[2], reduction=a.get("reduction", "mean"), pos_weight=x[3]),
    "cross_entropy": lambda x, a: F.cross_entropy(x[0], x[1], x[2], ignore_index=a.get("ignore_index", -100),
                                                  reduction=a.get("reduction", "mean"),
                                                  label_smoothing=a.get("label_smoothing", 0.0)),
    "nll_loss": lambda x, a: F.nll_loss(x[0], x[1], x[2], ignore_index=a.get("ignore_index", -100),
                                        reduction=a.get("reduction", "mean")),
    "kl_div": lambda x, a: F.kl_div(x[0], x[1], reduction=a.get("reduction", "mean"),
                                    log_target=a.get("log_target", False)),
}

# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------
OPS = parse_op_table()
DIFF = {name: diff for name, _, diff in OPS}
CASES = []


def torch_default(op, xs, args):
    """Ops without an FNS entry are torch.<op>(*inputs, **args): a new plain op needs only its cases."""
    return getattr(torch, op)(*xs, **args)


def case(op, name, inputs, args=None, grad=True, nograd=(), gradcheck=True):
    """Runs op on inputs (In, plain tensors, or None for an absent optional tensor) and records outputs,
    and gradients when the op is differentiable, `grad` is set and some input is floating. Inputs listed
    in `nograd` (e.g. running statistics, class weights) do not require grad and get a null gradient.
    gradcheck=False marks inputs at a point where PyTorch's gradient is a convention, not the derivative
    (kinks, ties, padding_idx): the golden gradient is checked, finite differences are not."""
    args = args or {}
    ins = [i if isinstance(i, In) or i is None else In(i) for i in inputs]
    xs = [i.build() if i is not None else None for i in ins]

    def differentiable(k):
        return xs[k] is not None and xs[k].is_floating_point() and k not in nograd

    want_grad = grad and DIFF[op] and any(differentiable(k) for k in range(len(xs)))
    if want_grad:
        xs = [x.detach().requires_grad_() if differentiable(k) else x for k, x in enumerate(xs)]
    outs = FNS[op](xs, args) if op in FNS else torch_default(op, xs, args)
    outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
    rec = {"op": op, "name": f"{op}/{name}", "inputs": [i.encode() if i is not None else None for i in ins],
           "args": args, "outputs": [encode_plain(o) for o in outs], "grad_outputs": None, "grads": None}
    if not gradcheck:
        rec["gradcheck"] = False
    if want_grad:
        gos = [torch.randn(o.shape, dtype=o.dtype) if o.is_floating_point() and o.requires_grad else None
               for o in outs]
        pairs = [(o, g) for o, g in zip(outs, gos) if g is not None]
        if not pairs:  # e.g. to_dtype to an integer dtype: no gradient flows
            CASES.append(rec)
            return
        torch.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        rec["grad_outputs"] = [encode_plain(g) if g is not None else None for g in gos]
        rec["grads"] = [encode_plain(x.grad) if differentiable(k) and x.grad is not None else None
                        for k, x in enumerate(xs)]
    CASES.append(rec)


def seed(op):
    torch.manual_seed(zlib.crc32(op.encode()))


f64 = torch.float64
i64 = torch.int64

# ---- elementwise binary -----------------------------------------------------------------------
def binary_cases(op, gen_a, gen_b, ints=True, int_gen=None):
    """Plain, broadcasting, non-contiguous and mixed-dtype cases; gen_x(*shape, dtype=...)."""
    seed(op)
    case(op, "plain", [gen_a(2, 3), gen_b(2, 3)])
    case(op, "bcast_row", [gen_a(2, 3), gen_b(3)])
    case(op, "bcast_both", [gen_a(2, 1, 4), gen_b(3, 1)])
    case(op, "transposed", [T(gen_a(3, 4)), gen_b(3, 4)])
    case(op, "transposed_both_bcast", [T(gen_a(2, 3, 4)), T(gen_b(3, 4))])
    case(op, "strided", [gen_a(2, 3), S(gen_b(2, 3))])
    case(op, "float64", [gen_a(2, 3, dtype=f64), gen_b(2, 3, dtype=f64)])
    case(op, "f32_f64", [gen_a(2, 3), gen_b(3, dtype=f64)])
    case(op, "zerodim_f64_with_f32", [gen_a(2, 3), gen_b(dtype=f64)])
    case(op, "zerodim_f32_first", [gen_a(), gen_b(2, 3)])
    if ints:
        ig = int_gen or (lambda *s: randint(1, 5, *s))
        case(op, "int64_f32", [ig(2, 3), gen_b(2, 3)])
        case(op, "f32_int64", [gen_a(2, 3), ig(3)])
        case(op, "int64_int64", [ig(2, 3), ig(2, 3)])
        case(op, "int64_zerodim_f64", [ig(2, 3), gen_b(dtype=f64)])


binary_cases("add", randn, randn)
case("add", "alpha_int", [randn(2, 3), randn(2, 3)], {"alpha": 2})
case("add", "alpha_float", [randn(2, 3), T(randn(2, 3))], {"alpha": 0.5})
case("add", "int_alpha", [randint(-5, 5, 2, 3), randint(-5, 5, 3)], {"alpha": 3})
binary_cases("sub", randn, randn)
case("sub", "alpha_float", [randn(2, 3), randn(3)], {"alpha": -1.5})
binary_cases("mul", randn, randn)
case("mul", "bool_bool", [boolean(2, 3), boolean(2, 3)])
binary_cases("div", randn, away, int_gen=lambda *s: randint(1, 9, *s))
binary_cases("pow", pos, randn, int_gen=lambda *s: randint(1, 4, *s))
binary_cases("minimum", distinct, lambda *s, dtype=torch.float32: distinct(*s, dtype=dtype, scale=0.41) + 0.17,
             int_gen=lambda *s: randint(-9, 9, *s))
binary_cases("maximum", distinct, lambda *s, dtype=torch.float32: distinct(*s, dtype=dtype, scale=0.41) + 0.17,
             int_gen=lambda *s: randint(-9, 9, *s))

seed("pow_scalar")
case("pow_scalar", "float_exp", [pos(2, 3)], {"exponent": 2.5})
case("pow_scalar", "int_exp_negative_base", [randn(2, 3)], {"exponent": 3})
case("pow_scalar", "negative_exp", [pos(2, 3)], {"exponent": -0.5})
case("pow_scalar", "square_transposed", [T(randn(3, 4))], {"exponent": 2})
case("pow_scalar", "float64", [pos(2, 3, dtype=f64)], {"exponent": 1.5})
case("pow_scalar", "int64_int_exp", [randint(-3, 4, 2, 3)], {"exponent": 2})
case("pow_scalar", "int64_float_exp", [randint(1, 5, 2, 3)], {"exponent": 0.5})

seed("where")
case("where", "plain", [boolean(2, 3), randn(2, 3), randn(2, 3)])
case("where", "bcast", [boolean(3), randn(2, 3), randn(2, 1)])
case("where", "bcast_zerodim", [boolean(2, 1, 4), randn(3, 1), randn()])
case("where", "transposed", [boolean(3, 4), T(randn(3, 4)), randn(3, 4)])
case("where", "f32_f64", [boolean(2, 3), randn(2, 3), randn(2, 3, dtype=f64)])
case("where", "int64", [boolean(2, 3), randint(-5, 5, 2, 3), randint(-5, 5, 3)])

for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
    binary_cases(op, small_ints_as_float, small_ints_as_float, int_gen=lambda *s: randint(-2, 3, *s))
for op in ["logical_and", "logical_or", "logical_xor"]:
    seed(op)
    case(op, "bool", [boolean(2, 3), boolean(2, 3)])
    case(op, "bcast", [boolean(2, 1, 4), boolean(3, 1)])
    case(op, "float", [small_ints_as_float(2, 3), small_ints_as_float(2, 3)])
    case(op, "int64_bool", [randint(0, 2, 2, 3), boolean(3)])
    case(op, "transposed", [T(boolean(3, 4)), small_ints_as_float(3, 4)])
    case(op, "zerodim", [boolean(2, 3), torch.tensor(True)])

# ---- elementwise unary ------------------------------------------------------------------------
def unary_cases(op, gen, args=None, int_input=None):
    seed(op)
    case(op, "plain", [gen(2, 3)], args)
    case(op, "transposed", [T(gen(3, 4))], args)
    case(op, "strided_3d", [S(gen(2, 3, 2))], args)
    case(op, "float64", [gen(2, 3, dtype=f64)], args)
    case(op, "zerodim", [gen()], args)
    if int_input is not None:
        case(op, "int64", [int_input()], args)


unary_cases("neg", randn, int_input=lambda: randint(-5, 5, 2, 3))
unary_cases("exp", randn, int_input=lambda: randint(-3, 3, 2, 3))
unary_cases("log", pos, int_input=lambda: randint(1, 9, 2, 3))
unary_cases("log1p", lambda *s, dtype=torch.float32: pos(*s, dtype=dtype, lo=-0.5, hi=2.0),
            int_input=lambda: randint(0, 9, 2, 3))
unary_cases("sqrt", pos, int_input=lambda: randint(1, 9, 2, 3))
unary_cases("rsqrt", pos, int_input=lambda: randint(1, 9, 2, 3))
unary_cases("abs", away, int_input=lambda: randint(-5, 5, 2, 3))
unary_cases("sign", away, int_input=lambda: randint(-5, 5, 2, 3))
case("sign", "with_zeros", [torch.tensor([[-1.5, 0.0, 2.0], [0.0, -0.0, 3.0]])], grad=False)
unary_cases("sin", randn, int_input=lambda: randint(-5, 5, 2, 3))
unary_cases("cos", randn, int_input=lambda: randint(-5, 5, 2, 3))
unary_cases("tanh", randn, int_input=lambda: randint(-5, 5, 2, 3))
unary_cases("sigmoid", randn, int_input=lambda: randint(-5, 5, 2, 3))
case("sigmoid", "large", [torch.tensor([-100.0, -20.0, 0.5, 20.0, 100.0])])
unary_cases("relu", away, int_input=lambda: randint(-5, 5, 2, 3))
unary_cases("leaky_relu", away)
case("leaky_relu", "slope", [away(2, 3)], {"negative_slope": 0.2})
case("leaky_relu", "slope_transposed", [T(away(3, 4))], {"negative_slope": 0.5})
unary_cases("gelu", randn)
case("gelu", "tanh", [randn(2, 3)], {"approximate": "tanh"})
case("gelu", "tanh_transposed", [T(randn(3, 4))], {"approximate": "tanh"})
unary_cases("softplus", randn)
case("softplus", "beta", [randn(2, 3)], {"beta": 2, "threshold": 20})
case("softplus", "threshold", [torch.tensor([[-3.0, 0.5, 1.5], [2.5, 3.5, 10.0]])], {"beta": 1.0, "threshold": 3.0})
unary_cases("clamp", lambda *s, dtype=torch.float32: avoid(randn(*s, dtype=dtype), [-0.5, 0.5]),
            {"min": -0.5, "max": 0.5})
case("clamp", "min_only", [randn(2, 3)], {"min": 0.3})
case("clamp", "max_only", [T(randn(3, 4))], {"max": -0.2})
case("clamp", "int64", [randint(-9, 9, 2, 3)], {"min": -2, "max": 3})
unary_cases("floor", frac, int_input=lambda: randint(-5, 5, 2, 3))
unary_cases("ceil", frac, int_input=lambda: randint(-5, 5, 2, 3))
unary_cases("round", frac, int_input=lambda: randint(-5, 5, 2, 3))
case("round", "half_to_even", [torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5])], grad=False)
seed("logical_not")
case("logical_not", "bool", [boolean(2, 3)])
case("logical_not", "float", [small_ints_as_float(2, 3)])
case("logical_not", "int64_transposed", [T(randint(-1, 2, 3, 4))])
unary_cases("erf", randn, int_input=lambda: randint(-2, 3, 2, 3))
unary_cases("expm1", randn, int_input=lambda: randint(-3, 3, 2, 3))
seed("to_dtype")
case("to_dtype", "f32_to_f64", [randn(2, 3)], {"dtype": "float64"})
case("to_dtype", "f64_to_f32_transposed", [T(randn(3, 4, dtype=f64))], {"dtype": "float32"})
case("to_dtype", "f32_to_f32", [randn(2, 3)], {"dtype": "float32"})
case("to_dtype", "f32_to_int64", [randn(2, 3) * 3], {"dtype": "int64"})
case("to_dtype", "f32_to_int32", [randn(2, 3) * 3], {"dtype": "int32"})
case("to_dtype", "f32_to_uint8", [pos(2, 3, lo=0, hi=200)], {"dtype": "uint8"})
case("to_dtype", "f32_to_bool", [small_ints_as_float(2, 3)], {"dtype": "bool"})
case("to_dtype", "int64_to_f32", [randint(-9, 9, 2, 3)], {"dtype": "float32"})
case("to_dtype", "bool_to_f64", [boolean(2, 3)], {"dtype": "float64"})
case("to_dtype", "int64_to_int32_transposed", [T(randint(-9, 9, 3, 4))], {"dtype": "int32"})

# ---- reductions and scans ---------------------------------------------------------------------
seed("sum")
case("sum", "full", [randn(2, 3)])
case("sum", "dim1_keepdim", [randn(3, 4)], {"dims": [1], "keepdim": True})
case("sum", "dims02", [randn(2, 3, 4)], {"dims": [0, 2]})
case("sum", "negdim_transposed", [T(randn(2, 3, 4))], {"dims": [-1]})
case("sum", "full_transposed", [T(randn(3, 4))])
case("sum", "dtype_f64", [randn(2, 3)], {"dims": [0], "dtype": "float64"})
case("sum", "int64", [randint(-9, 9, 2, 3)])
case("sum", "int32_dim", [randint(-9, 9, 2, 3, dtype=torch.int32)], {"dims": [1]})
case("sum", "bool", [boolean(3, 4)])
case("sum", "zerodim", [randn()])
seed("mean")
case("mean", "full", [randn(2, 3)])
case("mean", "dim1_keepdim", [randn(3, 4)], {"dims": [1], "keepdim": True})
case("mean", "dims01", [randn(2, 3, 4)], {"dims": [0, 1]})
case("mean", "transposed", [T(randn(3, 4))], {"dims": [0]})
case("mean", "float64", [randn(2, 3, dtype=f64)], {"dims": [-1]})
seed("prod")
case("prod", "full", [pos(2, 3)])
case("prod", "dim1_keepdim", [randn(3, 4)], {"dim": 1, "keepdim": True})
case("prod", "dim0_transposed", [T(randn(3, 4))], {"dim": 0})
case("prod", "one_zero", [torch.tensor([[1.5, 0.0, -2.0], [0.5, 3.0, -1.0]])], {"dim": 1})
case("prod", "one_zero_full", [torch.tensor([[1.5, 0.0, -2.0], [0.5, 3.0, -1.0]])])
case("prod", "int64", [randint(1, 4, 2, 3)], {"dim": 0})
for op in ["max", "min"]:
    seed(op)
    case(op, "full", [distinct(2, 3)])
    case(op, "dim1", [distinct(3, 4)], {"dim": 1})
    case(op, "dim0_keepdim", [distinct(3, 4)], {"dim": 0, "keepdim": True})
    case(op, "transposed_dim", [T(distinct(2, 3, 4))], {"dim": -1})
    case(op, "transposed_full", [T(distinct(3, 4))])
    case(op, "int64_dim", [torch.randperm(12).reshape(3, 4)], {"dim": 1})
    case(op, "int64_full", [torch.randperm(6).reshape(2, 3)])
for op in ["argmax", "argmin"]:
    seed(op)
    case(op, "full", [distinct(3, 4)])
    case(op, "dim1", [distinct(3, 4)], {"dim": 1})
    case(op, "dim0_keepdim", [distinct(3, 4)], {"dim": 0, "keepdim": True})
    case(op, "transposed", [T(distinct(2, 3, 4))], {"dim": 2})
    case(op, "int64", [torch.randperm(12).reshape(3, 4)], {"dim": 0})
for op in ["var", "std"]:
    seed(op)
    case(op, "full", [randn(2, 3)])
    case(op, "dim1_c0", [randn(3, 4)], {"dims": [1], "correction": 0})
    case(op, "dims02_keepdim", [randn(2, 3, 4)], {"dims": [0, 2], "keepdim": True})
    case(op, "transposed", [T(randn(3, 4))], {"dims": [0], "correction": 1})
    case(op, "float64", [randn(3, 4, dtype=f64)], {"dims": [-1], "correction": 0})
seed("norm")
case("norm", "p2_full", [randn(2, 3)])
case("norm", "p1_dim", [away(3, 4)], {"p": 1, "dims": [1]})
case("norm", "p3_keepdim", [randn(3, 4)], {"p": 3, "dims": [0], "keepdim": True})
case("norm", "p2_transposed", [T(randn(2, 3, 4))], {"p": 2, "dims": [1, 2]})
case("norm", "p1_5_float64", [randn(2, 3, dtype=f64)], {"p": 1.5})
seed("logsumexp")
case("logsumexp", "dim1", [randn(3, 4)], {"dims": [1]})
case("logsumexp", "dims01_keepdim", [randn(2, 3, 4)], {"dims": [0, 1], "keepdim": True})
case("logsumexp", "transposed", [T(randn(3, 4))], {"dims": [0]})
case("logsumexp", "large", [randn(2, 3) * 30 + 100], {"dims": [1]})
for op in ["softmax", "log_softmax"]:
    seed(op)
    case(op, "dim1", [randn(3, 4)], {"dim": 1})
    case(op, "dim0", [randn(3, 4)], {"dim": 0})
    case(op, "dim_last_3d", [randn(2, 3, 4)], {"dim": -1})
    case(op, "dim1_3d", [randn(2, 3, 4)], {"dim": 1})
    case(op, "transposed", [T(randn(3, 4))], {"dim": 1})
    case(op, "large", [randn(2, 3) * 30 + 100], {"dim": 1})
    case(op, "float64", [randn(2, 3, dtype=f64)], {"dim": 1})
seed("cumsum")
case("cumsum", "dim1", [randn(3, 4)], {"dim": 1})
case("cumsum", "dim0_3d", [randn(2, 3, 4)], {"dim": 0})
case("cumsum", "transposed", [T(randn(3, 4))], {"dim": -1})
case("cumsum", "int64", [randint(-5, 5, 2, 3)], {"dim": 1})
case("cumsum", "zerodim", [randn()], {"dim": 0})
for op in ["all", "any"]:
    seed(op)
    case(op, "full_bool", [boolean(2, 3)])
    case(op, "all_true", [torch.ones(2, 3, dtype=torch.bool)])
    case(op, "dim1_bool", [boolean(3, 4)], {"dim": 1})
    case(op, "dim0_keepdim_float", [small_ints_as_float(3, 4)], {"dim": 0, "keepdim": True})
    case(op, "int64", [randint(0, 3, 2, 3)], {"dim": -1})
    case(op, "transposed", [T(boolean(3, 4))], {"dim": 0})
seed("topk")
case("topk", "k2_last", [distinct(3, 4)], {"k": 2})
case("topk", "k1_dim0_smallest", [distinct(3, 4)], {"k": 1, "dim": 0, "largest": False})
case("topk", "k3_transposed", [T(distinct(2, 3, 4))], {"k": 3, "dim": -1})
case("topk", "k2_dim1_3d", [distinct(2, 3, 4)], {"k": 2, "dim": 1})
case("topk", "int64", [torch.randperm(12).reshape(3, 4)], {"k": 2, "dim": 1})
seed("sort")
case("sort", "last", [distinct(3, 4)])
case("sort", "dim0_desc", [distinct(3, 4)], {"dim": 0, "descending": True})
case("sort", "transposed", [T(distinct(2, 3, 4))], {"dim": -1})
case("sort", "dim1_3d", [distinct(2, 3, 4)], {"dim": 1, "descending": True})
case("sort", "int64", [torch.randperm(12).reshape(3, 4)], {"dim": 1})

# ---- shape and views --------------------------------------------------------------------------
seed("view")
case("view", "merge", [randn(2, 3, 4)], {"shape": [6, 4]})
case("view", "infer", [randn(2, 3, 4)], {"shape": [-1, 12]})
case("view", "split_last_transposed", [T(randn(2, 3, 4))], {"shape": [2, 3, 2, 2]})
case("view", "to_zerodim", [randn(1)], {"shape": []})
seed("reshape")
case("reshape", "plain", [randn(2, 3, 4)], {"shape": [4, 6]})
case("reshape", "infer", [randn(2, 3, 4)], {"shape": [3, -1]})
case("reshape", "transposed_copy", [T(randn(3, 4))], {"shape": [12]})
case("reshape", "int64", [randint(0, 9, 2, 3)], {"shape": [3, 2]})
seed("flatten")
case("flatten", "all", [randn(2, 3, 4)])
case("flatten", "from1", [randn(2, 3, 4)], {"start_dim": 1})
case("flatten", "0_to_1_transposed", [T(randn(2, 3, 4))], {"start_dim": 0, "end_dim": 1})
case("flatten", "transposed_all", [T(randn(3, 4))])
seed("unflatten")
case("unflatten", "dim1", [randn(2, 6)], {"dim": 1, "sizes": [2, 3]})
case("unflatten", "infer", [randn(2, 6)], {"dim": -1, "sizes": [3, -1]})
case("unflatten", "transposed", [T(randn(3, 4))], {"dim": 1, "sizes": [2, 2]})
seed("transpose")
case("transpose", "2d", [randn(2, 3)], {"dim0": 0, "dim1": 1})
case("transpose", "3d_neg", [randn(2, 3, 4)], {"dim0": 0, "dim1": -1})
case("transpose", "transposed", [T(randn(2, 3, 4))], {"dim0": 1, "dim1": 2})
seed("permute")
case("permute", "3d", [randn(2, 3, 4)], {"dims": [2, 0, 1]})
case("permute", "neg", [randn(2, 3, 4)], {"dims": [-1, -3, -2]})
case("permute", "transposed", [T(randn(2, 3, 4))], {"dims": [1, 2, 0]})
seed("squeeze")
case("squeeze", "all", [randn(2, 1, 3, 1)])
case("squeeze", "dim", [randn(2, 1, 3)], {"dim": 1})
case("squeeze", "dim_not_one", [randn(2, 3)], {"dim": 0})
case("squeeze", "transposed", [T(randn(1, 3, 4))], {"dim": 0})
seed("unsqueeze")
case("unsqueeze", "front", [randn(2, 3)], {"dim": 0})
case("unsqueeze", "back_neg", [randn(2, 3)], {"dim": -1})
case("unsqueeze", "transposed", [T(randn(3, 4))], {"dim": 1})
case("unsqueeze", "zerodim", [randn()], {"dim": 0})
seed("expand")
case("expand", "plain", [randn(3, 1)], {"sizes": [3, 4]})
case("expand", "new_dims", [randn(3)], {"sizes": [2, 4, 3]})
case("expand", "keep_minus1", [randn(2, 1, 3)], {"sizes": [-1, 4, -1]})
case("expand", "transposed", [T(randn(2, 3))], {"sizes": [4, 2, 3]})
case("expand", "zerodim", [randn()], {"sizes": [2, 3]})
seed("narrow")
case("narrow", "dim0", [randn(4, 3)], {"dim": 0, "start": 1, "length": 2})
case("narrow", "dim1_neg", [randn(2, 5)], {"dim": -1, "start": 2, "length": 3})
case("narrow", "transposed", [T(randn(3, 4))], {"dim": 1, "start": 1, "length": 2})
seed("select")
case("select", "dim0", [randn(3, 4)], {"dim": 0, "index": 1})
case("select", "dim1_negidx", [randn(2, 3, 4)], {"dim": 1, "index": -1})
case("select", "transposed", [T(randn(3, 4))], {"dim": 1, "index": 2})
case("select", "1d", [randn(4)], {"dim": 0, "index": 3})
seed("slice")
case("slice", "dim0", [randn(5, 3)], {"dim": 0, "start": 1, "end": 4})
case("slice", "step2", [randn(3, 7)], {"dim": 1, "start": 0, "end": 7, "step": 2})
case("slice", "open_start_neg_end", [randn(3, 6)], {"dim": -1, "end": -2})
case("slice", "open_end_step3", [randn(7, 2)], {"dim": 0, "start": 1, "step": 3})
case("slice", "transposed", [T(randn(3, 5))], {"dim": 1, "start": -4, "end": 5, "step": 2})
case("slice", "clamped_end", [randn(2, 3)], {"dim": 1, "start": 1, "end": 100})
seed("cat")
case("cat", "dim1", [randn(2, 3), randn(2, 2)], {"dim": 1})
case("cat", "dim0_three", [randn(2, 3), randn(1, 3), randn(3, 3)], {"dim": 0})
case("cat", "transposed_neg", [T(randn(2, 3, 4)), randn(2, 3, 2)], {"dim": -1})
case("cat", "f32_f64", [randn(2, 3), randn(2, 3, dtype=f64)], {"dim": 0})
case("cat", "int64", [randint(0, 9, 2, 3), randint(0, 9, 2, 3)], {"dim": 1})
case("cat", "single", [randn(2, 3)], {"dim": 0})
seed("stack")
case("stack", "dim0", [randn(2, 3), randn(2, 3)], {"dim": 0})
case("stack", "dim1_three", [randn(2, 3), randn(2, 3), randn(2, 3)], {"dim": 1})
case("stack", "neg_transposed", [T(randn(3, 4)), randn(3, 4)], {"dim": -1})
case("stack", "zerodim", [randn(), randn()], {"dim": 0})
seed("split")
case("split", "even", [randn(4, 3)], {"split_size": 2, "dim": 0})
case("split", "uneven", [randn(3, 5)], {"split_size": 2, "dim": 1})
case("split", "transposed", [T(randn(3, 4))], {"split_size": 3, "dim": -1})
seed("chunk")
case("chunk", "even", [randn(4, 3)], {"chunks": 2, "dim": 0})
case("chunk", "uneven", [randn(2, 5)], {"chunks": 3, "dim": 1})
case("chunk", "transposed", [T(randn(3, 4))], {"chunks": 2, "dim": 1})
seed("clone")
case("clone", "plain", [randn(2, 3)])
case("clone", "transposed", [T(randn(3, 4))])
case("clone", "int64", [randint(0, 9, 2, 3)])
seed("contiguous")
case("contiguous", "plain", [randn(2, 3)])
case("contiguous", "transposed", [T(randn(3, 4))])
case("contiguous", "strided", [S(randn(2, 3))])

# ---- indexing -----------------------------------------------------------------------------------
seed("index_select")
case("index_select", "dim0_dup", [randn(3, 4), torch.tensor([2, 0, 2])], {"dim": 0})
case("index_select", "dim1", [randn(3, 4), torch.tensor([3, 1])], {"dim": 1})
case("index_select", "transposed", [T(randn(3, 4)), torch.tensor([1, 1, 0])], {"dim": -1})
case("index_select", "int64", [randint(0, 9, 3, 4), torch.tensor([0, 2])], {"dim": 0})
seed("gather")
case("gather", "dim1", [randn(3, 4), torch.tensor([[0, 3], [1, 1], [2, 0]])], {"dim": 1})
case("gather", "dim0", [randn(3, 4), torch.tensor([[2, 1, 0, 0], [1, 1, 2, 2]])], {"dim": 0})
case("gather", "transposed", [T(randn(3, 4)), torch.tensor([[0, 3, 3], [1, 2, 0], [3, 0, 1]])], {"dim": -1})
seed("scatter")
case("scatter", "dim1", [randn(3, 4), torch.tensor([[0, 3], [1, 2], [2, 0]]), randn(3, 2)], {"dim": 1})
case("scatter", "dim0", [randn(3, 4), torch.tensor([[2, 0, 1, 2]]), randn(1, 4)], {"dim": 0})
case("scatter", "transposed", [T(randn(3, 4)), torch.tensor([[1, 0], [3, 2], [0, 1]]), T(randn(3, 2))],
     {"dim": 1})
seed("scatter_add")
case("scatter_add", "dim1_dup", [randn(3, 4), torch.tensor([[0, 0, 3], [1, 2, 1], [2, 2, 2]]), randn(3, 3)],
     {"dim": 1})
case("scatter_add", "dim0", [randn(3, 4), torch.tensor([[2, 0, 1, 2], [2, 2, 0, 1]]), randn(2, 4)], {"dim": 0})
case("scatter_add", "transposed", [T(randn(3, 4)), torch.tensor([[1, 1], [3, 2], [0, 0]]), T(randn(3, 2))],
     {"dim": 1})
seed("masked_fill")
case("masked_fill", "plain", [randn(2, 3), boolean(2, 3)], {"value": 0.5})
case("masked_fill", "bcast_mask", [randn(2, 3), boolean(3)], {"value": -2.0})
case("masked_fill", "transposed", [T(randn(3, 4)), boolean(3, 4)], {"value": 1.25})
case("masked_fill", "int64", [randint(0, 9, 2, 3), boolean(2, 3)], {"value": 7})
case("masked_fill", "float_int_value", [randn(2, 3), boolean(2, 3)], {"value": 3})
seed("masked_select")
case("masked_select", "plain", [randn(2, 3), boolean(2, 3)])
case("masked_select", "bcast_mask", [randn(2, 3), boolean(3)])
case("masked_select", "transposed", [T(randn(3, 4)), boolean(3, 4)])
case("masked_select", "int64", [randint(0, 9, 2, 3), boolean(2, 3)])
seed("index")
case("index", "int", [randn(3, 4)], {"indices": "1"})
case("index", "slices", [randn(3, 4)], {"indices": "0:2, 1::2"})
case("index", "int_none_ellipsis", [randn(2, 3, 4)], {"indices": "..., None, -1"})
case("index", "neg_slice", [randn(5, 3)], {"indices": "-3:, 1"})
case("index", "tensor_dup", [randn(3, 4), torch.tensor([2, 0, 2])], {"indices": "t1"})
case("index", "slice_tensor", [randn(3, 4), torch.tensor([3, 1])], {"indices": ":, t1"})
case("index", "two_tensors_bcast", [randn(3, 4), torch.tensor([[0], [2]]), torch.tensor([1, 3, 1])],
     {"indices": "t1, t2"})
case("index", "bool_mask", [randn(3, 4), boolean(3, 4)], {"indices": "t1"})
case("index", "bool_rows", [randn(3, 4), torch.tensor([True, False, True])], {"indices": "t1"})
case("index", "transposed", [T(randn(3, 4)), torch.tensor([0, 3, 0])], {"indices": "1:, t1"})
case("index", "transposed_basic", [T(randn(2, 3, 4))], {"indices": "1, ::2"})
case("index", "int64_tensor", [randint(0, 9, 3, 4), torch.tensor([1, 2])], {"indices": "t1, 0"})
seed("nonzero")
case("nonzero", "float", [small_ints_as_float(3, 4)])
case("nonzero", "bool_1d", [boolean(6)])
case("nonzero", "int64_transposed", [T(randint(-1, 2, 3, 4))])
case("nonzero", "3d", [boolean(2, 3, 2)])
seed("one_hot")
case("one_hot", "classes5", [torch.tensor([0, 3, 1, 4])], {"num_classes": 5})
case("one_hot", "inferred_2d", [torch.tensor([[2, 0, 1], [1, 1, 3]])])

# ---- tensor ops of issue #17 item 9 (their FNS entries and cases, kept together) -----------------
def unique_fn(x, a):
    r = torch.unique(x[0], sorted=a.get("sorted", True), return_inverse=a.get("return_inverse", False),
                     return_counts=a.get("return_counts", False))
    return r if isinstance(r, tuple) else (r,)


FNS.update({
    "cumprod": lambda x, a: torch.cumprod(x[0], a["dim"], dtype=opt_dtype(a)),
    "repeat": lambda x, a: x[0].repeat(a["repeats"]),
    "split_with_sizes": lambda x, a: tuple(torch.split(x[0], a["split_sizes"], a.get("dim", 0))),
    "view_as": lambda x, a: x[0].view_as(x[1]),
    # new_empty's values are unspecified: both sides zero it, so the case checks shape and dtype.
    "new_empty": lambda x, a: x[0].new_empty(a["size"], dtype=opt_dtype(a)).zero_(),
    "new_zeros": lambda x, a: x[0].new_zeros(a["size"], dtype=opt_dtype(a)),
    "new_ones": lambda x, a: x[0].new_ones(a["size"], dtype=opt_dtype(a)),
    "new_full": lambda x, a: x[0].new_full(a["size"], a["fill_value"], dtype=opt_dtype(a)),
    "new_tensor": lambda x, a: x[0].new_tensor(x[1], dtype=opt_dtype(a)),
    "allclose": lambda x, a: torch.tensor(torch.allclose(x[0], x[1], **a)),
    "equal": lambda x, a: torch.tensor(torch.equal(x[0], x[1])),
    "meshgrid": lambda x, a: tuple(torch.meshgrid(*x, indexing=a.get("indexing", "ij"))),
    "unique": unique_fn,
    "lerp_scalar": lambda x, a: torch.lerp(x[0], x[1], a["weight"]),
    "einsum": lambda x, a: torch.einsum(a["equation"], *x),
})

NONFINITE = [[1.5, float("nan"), float("inf")], [-float("inf"), 0.0, -2.0]]

seed("cumprod")
case("cumprod", "dim1", [randn(3, 4)], {"dim": 1})
case("cumprod", "dim0_3d", [randn(2, 3, 4)], {"dim": 0})
case("cumprod", "transposed", [T(randn(3, 4))], {"dim": -1})
case("cumprod", "zeros", [torch.tensor([[1.5, 0.0, -2.0, 0.5], [0.0, 2.0, 0.0, 3.0], [0.5, -1.0, 2.0, 0.0]])],
     {"dim": 1})
case("cumprod", "dtype_f64", [randn(2, 3)], {"dim": 1, "dtype": "float64"})
case("cumprod", "float64", [randn(2, 3, dtype=f64)], {"dim": 0})
case("cumprod", "int64", [randint(-3, 4, 2, 3)], {"dim": 1})
case("cumprod", "zerodim", [randn()], {"dim": 0})
for op in ["amax", "amin"]:
    seed(op)
    case(op, "all", [distinct(2, 3)])
    case(op, "dim1", [distinct(3, 4)], {"dim": [1]})
    case(op, "dims02_keepdim", [distinct(2, 3, 4)], {"dim": [0, 2], "keepdim": True})
    case(op, "transposed", [T(distinct(3, 4))], {"dim": [-1]})
    case(op, "float64", [distinct(3, 4, dtype=f64)], {"dim": [0]})
    case(op, "int64", [randint(-9, 9, 3, 4)], {"dim": [1]})
    case(op, "ties", [torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])], {"dim": [1]}, gradcheck=False)
    case(op, "ties_all", [torch.tensor([[1.0, 3.0, -1.0], [3.0, -1.0, 0.0]])], gradcheck=False)
seed("flip")
case("flip", "dims02", [randn(2, 3, 4)], {"dims": [0, 2]})
case("flip", "transposed", [T(randn(3, 4))], {"dims": [-1]})
case("flip", "no_dims", [randn(2, 3)], {"dims": []})
case("flip", "int64", [randint(0, 9, 2, 3)], {"dims": [0, 1]})
seed("roll")
case("roll", "dim0", [randn(4, 3)], {"shifts": [1], "dims": [0]})
case("roll", "two_dims", [randn(3, 4)], {"shifts": [2, -1], "dims": [0, 1]})
case("roll", "flattened", [randn(2, 3)], {"shifts": [4]})
case("roll", "larger_than_size", [T(randn(3, 4))], {"shifts": [5], "dims": [-1]})
case("roll", "int64", [randint(0, 9, 2, 3)], {"shifts": [-1], "dims": [1]})
seed("repeat")
case("repeat", "plain", [randn(2, 3)], {"repeats": [2, 1]})
case("repeat", "more_dims", [randn(3)], {"repeats": [2, 2]})
case("repeat", "transposed", [T(randn(3, 4))], {"repeats": [1, 2, 3]})
case("repeat", "ones", [randn(2, 3)], {"repeats": [1, 1]})
case("repeat", "zero", [randn(2, 3)], {"repeats": [0, 2]})
case("repeat", "int64", [randint(0, 9, 2, 1)], {"repeats": [2, 3]})
for op in ["tril", "triu"]:
    seed(op)
    case(op, "square", [randn(3, 3)])
    case(op, "diag1", [randn(3, 4)], {"diagonal": 1})
    case(op, "diag_neg", [randn(4, 3)], {"diagonal": -1})
    case(op, "batched_transposed", [T(randn(2, 3, 4))], {"diagonal": 0})
    case(op, "nonfinite", [torch.tensor(NONFINITE)], {"diagonal": 0})
    case(op, "int64", [randint(0, 9, 3, 3)])
    case(op, "bool", [boolean(3, 4)], {"diagonal": 1})
seed("diag")
case("diag", "vec", [randn(3)])
case("diag", "vec_k1", [randn(3)], {"diagonal": 1})
case("diag", "vec_k_neg2", [S(randn(2))], {"diagonal": -2})
case("diag", "mat", [randn(3, 4)])
case("diag", "mat_k1", [randn(3, 4)], {"diagonal": 1})
case("diag", "mat_transposed_neg", [T(randn(3, 4))], {"diagonal": -1})
case("diag", "int64", [randint(0, 9, 3, 3)])
seed("diagonal")
case("diagonal", "plain", [randn(3, 4)])
case("diagonal", "offset1", [randn(3, 4)], {"offset": 1})
case("diagonal", "offset_neg_swapped", [randn(3, 4)], {"offset": -1, "dim1": 1, "dim2": 0})
case("diagonal", "3d_dims12", [randn(2, 3, 4)], {"dim1": 1, "dim2": 2})
case("diagonal", "3d_dims_neg", [T(randn(2, 3, 4))], {"offset": 1, "dim1": -1, "dim2": 0})
case("diagonal", "empty", [randn(2, 3)], {"offset": 5})
seed("split_with_sizes")
case("split_with_sizes", "dim0", [randn(5, 3)], {"split_sizes": [2, 3]})
case("split_with_sizes", "with_zero", [randn(3, 6)], {"split_sizes": [1, 0, 5], "dim": 1})
case("split_with_sizes", "transposed", [T(randn(3, 4))], {"split_sizes": [3, 1], "dim": -1})
seed("view_as")
case("view_as", "plain", [randn(2, 6), randn(3, 4)])
case("view_as", "transposed_split_last", [T(randn(3, 4)), randn(3, 2, 2)])
case("view_as", "int64_like", [randint(0, 9, 12), randint(0, 9, 4, 3)])
seed("new")
for op in ["new_empty", "new_zeros", "new_ones"]:
    case(op, "plain", [randn(2)], {"size": [2, 3]})
    case(op, "float64_self", [randn(2, dtype=f64)], {"size": [3]})
    case(op, "dtype_int64", [randn(2)], {"size": [2, 2], "dtype": "int64"})
case("new_full", "plain", [randn(2)], {"size": [2, 3], "fill_value": 1.5})
case("new_full", "int64_self_float_value", [randint(0, 3, 2)], {"size": [3], "fill_value": 2.5})
case("new_full", "dtype_f64", [randint(0, 3, 2)], {"size": [2], "fill_value": 7, "dtype": "float64"})
case("new_tensor", "int_data_f64_self", [randn(2, dtype=f64), randint(0, 9, 2, 3)])
case("new_tensor", "transposed_data", [randint(0, 9, 2), T(randn(3, 4))])
case("new_tensor", "dtype", [randn(2), randn(3)], {"dtype": "float64"})
seed("allclose")
close = randn(2, 3)
case("allclose", "close", [close, close + 1e-6])
case("allclose", "not_close", [close, close + 1e-3])
case("allclose", "tolerances", [close, close + 1e-3], {"rtol": 0.0, "atol": 1e-2})
case("allclose", "bcast", [torch.ones(2, 3), torch.ones(3)])
case("allclose", "nan", [torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")])])
case("allclose", "nan_equal_nan", [torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")])],
     {"equal_nan": True})
case("allclose", "inf", [torch.tensor([float("inf"), -float("inf")]), torch.tensor([float("inf"), -float("inf")])])
case("allclose", "int64", [randint(0, 3, 4), randint(0, 3, 4)])
case("equal", "same", [close, close.clone()])
case("equal", "different", [close, close + 1e-6])
case("equal", "shapes_differ", [torch.ones(2, 3), torch.ones(3)])
case("equal", "dtypes_differ", [torch.ones(2, 3), torch.ones(2, 3, dtype=i64)])
case("equal", "nan", [torch.tensor([float("nan")]), torch.tensor([float("nan")])])
for op in ["isnan", "isinf", "isfinite"]:
    seed(op)
    case(op, "nonfinite", [torch.tensor(NONFINITE)])
    case(op, "transposed", [T(torch.tensor(NONFINITE, dtype=f64))])
    case(op, "int64", [randint(-3, 3, 2, 3)])
    case(op, "bool", [boolean(2, 2)])
seed("nan_to_num")
case("nan_to_num", "default", [torch.tensor(NONFINITE)])
case("nan_to_num", "values", [torch.tensor(NONFINITE)], {"nan": 1.0, "posinf": 2.0, "neginf": -3.0})
case("nan_to_num", "transposed_f64", [T(torch.tensor(NONFINITE, dtype=f64))], {"posinf": 10.0})
case("nan_to_num", "finite", [randn(2, 3)])
case("nan_to_num", "int64", [randint(-3, 3, 2, 3)], {"nan": 1.0})
seed("meshgrid")
case("meshgrid", "ij", [randn(3), randn(4)], {"indexing": "ij"})
case("meshgrid", "xy_three", [randn(2), randn(3), randn(4)], {"indexing": "xy"})
case("meshgrid", "zerodim_strided", [randn(), S(randn(3))])
case("meshgrid", "float64", [randn(2, dtype=f64), randn(2, dtype=f64)], {"indexing": "xy"})
case("meshgrid", "int64_one", [randint(0, 9, 3)])
seed("bucketize")
bounds = torch.tensor([-1.0, 0.0, 0.5, 2.0])
case("bucketize", "plain", [randn(2, 3), bounds])
case("bucketize", "ties", [torch.tensor([-1.0, 0.0, 0.25, 2.0, 3.0]), bounds])
case("bucketize", "ties_right", [torch.tensor([-1.0, 0.0, 0.25, 2.0, 3.0]), bounds], {"right": True})
case("bucketize", "int_input_int32", [randint(-2, 4, 2, 3), bounds], {"out_int32": True})
case("bucketize", "nonfinite", [torch.tensor(NONFINITE), bounds])
case("bucketize", "transposed", [T(randn(3, 4)), bounds], {"right": True})
seed("searchsorted")
case("searchsorted", "1d", [bounds, torch.tensor([[-2.0, 0.0], [0.7, 5.0]])])
case("searchsorted", "right", [bounds, torch.tensor([-1.0, 0.0, 0.5, 2.0])], {"right": True})
case("searchsorted", "side_right", [bounds, torch.tensor([-1.0, 0.0, 0.5, 2.0])], {"side": "right"})
case("searchsorted", "rows", [torch.tensor([[1.0, 2.0, 3.0], [-3.0, 0.0, 3.0]]), torch.tensor([[2.0, 0.0], [0.0, 4.0]])])
case("searchsorted", "int64_out_int32", [torch.tensor([1, 3, 5, 7]), torch.tensor([0, 3, 4, 8])], {"out_int32": True})
case("searchsorted", "nonfinite", [bounds, torch.tensor(NONFINITE)])
case("searchsorted", "zerodim_value", [bounds, torch.tensor(0.5)])
seed("argsort")
case("argsort", "last", [distinct(3, 4)])
case("argsort", "dim0_desc", [distinct(3, 4)], {"dim": 0, "descending": True})
case("argsort", "ties_stable", [torch.tensor([[2, 1, 2, 1, 0], [3, 3, 1, 3, 1]])], {"stable": True})
case("argsort", "ties_stable_desc", [torch.tensor([[2, 1, 2, 1, 0], [3, 3, 1, 3, 1]])],
     {"stable": True, "descending": True})
case("argsort", "transposed", [T(distinct(2, 3, 4))], {"dim": 1})
seed("unique")
case("unique", "sorted", [torch.tensor([3, 1, 2, 1, 3, 3])])
case("unique", "inverse", [torch.tensor([[2, 1], [2, 3]])], {"return_inverse": True})
case("unique", "counts", [torch.tensor([3, 1, 2, 1, 3, 3])], {"return_counts": True})
case("unique", "inverse_counts_float", [small_ints_as_float(3, 4)], {"return_inverse": True, "return_counts": True})
case("unique", "transposed", [T(small_ints_as_float(3, 4))], {"return_inverse": True})
case("unique", "bool", [boolean(2, 3)], {"return_counts": True})
case("unique", "zerodim", [torch.tensor(5)], {"return_inverse": True})
case("unique", "empty", [torch.zeros(0)], {"return_inverse": True, "return_counts": True})
seed("masked_scatter")
case("masked_scatter", "plain", [randn(2, 3), boolean(2, 3), randn(2, 3)])
case("masked_scatter", "bcast_mask_bigger_source", [randn(2, 3), torch.tensor([True, False, True]), randn(7)])
case("masked_scatter", "transposed", [T(randn(3, 4)), boolean(3, 4), T(randn(4, 3))])
case("masked_scatter", "self_broadcast", [randn(3), torch.tensor([[True, False, True], [False, True, True]]),
                                          randn(2, 3)])
case("masked_scatter", "float64", [randn(2, 3, dtype=f64), boolean(2, 3), randn(6, dtype=f64)])
case("masked_scatter", "int64", [randint(0, 9, 2, 3), boolean(2, 3), randint(0, 9, 6)])
seed("lerp")
case("lerp", "plain", [randn(2, 3), randn(2, 3), torch.rand(2, 3) * 1.5 - 0.25])
case("lerp", "bcast_weight", [randn(2, 3), randn(2, 3), torch.tensor([0.1, 0.5, 0.9])])
case("lerp", "bcast_all", [randn(2, 1, 3), randn(4, 1), torch.tensor(0.7)])
case("lerp", "transposed", [T(randn(3, 4)), randn(3, 4), T(torch.rand(3, 4))])
case("lerp", "float64", [randn(2, 3, dtype=f64), randn(2, 3, dtype=f64), torch.rand(2, 3, dtype=f64)])
seed("lerp_scalar")
case("lerp_scalar", "low", [randn(2, 3), randn(2, 3)], {"weight": 0.3})
case("lerp_scalar", "high", [randn(2, 3), randn(3)], {"weight": 0.8})
case("lerp_scalar", "transposed", [T(randn(3, 4)), randn(3, 4)], {"weight": 1.0})
case("lerp_scalar", "float64", [randn(2, 3, dtype=f64), randn(2, 3, dtype=f64)], {"weight": -0.5})
for op, den in [("addcmul", randn), ("addcdiv", away)]:
    seed(op)
    case(op, "plain", [randn(2, 3), randn(2, 3), den(2, 3)])
    case(op, "value", [randn(2, 3), randn(2, 3), den(2, 3)], {"value": 0.5})
    case(op, "bcast", [randn(3), randn(2, 1), den(2, 3)], {"value": -2})
    case(op, "transposed", [T(randn(3, 4)), randn(3, 4), T(den(3, 4))])
    case(op, "float64", [randn(2, 3, dtype=f64), randn(2, 3, dtype=f64), den(2, 3, dtype=f64)], {"value": 1.5})
    case(op, "int_self_f64", [randint(-3, 3, 2, 3), randn(2, 3), den(3, dtype=f64)])
case("addcmul", "int64_float_value", [randint(-3, 3, 2, 3), randint(-3, 3, 2, 3), randint(-3, 3, 2, 3)],
     {"value": 1.5})
seed("einsum")
case("einsum", "matmul", [randn(2, 3), randn(3, 4)], {"equation": "ij,jk->ik"})
case("einsum", "implicit", [randn(2, 3), randn(3, 4)], {"equation": "ij,jk"})
case("einsum", "implicit_order", [randn(2, 3), randn(3, 2)], {"equation": "ba,aB"})
case("einsum", "batched", [randn(2, 3, 4), randn(2, 4, 5)], {"equation": "bij,bjk->bik"})
case("einsum", "trace", [randn(3, 3)], {"equation": "ii"})
case("einsum", "diagonal", [randn(3, 3)], {"equation": "ii->i"})
case("einsum", "repeated_3d", [randn(2, 3, 2)], {"equation": "iji->ij"})
case("einsum", "transpose", [T(randn(3, 4))], {"equation": "ij->ji"})
case("einsum", "sum_all", [randn(2, 3)], {"equation": "ij->"})
case("einsum", "outer", [randn(3), S(randn(2))], {"equation": "i,j->ij"})
case("einsum", "dot", [randn(4), randn(4)], {"equation": "i,i->"})
case("einsum", "three_operands", [randn(2, 3), randn(3, 4), randn(4, 2)], {"equation": "ij,jk,kl->il"})
case("einsum", "bilinear", [randn(2, 3), randn(5, 3, 4), randn(2, 4)], {"equation": "bn,anm,bm->ba"})
case("einsum", "ellipsis", [randn(2, 3, 4), randn(4, 5)], {"equation": "...ij,jk->...ik"})
case("einsum", "ellipsis_bcast", [randn(2, 1, 3), randn(4, 1)], {"equation": "i...,...->i..."})
case("einsum", "ellipsis_implicit", [randn(2, 3), randn(3)], {"equation": "...j,j"})
case("einsum", "ellipsis_summed", [randn(2, 3, 4)], {"equation": "...ij->ij"})
case("einsum", "size1_bcast", [randn(2, 3), randn(1)], {"equation": "ij,j"})
case("einsum", "spaces", [randn(2, 3), randn(3)], {"equation": "i j , j -> i"})
case("einsum", "float64", [randn(2, 3, dtype=f64), randn(3, 2, dtype=f64)], {"equation": "ij,jk->ki"})
case("einsum", "int64", [randint(-3, 3, 2, 3), randint(-3, 3, 3, 2)], {"equation": "ij,jk"})

# ---- linear algebra -----------------------------------------------------------------------------
seed("matmul")
case("matmul", "2d_2d", [randn(3, 4), randn(4, 5)])
case("matmul", "1d_2d", [randn(4), randn(4, 5)])
case("matmul", "2d_1d", [randn(3, 4), randn(4)])
case("matmul", "1d_1d", [randn(4), randn(4)])
case("matmul", "3d_2d", [randn(2, 3, 4), randn(4, 5)])
case("matmul", "3d_3d", [randn(2, 3, 4), randn(2, 4, 5)])
case("matmul", "bcast_batch", [randn(2, 1, 3, 4), randn(3, 4, 2)])
case("matmul", "1d_3d", [randn(4), randn(2, 4, 3)])
case("matmul", "transposed_both", [T(randn(3, 4)), T(randn(4, 5))])
case("matmul", "transposed_3d", [T(randn(2, 3, 4)), randn(4, 2)])
case("matmul", "float64", [randn(3, 4, dtype=f64), randn(4, 2, dtype=f64)])
seed("mm")
case("mm", "plain", [randn(3, 4), randn(4, 5)])
case("mm", "transposed", [T(randn(3, 4)), T(randn(4, 2))])
case("mm", "float64", [randn(2, 3, dtype=f64), T(randn(3, 4, dtype=f64))])
case("mm", "strided", [S(randn(3, 4)), randn(4, 2)])
seed("bmm")
case("bmm", "plain", [randn(2, 3, 4), randn(2, 4, 5)])
case("bmm", "transposed", [T(randn(2, 3, 4)), T(randn(2, 4, 2))])
case("bmm", "float64", [randn(2, 2, 3, dtype=f64), randn(2, 3, 2, dtype=f64)])
seed("addmm")
case("addmm", "plain", [randn(3, 5), randn(3, 4), randn(4, 5)])
case("addmm", "bias_bcast", [randn(5), randn(3, 4), randn(4, 5)])
case("addmm", "beta_alpha", [randn(3, 2), randn(3, 4), randn(4, 2)], {"beta": 0.5, "alpha": 2})
case("addmm", "transposed", [T(randn(3, 2)), T(randn(3, 4)), T(randn(4, 2))], {"beta": 2, "alpha": -1.5})
case("addmm", "float64", [randn(2, dtype=f64), randn(3, 4, dtype=f64), randn(4, 2, dtype=f64)])
seed("dot")
case("dot", "plain", [randn(5), randn(5)])
case("dot", "strided", [S(randn(4)), S(randn(4))])
case("dot", "float64", [randn(3, dtype=f64), randn(3, dtype=f64)])
case("dot", "int64", [randint(-5, 5, 4), randint(-5, 5, 4)])
seed("outer")
case("outer", "plain", [randn(3), randn(4)])
case("outer", "strided", [S(randn(3)), randn(2)])
case("outer", "float64", [randn(2, dtype=f64), randn(3, dtype=f64)])

# ---- creation -----------------------------------------------------------------------------------
case("arange", "end_int", [], {"end": 5})
case("arange", "start_end_step", [], {"start": 1, "end": 10, "step": 3})
case("arange", "float_step", [], {"start": 0, "end": 1, "step": 0.25})
case("arange", "negative_step", [], {"start": 5.0, "end": 0, "step": -1.5})
case("arange", "dtype_f64", [], {"start": 0, "end": 5, "dtype": "float64"})
case("arange", "float_end", [], {"end": 3.5})
case("linspace", "plain", [], {"start": 0, "end": 1, "steps": 5})
case("linspace", "float64", [], {"start": -1.0, "end": 1.0, "steps": 4, "dtype": "float64"})
case("linspace", "one_step", [], {"start": 2.0, "end": 3.0, "steps": 1})
case("linspace", "decreasing", [], {"start": 3, "end": -3, "steps": 7})
case("eye", "square", [], {"n": 3})
case("eye", "rect", [], {"n": 2, "m": 4})
case("eye", "int64", [], {"n": 3, "m": 2, "dtype": "int64"})


# ---- nn.functional ------------------------------------------------------------------------------
seed("linear")
case("linear", "plain", [randn(2, 3), randn(4, 3), randn(4)])
case("linear", "no_bias", [randn(2, 3), randn(4, 3), None])
case("linear", "3d_input", [randn(2, 3, 3), randn(2, 3), randn(2)])
case("linear", "1d_input", [randn(3), randn(2, 3), randn(2)])
case("linear", "transposed", [T(randn(2, 3)), T(randn(4, 3)), randn(4)])
case("linear", "float64", [randn(2, 3, dtype=f64), randn(2, 3, dtype=f64), randn(2, dtype=f64)])
seed("conv1d")
case("conv1d", "plain", [randn(2, 3, 8), randn(4, 3, 3), randn(4)])
case("conv1d", "stride2_pad1", [randn(2, 3, 8), randn(2, 3, 3), randn(2)], {"stride": 2, "padding": 1})
case("conv1d", "dilation2_nobias", [randn(1, 2, 9), randn(3, 2, 3), None], {"dilation": 2})
case("conv1d", "groups2", [randn(2, 4, 6), randn(4, 2, 3), randn(4)], {"groups": 2})
case("conv1d", "padding_same", [randn(1, 2, 7), randn(3, 2, 4), randn(3)], {"padding_same": True})
case("conv1d", "transposed", [T(randn(2, 3, 8)), randn(2, 3, 3), randn(2)], {"padding": 2})
seed("conv2d")
case("conv2d", "plain", [randn(2, 3, 5, 5), randn(4, 3, 3, 3), randn(4)])
case("conv2d", "stride_pad", [randn(1, 3, 5, 6), randn(2, 3, 3, 3), randn(2)], {"stride": [2, 1], "padding": [1, 2]})
case("conv2d", "dilation2_nobias", [randn(1, 2, 6, 6), randn(2, 2, 2, 3), None], {"dilation": 2})
case("conv2d", "groups3", [randn(1, 3, 5, 5), randn(6, 1, 3, 3), randn(6)], {"groups": 3, "padding": 1})
case("conv2d", "padding_same", [randn(1, 2, 5, 5), randn(2, 2, 3, 3), randn(2)], {"padding_same": True})
case("conv2d", "padding_same_even", [randn(1, 2, 4, 5), randn(2, 2, 2, 2), None], {"padding_same": True})
case("conv2d", "transposed", [T(randn(1, 2, 5, 6)), T(randn(3, 2, 3, 2)), randn(3)], {"stride": 2})
case("conv2d", "float64", [randn(1, 2, 4, 4, dtype=f64), randn(2, 2, 3, 3, dtype=f64), randn(2, dtype=f64)])
seed("conv_transpose2d")
case("conv_transpose2d", "plain", [randn(1, 2, 3, 3), randn(2, 3, 3, 3), randn(3)])
case("conv_transpose2d", "stride2_pad1_outpad1", [randn(2, 2, 3, 3), randn(2, 2, 3, 3), randn(2)],
     {"stride": 2, "padding": 1, "output_padding": 1})
case("conv_transpose2d", "groups2", [randn(1, 4, 3, 3), randn(4, 1, 2, 2), randn(2)], {"groups": 2})
case("conv_transpose2d", "dilation2_nobias", [randn(1, 2, 3, 3), randn(2, 2, 2, 2), None], {"dilation": 2})
case("conv_transpose2d", "rect_stride", [randn(1, 2, 3, 2), randn(2, 2, 3, 2), randn(2)], {"stride": [1, 2]})
case("conv_transpose2d", "transposed", [T(randn(1, 2, 3, 4)), randn(2, 2, 3, 3), randn(2)], {"stride": 2})
seed("max_pool2d")
case("max_pool2d", "k2", [distinct(1, 2, 4, 4)], {"kernel_size": [2, 2]})
case("max_pool2d", "k3_s2_p1", [distinct(2, 2, 5, 5)], {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1]})
case("max_pool2d", "ceil_mode", [distinct(1, 2, 5, 5)], {"kernel_size": [2, 2], "ceil_mode": True})
case("max_pool2d", "dilation2", [distinct(1, 1, 5, 5)], {"kernel_size": [2, 2], "stride": [1, 1], "dilation": [2, 2]})
case("max_pool2d", "rect", [distinct(1, 2, 4, 6)], {"kernel_size": [2, 3], "stride": [1, 2]})
case("max_pool2d", "transposed", [T(distinct(1, 2, 4, 6))], {"kernel_size": [2, 2]})
seed("avg_pool2d")
case("avg_pool2d", "k2", [randn(1, 2, 4, 4)], {"kernel_size": [2, 2]})
case("avg_pool2d", "k3_s2_p1", [randn(2, 2, 5, 5)], {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1]})
case("avg_pool2d", "k3_s2_p1_exclude_pad", [randn(1, 2, 5, 5)],
     {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1], "count_include_pad": False})
case("avg_pool2d", "ceil_mode", [randn(1, 2, 5, 5)], {"kernel_size": [2, 2], "ceil_mode": True})
case("avg_pool2d", "rect", [randn(1, 2, 4, 6)], {"kernel_size": [2, 3], "stride": [1, 2]})
case("avg_pool2d", "transposed", [T(randn(1, 2, 4, 6))], {"kernel_size": [2, 2]})
seed("adaptive_avg_pool2d")
case("adaptive_avg_pool2d", "even", [randn(1, 2, 6, 6)], {"output_size": [2, 3]})
case("adaptive_avg_pool2d", "uneven", [randn(2, 2, 5, 7)], {"output_size": [3, 3]})
case("adaptive_avg_pool2d", "global", [randn(1, 3, 4, 4)], {"output_size": [1, 1]})
case("adaptive_avg_pool2d", "upsample", [randn(1, 1, 2, 3)], {"output_size": [3, 4]})
case("adaptive_avg_pool2d", "transposed", [T(randn(1, 2, 5, 6))], {"output_size": [2, 2]})
seed("batch_norm")
case("batch_norm", "train_4d", [randn(2, 3, 2, 3), randn(3) * 0.1, pos(3), pos(3), randn(3)],
     {"training": True}, nograd=(1, 2))
case("batch_norm", "eval_4d", [randn(2, 3, 2, 3), randn(3) * 0.1, pos(3), pos(3), randn(3)],
     {"training": False}, nograd=(1, 2))
case("batch_norm", "train_no_running_stats", [randn(4, 3), None, None, pos(3), randn(3)], {"training": True})
case("batch_norm", "train_no_affine_momentum", [randn(4, 3), randn(3), pos(3), None, None],
     {"training": True, "momentum": 0.3, "eps": 1e-3}, nograd=(1, 2))
case("batch_norm", "train_3d_transposed", [T(randn(2, 3, 4)), randn(3), pos(3), pos(3), randn(3)],
     {"training": True}, nograd=(1, 2))
case("batch_norm", "eval_float64", [randn(4, 2, dtype=f64), randn(2, dtype=f64), pos(2, dtype=f64),
                                    pos(2, dtype=f64), randn(2, dtype=f64)], {"training": False}, nograd=(1, 2))
seed("batch_norm_relu")
case("batch_norm_relu", "train_4d", [randn(2, 3, 2, 3), randn(3) * 0.1, pos(3), pos(3), randn(3)],
     {"training": True}, nograd=(1, 2))
case("batch_norm_relu", "train_4d_no_affine", [randn(3, 2, 3, 2), randn(2), pos(2), None, None],
     {"training": True, "momentum": 0.3, "eps": 1e-3}, nograd=(1, 2))
case("batch_norm_relu", "train_3d_transposed", [T(randn(2, 3, 4)), randn(3), pos(3), pos(3), randn(3)],
     {"training": True}, nograd=(1, 2))
case("batch_norm_relu", "train_2d", [randn(5, 3), randn(3), pos(3), pos(3), randn(3)], {"training": True},
     nograd=(1, 2))
case("batch_norm_relu", "eval_4d", [randn(2, 3, 2, 3), randn(3) * 0.1, pos(3), pos(3), randn(3)],
     {"training": False}, nograd=(1, 2))
seed("layer_norm")
case("layer_norm", "last_dim", [randn(2, 3, 4), pos(4), randn(4)], {"normalized_shape": [4]})
case("layer_norm", "two_dims", [randn(2, 3, 4), pos(3, 4), randn(3, 4)], {"normalized_shape": [3, 4]})
case("layer_norm", "no_affine_eps", [randn(3, 5), None, None], {"normalized_shape": [5], "eps": 1e-3})
case("layer_norm", "transposed", [T(randn(2, 3, 4)), pos(4), randn(4)], {"normalized_shape": [4]})
case("layer_norm", "float64", [randn(3, 4, dtype=f64), pos(4, dtype=f64), randn(4, dtype=f64)],
     {"normalized_shape": [4]})
seed("group_norm")
case("group_norm", "3d", [randn(2, 4, 3), pos(4), randn(4)], {"num_groups": 2})
case("group_norm", "4d", [randn(2, 6, 2, 2), pos(6), randn(6)], {"num_groups": 3})
case("group_norm", "no_affine_eps", [randn(2, 4, 3), None, None], {"num_groups": 4, "eps": 1e-3})
case("group_norm", "transposed", [T(randn(2, 4, 3)), pos(4), randn(4)], {"num_groups": 1})
seed("dropout")
case("dropout", "eval", [randn(2, 3)], {"p": 0.5, "training": False})
case("dropout", "p0_train", [randn(2, 3)], {"p": 0.0, "training": True})
case("dropout", "p1_train", [randn(2, 3)], {"p": 1.0, "training": True})
case("dropout", "transposed_eval", [T(randn(3, 4))], {"p": 0.3, "training": False})
seed("embedding")
case("embedding", "2d_indices", [torch.tensor([[0, 2, 1], [2, 2, 3]]), randn(4, 3)])
case("embedding", "padding_idx", [torch.tensor([0, 2, 1, 2]), randn(4, 3)], {"padding_idx": 2}, gradcheck=False)
case("embedding", "transposed_weight", [torch.tensor([3, 0, 3]), T(randn(4, 3))])
case("embedding", "float64", [torch.tensor([1, 0]), randn(3, 2, dtype=f64)])
for op in ["elu", "silu"]:
    unary_cases(op, away)
case("elu", "alpha", [away(2, 3)], {"alpha": 0.5})
case("elu", "alpha_transposed", [T(away(3, 4))], {"alpha": 2.0})

# ---- ops-nn block: activations, prelu, pixel shuffle, avg_pool2d divisor_override, interpolate ----
FNS.update({
    "hardtanh": lambda x, a: F.hardtanh(x[0], a.get("min_val", -1.0), a.get("max_val", 1.0)),
    "celu": lambda x, a: F.celu(x[0], a.get("alpha", 1.0)),
    "mish": lambda x, a: F.mish(x[0]),
    "hardswish": lambda x, a: F.hardswish(x[0]),
    "hardsigmoid": lambda x, a: F.hardsigmoid(x[0]),
    "logsigmoid": lambda x, a: F.logsigmoid(x[0]),
    "softsign": lambda x, a: F.softsign(x[0]),
    "avg_pool2d": lambda x, a: F.avg_pool2d(x[0], a["kernel_size"], a.get("stride"), a.get("padding", 0),
                                            ceil_mode=a.get("ceil_mode", False),
                                            count_include_pad=a.get("count_include_pad", True),
                                            divisor_override=a.get("divisor_override")),
    "interpolate": lambda x, a: F.interpolate(x[0], size=a.get("size"), scale_factor=a.get("scale_factor"),
                                              mode=a.get("mode", "nearest"), align_corners=a.get("align_corners"),
                                              recompute_scale_factor=a.get("recompute_scale_factor")),
})


def off_kinks(points, scale=1.0):
    """randn * scale moved away from the activation's kinks."""
    return lambda *s, dtype=torch.float32: avoid(randn(*s, dtype=dtype) * scale, points)


unary_cases("hardtanh", off_kinks([-1.0, 1.0], 1.5), int_input=lambda: randint(-3, 4, 2, 3))
case("hardtanh", "bounds", [off_kinks([-2.0, 0.5], 2.0)(2, 3)], {"min_val": -2.0, "max_val": 0.5})
case("hardtanh", "relu6_transposed", [T(off_kinks([0.0, 6.0], 4.0)(3, 4))], {"min_val": 0.0, "max_val": 6.0})
unary_cases("selu", off_kinks([0.0], 2.0))
unary_cases("celu", off_kinks([0.0], 2.0))
case("celu", "alpha", [off_kinks([0.0], 2.0)(2, 3)], {"alpha": 0.5})
case("celu", "alpha_transposed", [T(off_kinks([0.0], 2.0)(3, 4))], {"alpha": 2.0})
unary_cases("mish", lambda *s, dtype=torch.float32: randn(*s, dtype=dtype) * 3)
unary_cases("hardswish", off_kinks([-3.0, 3.0], 3.0))
unary_cases("hardsigmoid", off_kinks([-3.0, 3.0], 3.0))
unary_cases("logsigmoid", lambda *s, dtype=torch.float32: randn(*s, dtype=dtype) * 4)
unary_cases("softsign", lambda *s, dtype=torch.float32: randn(*s, dtype=dtype) * 3,
            int_input=lambda: randint(-5, 5, 2, 3))
for op in ["hardtanh", "selu", "celu", "mish", "hardswish", "hardsigmoid", "logsigmoid", "softsign"]:
    case(op, "large", [torch.tensor([[-60.0, -25.0, -8.0], [8.0, 25.0, 60.0]])])
# PyTorch's gradients at the kinks (conventions, no finite differences)
case("hardtanh", "at_bounds", [torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 2.0, 0.5]])], gradcheck=False)
case("hardswish", "at_kinks", [torch.tensor([[-3.0, 0.0, 3.0], [-4.0, 4.0, 1.0]])], gradcheck=False)
case("hardsigmoid", "at_kinks", [torch.tensor([[-3.0, 0.0, 3.0], [-4.0, 4.0, 1.0]])], gradcheck=False)
case("selu", "at_zero", [torch.tensor([[-1.0, 0.0, 2.0], [-0.0, 3.0, -3.0]])], gradcheck=False)
case("celu", "at_zero", [torch.tensor([[-1.0, 0.0, 2.0], [-0.0, 3.0, -3.0]])], {"alpha": 0.5}, gradcheck=False)

seed("prelu")
case("prelu", "one_slope", [away(2, 3, 4), torch.tensor([0.25])])
case("prelu", "per_channel", [away(2, 3, 4, 2), pos(3, lo=0.1, hi=0.5)])
case("prelu", "per_channel_2d", [away(4, 3), randn(3)])
case("prelu", "one_slope_1d", [away(5), torch.tensor([-0.3])])
case("prelu", "zerodim_weight", [away(2, 3), torch.tensor(0.4)])
case("prelu", "transposed", [T(away(2, 3, 4)), pos(3)])
case("prelu", "float64", [away(2, 3, 2, dtype=f64), pos(3, dtype=f64)])

seed("pixel_shuffle")
case("pixel_shuffle", "r2", [randn(1, 8, 2, 3)], {"upscale_factor": 2})
case("pixel_shuffle", "r3_batch2", [randn(2, 9, 2, 2)], {"upscale_factor": 3})
case("pixel_shuffle", "3d", [randn(4, 2, 3)], {"upscale_factor": 2})
case("pixel_shuffle", "5d_transposed", [T(randn(2, 1, 4, 3, 2))], {"upscale_factor": 2})
case("pixel_shuffle", "float64", [randn(1, 4, 2, 2, dtype=f64)], {"upscale_factor": 2})
seed("pixel_unshuffle")
case("pixel_unshuffle", "r2", [randn(1, 2, 4, 6)], {"downscale_factor": 2})
case("pixel_unshuffle", "r3_batch2", [randn(2, 1, 3, 6)], {"downscale_factor": 3})
case("pixel_unshuffle", "3d", [randn(1, 4, 2)], {"downscale_factor": 2})
case("pixel_unshuffle", "5d_transposed", [T(randn(2, 1, 2, 4, 4))], {"downscale_factor": 2})
case("pixel_unshuffle", "float64", [randn(1, 2, 4, 4, dtype=f64)], {"downscale_factor": 2})

seed("avg_pool2d_divisor")
case("avg_pool2d", "divisor_override", [randn(1, 2, 4, 4)], {"kernel_size": [2, 2], "divisor_override": 3})
case("avg_pool2d", "divisor_override_pad_ceil", [randn(2, 2, 5, 5)],
     {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1], "ceil_mode": True, "divisor_override": 5})
case("avg_pool2d", "divisor_override_3d", [randn(2, 4, 6)], {"kernel_size": [2, 3], "divisor_override": 2})

seed("interpolate")
for mode in ["nearest", "nearest-exact", "bilinear", "bicubic"]:
    ac = [None] if mode.startswith("nearest") else [None, True]
    for align in ac:
        tag = mode.replace("-", "_") + ("_align" if align else "")
        extra = {"mode": mode} | ({"align_corners": True} if align else {})
        case("interpolate", tag + "_up_size", [randn(1, 2, 3, 4)], {"size": [5, 7]} | extra)
        case("interpolate", tag + "_down_size", [randn(2, 1, 6, 7)], {"size": [4, 3]} | extra)
        case("interpolate", tag + "_scale", [randn(1, 2, 4, 5)], {"scale_factor": 1.5} | extra)
        case("interpolate", tag + "_scale_recompute", [randn(1, 1, 5, 3)],
             {"scale_factor": 1.7, "recompute_scale_factor": True} | extra)
        case("interpolate", tag + "_transposed", [T(randn(1, 2, 4, 3))], {"scale_factor": 2.0} | extra)
        case("interpolate", tag + "_float64", [randn(1, 2, 3, 3, dtype=f64)], {"size": [4, 2]} | extra)
for mode in ["nearest", "nearest-exact", "linear"]:
    ac = [None] if mode.startswith("nearest") else [None, True]
    for align in ac:
        tag = "1d_" + mode.replace("-", "_") + ("_align" if align else "")
        extra = {"mode": mode} | ({"align_corners": True} if align else {})
        case("interpolate", tag + "_size", [randn(2, 3, 5)], {"size": [8]} | extra)
        case("interpolate", tag + "_scale", [randn(1, 2, 6)], {"scale_factor": 0.6} | extra)
        case("interpolate", tag + "_float64", [randn(1, 2, 4, dtype=f64)], {"size": [7]} | extra)
case("interpolate", "bilinear_to_one", [randn(1, 1, 3, 4)], {"size": [1, 1], "mode": "bilinear", "align_corners": True})
case("interpolate", "bicubic_x2_float64", [randn(1, 1, 3, 3, dtype=f64)], {"scale_factor": 2.0, "mode": "bicubic"})
case("interpolate", "area", [randn(1, 2, 6, 5)], {"size": [3, 2], "mode": "area"})
case("interpolate", "area_scale_1d", [randn(1, 2, 9)], {"scale_factor": 0.5, "mode": "area"})

# ---- losses -------------------------------------------------------------------------------------
def loss_cases(op, make_pair, extra=None):
    """make_pair(*shape, dtype) -> (input, target)."""
    seed(op)
    a, b = make_pair(2, 3)
    case(op, "mean", [a, b])
    a, b = make_pair(3, 4)
    case(op, "sum", [a, b], {"reduction": "sum"})
    a, b = make_pair(2, 3)
    case(op, "none", [a, b], {"reduction": "none"})
    a, b = make_pair(3, 4)
    case(op, "transposed", [T(a), b], dict(extra or {}))
    a, b = make_pair(2, 3, dtype=f64)
    case(op, "float64", [a, b], {"reduction": "sum"})


def shifted(gen):
    """(input, target) with input - target drawn from gen (away from the loss's kinks)."""
    def make(*s, dtype=torch.float32):
        x = randn(*s, dtype=dtype)
        return x, x - gen(*s, dtype=dtype)
    return make


loss_cases("mse_loss", lambda *s, dtype=torch.float32: (randn(*s, dtype=dtype), randn(*s, dtype=dtype)))
loss_cases("l1_loss", shifted(away))
loss_cases("smooth_l1_loss", shifted(lambda *s, dtype: avoid(away(*s, dtype=dtype), [-1.0, 1.0])))
case("smooth_l1_loss", "beta", [*shifted(lambda *s, dtype: avoid(away(*s, dtype=dtype), [-0.5, 0.5]))(3, 4)],
     {"beta": 0.5, "reduction": "none"})
loss_cases("huber_loss", shifted(lambda *s, dtype: avoid(away(*s, dtype=dtype), [-1.0, 1.0])))
case("huber_loss", "delta", [*shifted(lambda *s, dtype: avoid(away(*s, dtype=dtype), [-0.5, 0.5]))(3, 4)],
     {"delta": 0.5, "reduction": "sum"})

seed("binary_cross_entropy")
def probs(*s, dtype=torch.float32):
    return pos(*s, dtype=dtype, lo=0.05, hi=0.95)
case("binary_cross_entropy", "mean", [probs(2, 3), probs(2, 3), None])
case("binary_cross_entropy", "weight_sum", [probs(3, 4), probs(3, 4), pos(3, 4)], {"reduction": "sum"}, nograd=(2,))
case("binary_cross_entropy", "hard_targets_none", [probs(2, 3), boolean(2, 3).float(), None], {"reduction": "none"})
case("binary_cross_entropy", "transposed", [T(probs(3, 4)), probs(3, 4), None])
case("binary_cross_entropy", "float64", [probs(2, 3, dtype=f64), probs(2, 3, dtype=f64), None])
seed("binary_cross_entropy_with_logits")
case("binary_cross_entropy_with_logits", "mean", [randn(2, 3), probs(2, 3), None, None])
case("binary_cross_entropy_with_logits", "weight_sum", [randn(3, 4), probs(3, 4), pos(3, 4), None],
     {"reduction": "sum"}, nograd=(2,))
case("binary_cross_entropy_with_logits", "pos_weight_none", [randn(2, 3), probs(2, 3), None, pos(3)],
     {"reduction": "none"}, nograd=(3,))
case("binary_cross_entropy_with_logits", "large_logits", [torch.tensor([[-120.0, 50.0, 0.5], [30.0, -40.0, 3.0]]),
                                                          probs(2, 3), None, None])
case("binary_cross_entropy_with_logits", "transposed", [T(randn(3, 4)), probs(3, 4), None, None])
case("binary_cross_entropy_with_logits", "float64", [randn(2, 3, dtype=f64), probs(2, 3, dtype=f64), None, None])
seed("cross_entropy")
case("cross_entropy", "indices", [randn(4, 5), torch.tensor([1, 0, 4, 1]), None])
case("cross_entropy", "weight_sum", [randn(4, 5), torch.tensor([1, 0, 4, 2]), pos(5)], {"reduction": "sum"},
     nograd=(2,))
case("cross_entropy", "weight_mean", [randn(4, 5), torch.tensor([1, 0, 4, 2]), pos(5)], nograd=(2,))
case("cross_entropy", "none", [randn(3, 4), torch.tensor([3, 0, 1]), None], {"reduction": "none"})
case("cross_entropy", "ignore_index", [randn(4, 5), torch.tensor([1, 3, 1, 2]), None], {"ignore_index": 1})
case("cross_entropy", "label_smoothing", [randn(4, 5), torch.tensor([1, 0, 4, 1]), None], {"label_smoothing": 0.1})
case("cross_entropy", "probs", [randn(3, 4), torch.softmax(randn(3, 4), 1), None])
case("cross_entropy", "spatial", [randn(2, 3, 2, 2), torch.tensor([[[0, 2], [1, 1]], [[2, 0], [0, 1]]]), None])
case("cross_entropy", "transposed", [T(randn(4, 5)), torch.tensor([2, 0, 4, 3]), None])
case("cross_entropy", "large_logits", [randn(2, 3) * 30 + 100, torch.tensor([2, 0]), None])
case("cross_entropy", "float64", [randn(3, 4, dtype=f64), torch.tensor([3, 0, 1]), None])
seed("nll_loss")
case("nll_loss", "mean", [torch.log_softmax(randn(4, 5), 1), torch.tensor([1, 0, 4, 1]), None])
case("nll_loss", "weight_mean", [torch.log_softmax(randn(4, 5), 1), torch.tensor([1, 0, 4, 2]), pos(5)],
     nograd=(2,))
case("nll_loss", "sum", [torch.log_softmax(randn(3, 4), 1), torch.tensor([3, 0, 1]), None], {"reduction": "sum"})
case("nll_loss", "none", [torch.log_softmax(randn(3, 4), 1), torch.tensor([3, 0, 1]), None], {"reduction": "none"})
case("nll_loss", "ignore_index", [torch.log_softmax(randn(4, 5), 1), torch.tensor([1, 3, 1, 2]), pos(5)],
     {"ignore_index": 1}, nograd=(2,))
case("nll_loss", "spatial", [torch.log_softmax(randn(2, 3, 2, 2), 1),
                             torch.tensor([[[0, 2], [1, 1]], [[2, 0], [0, 1]]]), None])
case("nll_loss", "transposed", [T(torch.log_softmax(randn(4, 5), 1)), torch.tensor([2, 0, 4, 3]), None])
seed("kl_div")
case("kl_div", "mean", [torch.log_softmax(randn(3, 4), 1), torch.softmax(randn(3, 4), 1)])
case("kl_div", "sum", [torch.log_softmax(randn(3, 4), 1), torch.softmax(randn(3, 4), 1)], {"reduction": "sum"})
case("kl_div", "none", [torch.log_softmax(randn(2, 3), 1), torch.softmax(randn(2, 3), 1)], {"reduction": "none"})
case("kl_div", "log_target", [torch.log_softmax(randn(3, 4), 1), torch.log_softmax(randn(3, 4), 1)],
     {"reduction": "sum", "log_target": True})
case("kl_div", "transposed", [T(torch.log_softmax(randn(3, 4), 0)), torch.softmax(randn(3, 4), 1)],
     {"reduction": "sum"})
case("kl_div", "float64", [torch.log_softmax(randn(2, 3, dtype=f64), 1), torch.softmax(randn(2, 3, dtype=f64), 1)])


# ---- PyTorch's conventions at non-differentiable points (golden gradients only, no gradcheck) ------
KINK = dict(gradcheck=False)
case("relu", "at_zero", [torch.tensor([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.0]])], **KINK)
case("leaky_relu", "at_zero", [torch.tensor([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.0]])], {"negative_slope": 0.2}, **KINK)
case("abs", "at_zero", [torch.tensor([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.0]])], **KINK)
case("sign", "at_zero", [torch.tensor([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.0]])], **KINK)
case("clamp", "at_bounds", [torch.tensor([[-0.5, 0.0, 0.5], [-1.0, 1.0, 0.25]])], {"min": -0.5, "max": 0.5}, **KINK)
case("clamp", "min_above_max", [torch.tensor([[-0.5, 0.0, 0.5], [-1.0, 1.0, 0.25]])], {"min": 0.5, "max": -0.5}, **KINK)
case("floor", "at_integers", [torch.tensor([[-1.0, 0.0, 2.0], [0.5, 3.0, -2.5]])], **KINK)
case("maximum", "ties", [torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), torch.tensor([1.0, 0.0, 3.0])], **KINK)
case("minimum", "ties", [torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), torch.tensor([1.0, 0.0, 3.0])], **KINK)
case("max", "full_ties", [torch.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 3.0]])], **KINK)
case("min", "full_ties", [torch.tensor([[1.0, 0.0, 3.0], [0.0, 2.0, 0.0]])], **KINK)
case("norm", "zero_row", [torch.tensor([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])], {"p": 2, "dims": [1]}, **KINK)
case("pow", "zero_base", [torch.tensor([[0.0, 1.5, 0.0], [2.0, 0.0, 0.5]]), pos(2, 3, lo=1.5, hi=2.5)], **KINK)
case("pow_scalar", "exponent_zero", [torch.tensor([[0.0, 1.5, -2.0], [2.0, 0.0, 0.5]])], {"exponent": 0}, **KINK)
case("sqrt", "at_zero_forward", [torch.tensor([0.0, 4.0, 2.25])], grad=False)

# ---- more dtypes and edge cases -----------------------------------------------------------------
seed("edge")
case("add", "int32_uint8", [randint(-50, 50, 2, 3, dtype=torch.int32), randint(0, 200, 3, dtype=torch.uint8)])
case("mul", "uint8_wraps", [torch.tensor([200, 17, 255], dtype=torch.uint8), torch.tensor([2, 15, 255], dtype=torch.uint8)])
case("div", "int32", [randint(-9, 9, 2, 3, dtype=torch.int32), randint(1, 5, 2, 3, dtype=torch.int32)])
case("sum", "uint8", [torch.tensor([[200, 100], [255, 1]], dtype=torch.uint8)])
case("neg", "int32", [randint(-9, 9, 2, 3, dtype=torch.int32)])
case("view", "from_zerodim", [randn()], {"shape": [-1]})
case("reshape", "zerodim_to_1x1", [randn()], {"shape": [1, 1]})
case("index", "negative_tensor", [randn(3, 4), torch.tensor([-1, 0, -3])], {"indices": "t1"})
case("softmax", "size1_dim", [randn(3, 1)], {"dim": 1})
case("lt", "int64_scalar_f64", [randint(-3, 3, 2, 3), torch.tensor(0.5, dtype=f64)])
case("eq", "bool_bool", [boolean(2, 3), boolean(2, 3)])

def check_coverage():
    names = [c["name"] for c in CASES]
    dup = {n for n in names if names.count(n) > 1}
    assert not dup, f"duplicate case names: {sorted(dup)}"
    missing = [op for op, _, _ in OPS if not any(c["op"] == op for c in CASES)]
    unknown = sorted({c["op"] for c in CASES} - {op for op, _, _ in OPS})
    no_grad = [op for op, _, diff in OPS if diff and not any(c["op"] == op and c["grads"] for c in CASES)]
    errors = []
    if missing:
        errors.append(f"ops without a case: {missing}")
    if unknown:
        errors.append(f"cases for ops not in the table: {unknown}")
    if no_grad:
        errors.append(f"differentiable ops without a gradient case: {no_grad}")
    if errors:
        sys.exit("gen_golden.py: " + "; ".join(errors))


def main():
    check_coverage()
    write_cases(OUT, "tests/golden/gen_golden.py", torch.__version__, CASES, "op")

if __name__ == "__main__":
    main()
