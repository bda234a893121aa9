"""torch_runner.py — runs an ONNX graph with PyTorch's kernels, node by node, as the ONNX operator
specification defines each node (https://onnx.ai/onnx/operators/). The second runtime of
check_onnx.py: it takes the files as exported (symbolic batch, opset-13 forms), where OpenCV 4.6 needs
adaptations, and it runs what OpenCV cannot (reductions, DepthToSpace). The recurrent nodes are written
from the specification's equations, not with torch.nn.GRU/LSTM, so the gate order is checked against
the spec rather than against the PyTorch layout the exporter started from.
"""
import numpy as np
import torch
import torch.nn.functional as F
from onnx import numpy_helper

DTYPES = {1: torch.float32, 6: torch.int32, 7: torch.int64, 9: torch.bool, 11: torch.float64}


def attrs(node):
    from onnx import helper

    def text(v):  # STRING and STRINGS attributes come as bytes
        return v.decode() if isinstance(v, bytes) else [text(e) for e in v] if isinstance(v, list) else v
    return {a.name: text(helper.get_attribute_value(a)) for a in node.attribute}


def symmetric(pads, spatial):
    assert list(pads[:spatial]) == list(pads[spatial:]), f"asymmetric pads {pads}"
    return list(pads[:spatial])


def reshape(x, shape):
    shape = [x.shape[i] if s == 0 else s for i, s in enumerate(shape.tolist())]  # 0 copies (allowzero = 0)
    return x.reshape(shape)


def conv(x, w, b=None, kernel_shape=None, pads=None, strides=None, dilations=None, group=1, **_):
    spatial = w.dim() - 2
    pads = pads or [0] * 2 * spatial
    if list(pads[:spatial]) != list(pads[spatial:]):
        x = F.pad(x, [p for i in reversed(range(spatial)) for p in (pads[i], pads[i + spatial])])
        pads = [0] * 2 * spatial
    f = F.conv1d if spatial == 1 else F.conv2d
    return f(x, w, b, strides or 1, pads[:spatial], dilations or 1, group)


def gemm(a, b, c=None, transA=0, transB=0, alpha=1.0, beta=1.0, **_):
    y = alpha * ((a.T if transA else a) @ (b.T if transB else b))
    return y if c is None else y + beta * c


def gather(data, idx, axis=0, **_):
    out = torch.index_select(data, axis, idx.reshape(-1).long())
    return out.reshape(data.shape[:axis] + idx.shape + data.shape[axis + 1:])


def slice_(x, starts, ends, axes=None, steps=None):
    axes = axes.tolist() if axes is not None else list(range(len(starts)))
    steps = steps.tolist() if steps is not None else [1] * len(axes)
    index = [slice(None)] * x.dim()
    for s, e, a, st in zip(starts.tolist(), ends.tolist(), axes, steps):
        index[a] = slice(s, min(e, x.shape[a]), st)
    return x[tuple(index)]


def reduce(op, x, axes, keepdims=1):
    axes = [a % x.dim() for a in (axes if axes is not None else range(x.dim()))]
    return op(x, dim=axes, keepdim=bool(keepdims))


def resize(x, roi, scales, mode="nearest", coordinate_transformation_mode="half_pixel", nearest_mode="round_prefer_floor",
           **_):
    spatial = scales[2:].tolist()
    ctm, mode = coordinate_transformation_mode, mode
    if mode == "nearest":
        kind = {("asymmetric", "floor"): "nearest", ("half_pixel", "round_prefer_ceil"): "nearest-exact"}[(ctm, nearest_mode)]
        return F.interpolate(x, scale_factor=spatial, mode=kind)
    torch_mode = {"linear": {1: "linear", 2: "bilinear"}[len(spatial)], "cubic": "bicubic"}[mode]
    assert ctm in ("pytorch_half_pixel", "align_corners"), ctm
    return F.interpolate(x, scale_factor=spatial, mode=torch_mode, align_corners=ctm == "align_corners")


def depth_to_space(x, blocksize, mode="DCR", **_):
    b, c, h, w = x.shape
    r = blocksize
    assert mode == "CRD"
    return x.reshape(b, c // (r * r), r, r, h, w).permute(0, 1, 4, 2, 5, 3).reshape(b, c // (r * r), h * r, w * r)


def recurrent(op, a, X, W, R, B=None, seq_lens=None, h0=None, c0=None):
    """GRU / LSTM / RNN as the ONNX specification writes them (layout 0: X [T, N, I])."""
    D, G, H = W.shape[0], W.shape[1] // a["hidden_size"], a["hidden_size"]
    T, N = X.shape[0], X.shape[1]
    B = B if B is not None else torch.zeros(D, 2 * G * H)
    Y, Yh, Yc = torch.zeros(T, D, N, H), torch.zeros(D, N, H), torch.zeros(D, N, H)
    act = torch.relu if (a.get("activations") or ["Tanh"])[0] == "Relu" else torch.tanh
    for d in range(D):
        h = h0[d] if h0 is not None else torch.zeros(N, H)
        c = c0[d] if c0 is not None else torch.zeros(N, H)
        w, r = W[d].split(H), R[d].split(H)
        wb, rb = B[d][:G * H].split(H), B[d][G * H:].split(H)
        for t in (reversed(range(T)) if d == 1 else range(T)):
            x = X[t]
            lin = lambda g: x @ w[g].T + wb[g]  # noqa: E731
            rec = lambda g: h @ r[g].T + rb[g]  # noqa: E731
            if op == "GRU":  # gates z, r, h
                z, rr = torch.sigmoid(lin(0) + rec(0)), torch.sigmoid(lin(1) + rec(1))
                assert a.get("linear_before_reset", 0) == 1
                hh = torch.tanh(lin(2) + rr * rec(2))
                h = (1 - z) * hh + z * h
            elif op == "LSTM":  # gates i, o, f, c
                i, o, f = (torch.sigmoid(lin(g) + rec(g)) for g in (0, 1, 2))
                c = f * c + i * torch.tanh(lin(3) + rec(3))
                h = o * torch.tanh(c)
            else:
                h = act(lin(0) + rec(0))
            Y[t, d] = h
        Yh[d], Yc[d] = h, c
    return (Y, Yh, Yc) if op == "LSTM" else (Y, Yh)


UNARY = {"Relu": torch.relu, "Sigmoid": torch.sigmoid, "Tanh": torch.tanh, "Erf": torch.erf, "Sqrt": torch.sqrt,
         "Neg": torch.neg, "Exp": torch.exp, "Log": torch.log, "Abs": torch.abs, "Floor": torch.floor,
         "Ceil": torch.ceil, "Round": torch.round, "Sign": torch.sign, "Sin": torch.sin, "Cos": torch.cos,
         "Reciprocal": torch.reciprocal, "Softsign": F.softsign, "Selu": torch.selu, "Identity": lambda x: x,
         "Softplus": F.softplus}
BINARY = {"Add": torch.add, "Sub": torch.sub, "Mul": torch.mul, "Div": torch.div, "Pow": torch.pow,
          "Max": torch.maximum, "Min": torch.minimum, "MatMul": torch.matmul}


def run_node(n, ins, a):
    op = n.op_type
    if op in UNARY:
        return UNARY[op](ins[0])
    if op in BINARY:
        return BINARY[op](*ins)
    table = {
        "Conv": lambda: conv(*ins, **a),
        "ConvTranspose": lambda: F.conv_transpose2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a["strides"],
                                                    symmetric(a["pads"], 2), a.get("output_padding", 0),
                                                    a.get("group", 1), a.get("dilations", 1)),
        "BatchNormalization": lambda: F.batch_norm(ins[0], ins[3], ins[4], ins[1], ins[2], False, 0.0,
                                                   a.get("epsilon", 1e-5)),
        "LeakyRelu": lambda: F.leaky_relu(ins[0], a.get("alpha", 0.01)),
        "Elu": lambda: F.elu(ins[0], a.get("alpha", 1.0)),
        "Celu": lambda: F.celu(ins[0], a.get("alpha", 1.0)),
        "HardSigmoid": lambda: torch.clamp(a.get("alpha", 0.2) * ins[0] + a.get("beta", 0.5), 0, 1),
        "PRelu": lambda: torch.where(ins[0] < 0, ins[1] * ins[0], ins[0]),
        "Clip": lambda: torch.clamp(ins[0], ins[1], ins[2]),
        "MaxPool": lambda: F.max_pool2d(ins[0], a["kernel_shape"], a["strides"], symmetric(a["pads"], 2),
                                        a.get("dilations", 1), bool(a.get("ceil_mode", 0))),
        "AveragePool": lambda: F.avg_pool2d(ins[0], a["kernel_shape"], a["strides"], symmetric(a.get("pads", [0] * 4), 2),
                                            bool(a.get("ceil_mode", 0)), bool(a.get("count_include_pad", 0))),
        "GlobalAveragePool": lambda: ins[0].mean(dim=(2, 3), keepdim=True),
        "GlobalMaxPool": lambda: ins[0].amax(dim=(2, 3), keepdim=True),
        "Flatten": lambda: ins[0].reshape(int(np.prod(ins[0].shape[:a.get("axis", 1)])), -1),
        "Reshape": lambda: reshape(ins[0], ins[1]),
        "Transpose": lambda: ins[0].permute(a["perm"]),
        "Gemm": lambda: gemm(*ins, **a),
        "Concat": lambda: torch.cat(ins, a["axis"]),
        "Gather": lambda: gather(*ins, **a),
        "Slice": lambda: slice_(*ins),
        "Cast": lambda: ins[0].to(DTYPES[a["to"]]),
        "Softmax": lambda: torch.softmax(ins[0], a.get("axis", -1)),
        "LogSoftmax": lambda: torch.log_softmax(ins[0], a.get("axis", -1)),
        "ReduceSum": lambda: reduce(torch.sum, ins[0], ins[1].tolist() if len(ins) > 1 else None, a.get("keepdims", 1)),
        "ReduceMean": lambda: reduce(torch.mean, ins[0], a.get("axes"), a.get("keepdims", 1)),
        "ReduceMax": lambda: reduce(torch.amax, ins[0], a.get("axes"), a.get("keepdims", 1)),
        "ReduceMin": lambda: reduce(torch.amin, ins[0], a.get("axes"), a.get("keepdims", 1)),
        "Resize": lambda: resize(*ins[:3], **a),
        "DepthToSpace": lambda: depth_to_space(ins[0], **a),
        "Expand": lambda: torch.broadcast_to(ins[0], torch.broadcast_shapes(ins[0].shape, tuple(ins[1].tolist()))),
    }
    if op in ("GRU", "LSTM", "RNN"):
        ins = ins + [None] * (7 - len(ins))
        return recurrent(op, a, ins[0], ins[1], ins[2], ins[3], ins[4], ins[5], ins[6])
    if op not in table:
        raise NotImplementedError(f"torch_runner: no {op}")
    return table[op]()


def run(model, x):
    values = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    values[model.graph.input[0].name] = torch.from_numpy(np.array(x))  # a writable copy
    values[""] = None
    with torch.no_grad():
        for n in model.graph.node:
            out = run_node(n, [values[i] if i else None for i in n.input], attrs(n))
            for name, v in zip(n.output, out if isinstance(out, tuple) else (out,)):
                values[name] = v
    return values[model.graph.output[0].name].numpy()
