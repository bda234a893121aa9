#!/usr/bin/python3
"""Generates tests/golden/modules.json: whole torch.nn layers and losses run by PyTorch (the oracle), with
their weights, so tests/nn/modules_golden_test.cpp can load the same state_dict into the nabla module and
compare outputs, gradients of inputs and parameters, and updated buffers. Run with Debian's python3-torch:

    /usr/bin/python3 tests/golden/gen_modules_golden.py

Deterministic: each case seeds torch from its name. Shapes are tiny to keep the file small.
See tests/golden/README.md for the format.
"""
import json
import os
import struct
import sys
import warnings
import zlib

import torch
import torch.nn as nn

from golden_io import f32_short, write_cases

warnings.filterwarnings("ignore", category=UserWarning)  # padding="same", dropout with 1 layer notes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "modules.json")
DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}


def enc(t):
    if t is None:
        return None
    t = t.detach().contiguous()
    vals = t.reshape(-1).tolist()
    data = [f32_short(v) for v in vals] if t.dtype == torch.float32 else [int(v) for v in vals]
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data}


def randn(*shape):
    return torch.randn(shape)


# ---------------------------------------------------------------------------------------------
# Running a module
# ---------------------------------------------------------------------------------------------
CASES = []
# Option values that are tensors (loss weights) are built from these names in the C++ factory.
TENSOR_OPTIONS = ("weight", "pos_weight")


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def outputs_of(kind, out):
    """Every layer's result as a flat list: RNN -> [output, h_n], LSTM -> [output, h_n, c_n]."""
    if kind == "LSTM":
        return [out[0], out[1][0], out[1][1]]
    if isinstance(out, tuple):
        return list(out)
    return [out]


def case(kind, name, make, inputs, options, mode="train", grad_inputs=None, gradcheck=True):
    """Builds `make()` (after seeding), runs it on `inputs` (tensors or None) and records everything.
    grad_inputs: indices of inputs to differentiate (default: every floating input). gradcheck=False: some
    gradient is a convention, not the derivative (Embedding's padding row), so finite differences are skipped."""
    full = f"{kind}/{name}"
    seed(full)
    m = make()
    m.train(mode == "train")
    state = [[k, enc(v)] for k, v in m.state_dict().items()]
    xs = [x() if callable(x) else x for x in inputs]
    if grad_inputs is None:
        grad_inputs = [k for k, x in enumerate(xs) if x is not None and x.is_floating_point()]
    xs = [x.detach().clone().requires_grad_() if k in grad_inputs else x for k, x in enumerate(xs)]
    # Trailing absent inputs (h0, c0) are not passed at all, like a Python caller would.
    args = list(xs)
    while args and args[-1] is None:
        args.pop()
    if kind == "LSTM" and len(args) == 3:
        args = [args[0], (args[1], args[2])]
    outs = outputs_of(kind, m(*args))
    diff_outs = [o for o in outs if o.requires_grad]
    gos = [torch.randn(o.shape) if o.requires_grad else None for o in outs]
    if diff_outs:
        torch.autograd.backward(diff_outs, [g for g in gos if g is not None])
    named = dict(m.named_parameters())
    opts = {k: (enc(v) if k in TENSOR_OPTIONS else v) for k, v in options.items()}
    CASES.append({
        "kind": kind, "name": full, "options": opts, "mode": mode,
        "state": state,
        "inputs": [enc(x) for x in xs],
        "outputs": [enc(o) for o in outs],
        "grad_outputs": [enc(g) for g in gos],
        "grads": [enc(x.grad) if k in grad_inputs else None for k, x in enumerate(xs)],
        "param_grads": [[k, enc(p.grad)] for k, p in named.items()],
        "buffers_after": [[k, enc(b)] for k, b in m.named_buffers()],
    })
    if not gradcheck:
        CASES[-1]["gradcheck"] = False


def mask_case(kind, name, options, input_shape):
    """Dropout in training mode: masks come from different generators, so the test checks structure
    (every output 0 or x/(1-p), gradient mask/(1-p), plausible drop fraction) on an input it makes."""
    CASES.append({"kind": kind, "name": f"{kind}/{name}", "options": options, "mode": "train",
                  "check": "dropout_mask", "input_shape": input_shape})


def perturbed(m, scale=0.5):
    """Norm layers start at weight 1, bias 0: move them so a swapped weight/bias would be caught."""
    with torch.no_grad():
        for p in m.parameters():
            p.add_(torch.randn(p.shape) * scale)
    return m


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------
def linear_conv_cases():
    case("Linear", "bias", lambda: nn.Linear(4, 3), [lambda: randn(2, 4)], {"in_features": 4, "out_features": 3})
    case("Linear", "no_bias_3d", lambda: nn.Linear(3, 2, bias=False), [lambda: randn(2, 2, 3)],
         {"in_features": 3, "out_features": 2, "bias": False})
    conv1 = [
        ("plain", dict(in_channels=2, out_channels=3, kernel_size=3)),
        ("stride_pad_dil", dict(in_channels=2, out_channels=4, kernel_size=2, stride=2, padding=1, dilation=2)),
        ("same_groups_nobias", dict(in_channels=4, out_channels=2, kernel_size=4, padding="same", groups=2,
                                    bias=False)),
    ]
    for name, o in conv1:
        case("Conv1d", name, lambda o=o: nn.Conv1d(**o), [lambda o=o: randn(2, o["in_channels"], 7)], o)
    conv2 = [
        ("plain", dict(in_channels=2, out_channels=3, kernel_size=3)),
        ("stride_pad_rect", dict(in_channels=2, out_channels=2, kernel_size=[2, 3], stride=[2, 1], padding=[1, 2])),
        ("dilation", dict(in_channels=1, out_channels=2, kernel_size=2, dilation=[2, 1], padding=1)),
        ("same_even_kernel", dict(in_channels=2, out_channels=2, kernel_size=[2, 3], padding="same", dilation=[1, 2])),
        ("valid", dict(in_channels=2, out_channels=2, kernel_size=2, padding="valid")),
        ("groups_nobias", dict(in_channels=4, out_channels=6, kernel_size=3, groups=2, padding=1, bias=False)),
        ("depthwise", dict(in_channels=3, out_channels=3, kernel_size=3, groups=3, stride=2)),
    ]
    for name, o in conv2:
        case("Conv2d", name, lambda o=o: nn.Conv2d(**o), [lambda o=o: randn(2, o["in_channels"], 5, 6)], o)
    convt = [
        ("plain", dict(in_channels=2, out_channels=3, kernel_size=3)),
        ("stride_pad_outpad", dict(in_channels=2, out_channels=2, kernel_size=[3, 2], stride=2, padding=1,
                                   output_padding=1)),
        ("groups_dil_nobias", dict(in_channels=4, out_channels=2, kernel_size=2, groups=2, dilation=2, bias=False)),
    ]
    for name, o in convt:
        case("ConvTranspose2d", name, lambda o=o: nn.ConvTranspose2d(**o),
             [lambda o=o: randn(2, o["in_channels"], 3, 4)], o)


def pool_cases():
    pools = [
        ("MaxPool2d", "k2", dict(kernel_size=2)),
        ("MaxPool2d", "stride_pad_dil_ceil", dict(kernel_size=[3, 2], stride=[2, 1], padding=1, dilation=[1, 2],
                                                  ceil_mode=True)),
        ("MaxPool2d", "indices", dict(kernel_size=3, stride=2, padding=1, return_indices=True)),
        ("AvgPool2d", "k2", dict(kernel_size=2)),
        ("AvgPool2d", "pad_include", dict(kernel_size=3, stride=2, padding=1)),
        ("AvgPool2d", "pad_exclude_ceil", dict(kernel_size=[2, 3], stride=2, padding=1, ceil_mode=True,
                                               count_include_pad=False)),
        ("AdaptiveAvgPool2d", "uneven", dict(output_size=[3, 2])),
        ("AdaptiveAvgPool2d", "global", dict(output_size=1)),
    ]
    for kind, name, o in pools:
        case(kind, name, lambda kind=kind, o=o: getattr(nn, kind)(**o), [lambda: randn(2, 2, 5, 7)], o)


def set_running(m, nbt):
    with torch.no_grad():
        m.running_mean.copy_(torch.randn(m.num_features) * 0.5)
        m.running_var.copy_(torch.rand(m.num_features) + 0.5)
        m.num_batches_tracked.fill_(nbt)
    return m


def norm_cases():
    bn = [
        ("BatchNorm1d", "train_2d", dict(num_features=4), [5, 4], "train", 0),
        ("BatchNorm1d", "train_3d_momentum", dict(num_features=3, momentum=0.3), [4, 3, 2], "train", 2),
        ("BatchNorm1d", "eval", dict(num_features=4), [3, 4], "eval", 7),
        ("BatchNorm2d", "train", dict(num_features=3), [2, 3, 3, 2], "train", 5),
        ("BatchNorm2d", "train_cumulative", dict(num_features=3, momentum=None, eps=1e-3), [2, 3, 2, 2], "train", 3),
        ("BatchNorm2d", "eval", dict(num_features=3), [2, 3, 2, 3], "eval", 4),
        ("BatchNorm2d", "train_no_affine", dict(num_features=2, affine=False), [3, 2, 2, 2], "train", 1),
        ("BatchNorm2d", "no_stats_train", dict(num_features=2, track_running_stats=False), [2, 2, 3, 2], "train", None),
        ("BatchNorm2d", "no_stats_eval", dict(num_features=2, track_running_stats=False), [2, 2, 3, 2], "eval", None),
    ]
    for kind, name, o, shape, mode, nbt in bn:
        def make(kind=kind, o=o, nbt=nbt):
            m = perturbed(getattr(nn, kind)(**o))
            return set_running(m, nbt) if nbt is not None else m
        case(kind, name, make, [lambda shape=shape: randn(*shape)], o, mode)
    case("LayerNorm", "last", lambda: perturbed(nn.LayerNorm([4])), [lambda: randn(2, 3, 4)], {"normalized_shape": [4]})
    case("LayerNorm", "last2_eps", lambda: perturbed(nn.LayerNorm([2, 3], eps=1e-3)), [lambda: randn(2, 2, 3)],
         {"normalized_shape": [2, 3], "eps": 1e-3})
    case("LayerNorm", "no_affine", lambda: nn.LayerNorm([3], elementwise_affine=False), [lambda: randn(4, 3)],
         {"normalized_shape": [3], "elementwise_affine": False})
    case("GroupNorm", "g2", lambda: perturbed(nn.GroupNorm(2, 4)), [lambda: randn(2, 4, 2, 3)],
         {"num_groups": 2, "num_channels": 4})
    case("GroupNorm", "g1_3d_eps", lambda: perturbed(nn.GroupNorm(1, 3, eps=1e-3)), [lambda: randn(2, 3, 4)],
         {"num_groups": 1, "num_channels": 3, "eps": 1e-3})
    case("GroupNorm", "instance_no_affine", lambda: nn.GroupNorm(3, 3, affine=False), [lambda: randn(2, 3, 2, 2)],
         {"num_groups": 3, "num_channels": 3, "affine": False})


def dropout_embedding_shape_cases():
    case("Dropout", "eval", lambda: nn.Dropout(0.4), [lambda: randn(3, 4)], {"p": 0.4}, "eval")
    case("Dropout", "train_p0", lambda: nn.Dropout(0.0), [lambda: randn(3, 4)], {"p": 0.0}, "train")
    mask_case("Dropout", "train_mask", {"p": 0.3}, [40, 50])
    case("Dropout2d", "eval", lambda: nn.Dropout2d(0.5), [lambda: randn(2, 3, 2, 2)], {"p": 0.5}, "eval")
    mask_case("Dropout2d", "train_mask", {"p": 0.5}, [16, 16, 3, 4])
    mask_case("Dropout2d", "train_mask_3d", {"p": 0.25}, [200, 4, 3])

    idx = lambda: torch.tensor([[0, 2, 4, 2], [1, 3, 2, 5]])  # noqa: E731 (row 2 repeats: grads accumulate)
    case("Embedding", "plain", lambda: nn.Embedding(6, 3), [idx], {"num_embeddings": 6, "embedding_dim": 3})
    # The padding row gets a zero gradient by convention (not the derivative): no finite differences.
    case("Embedding", "padding_idx", lambda: nn.Embedding(6, 3, padding_idx=2), [idx],
         {"num_embeddings": 6, "embedding_dim": 3, "padding_idx": 2}, gradcheck=False)
    case("Embedding", "padding_idx_negative", lambda: nn.Embedding(6, 3, padding_idx=-1), [idx],
         {"num_embeddings": 6, "embedding_dim": 3, "padding_idx": -1}, gradcheck=False)
    # The padding row of a pretrained matrix is not zero: its values show in the output, its grad is 0.
    case("Embedding", "pretrained_trainable_pad",
         lambda: nn.Embedding.from_pretrained(torch.randn(6, 3), freeze=False, padding_idx=4), [idx],
         {"num_embeddings": 6, "embedding_dim": 3, "padding_idx": 4, "from_pretrained": True, "freeze": False},
         gradcheck=False)
    case("Embedding", "pretrained_frozen", lambda: nn.Embedding.from_pretrained(torch.randn(6, 3)), [idx],
         {"num_embeddings": 6, "embedding_dim": 3, "from_pretrained": True, "freeze": True})

    case("Flatten", "default", lambda: nn.Flatten(), [lambda: randn(2, 3, 2)], {})
    case("Flatten", "middle", lambda: nn.Flatten(1, 2), [lambda: randn(2, 3, 2, 2)], {"start_dim": 1, "end_dim": 2})
    case("Unflatten", "dim1", lambda: nn.Unflatten(1, (2, 3)), [lambda: randn(2, 6)],
         {"dim": 1, "unflattened_size": [2, 3]})
    case("Unflatten", "last_infer", lambda: nn.Unflatten(-1, (-1, 2)), [lambda: randn(3, 4)],
         {"dim": -1, "unflattened_size": [-1, 2]})
    case("Identity", "plain", lambda: nn.Identity(), [lambda: randn(2, 3)], {})


def activation_cases():
    x = lambda: randn(2, 3, 4) * 2  # noqa: E731
    acts = [
        ("ReLU", "plain", {}, nn.ReLU),
        ("LeakyReLU", "default", {}, nn.LeakyReLU),
        ("LeakyReLU", "slope", {"negative_slope": 0.2}, nn.LeakyReLU),
        ("ELU", "default", {}, nn.ELU),
        ("ELU", "alpha", {"alpha": 0.5}, nn.ELU),
        ("GELU", "none", {}, nn.GELU),
        ("GELU", "tanh", {"approximate": "tanh"}, nn.GELU),
        ("SiLU", "plain", {}, nn.SiLU),
        ("Sigmoid", "plain", {}, nn.Sigmoid),
        ("Tanh", "plain", {}, nn.Tanh),
        ("Softmax", "dim1", {"dim": 1}, nn.Softmax),
        ("Softmax", "dim_last", {"dim": -1}, nn.Softmax),
        ("LogSoftmax", "dim1", {"dim": 1}, nn.LogSoftmax),
        ("LogSoftmax", "dim_last", {"dim": -1}, nn.LogSoftmax),
        ("Softplus", "default", {}, nn.Softplus),
        ("Softplus", "beta_threshold", {"beta": 2.0, "threshold": 1.5}, nn.Softplus),
    ]
    for kind, name, o, cls in acts:
        case(kind, name, lambda cls=cls, o=o: cls(**o), [x], o)


# ---- ops-nn block: more activations, PReLU, pixel shuffle, AvgPool2d divisor_override, Upsample ----
def ops_nn_cases():
    x = lambda: randn(2, 3, 4) * 3  # noqa: E731
    acts = [
        ("Hardtanh", "default", {}, nn.Hardtanh),
        ("Hardtanh", "bounds", {"min_val": -2.0, "max_val": 0.5}, nn.Hardtanh),
        ("ReLU6", "plain", {}, nn.ReLU6),
        ("SELU", "plain", {}, nn.SELU),
        ("CELU", "default", {}, nn.CELU),
        ("CELU", "alpha", {"alpha": 0.7}, nn.CELU),
        ("Mish", "plain", {}, nn.Mish),
        ("Hardswish", "plain", {}, nn.Hardswish),
        ("Hardsigmoid", "plain", {}, nn.Hardsigmoid),
        ("LogSigmoid", "plain", {}, nn.LogSigmoid),
        ("Softsign", "plain", {}, nn.Softsign),
    ]
    for kind, name, o, cls in acts:
        case(kind, name, lambda cls=cls, o=o: cls(**o), [x], o)

    def prelu(o):
        m = nn.PReLU(**o)
        with torch.no_grad():  # distinct slopes, so a per-channel mix-up shows
            m.weight.add_(torch.randn(m.weight.shape) * 0.2)
        return m
    case("PReLU", "default", lambda: prelu({}), [lambda: randn(2, 3, 4)], {})
    case("PReLU", "per_channel", lambda: prelu({"num_parameters": 3, "init": 0.1}), [lambda: randn(2, 3, 2, 2)],
         {"num_parameters": 3, "init": 0.1})
    case("PixelShuffle", "r2", lambda: nn.PixelShuffle(2), [lambda: randn(2, 8, 2, 3)], {"upscale_factor": 2})
    case("PixelUnshuffle", "r2", lambda: nn.PixelUnshuffle(2), [lambda: randn(2, 2, 4, 6)], {"downscale_factor": 2})
    case("AvgPool2d", "divisor_override", lambda: nn.AvgPool2d(3, stride=2, padding=1, divisor_override=4),
         [lambda: randn(2, 2, 5, 7)], dict(kernel_size=3, stride=2, padding=1, divisor_override=4))
    ups = [
        ("nearest_x2", dict(scale_factor=2.0)),
        ("nearest_size", dict(size=(5, 3))),
        ("bilinear_scale_tuple", dict(scale_factor=(1.5, 2.0), mode="bilinear")),
        ("bilinear_align", dict(size=(6, 9), mode="bilinear", align_corners=True)),
        ("bicubic_down", dict(size=(2, 3), mode="bicubic")),
        ("bicubic_align", dict(scale_factor=1.7, mode="bicubic", align_corners=True)),
        ("nearest_exact", dict(scale_factor=0.7, mode="nearest-exact")),
    ]
    for name, o in ups:
        case("Upsample", name, lambda o=o: nn.Upsample(**o), [lambda: randn(2, 2, 4, 5)], o)
    case("Upsample", "linear_1d", lambda: nn.Upsample(scale_factor=2.5, mode="linear"), [lambda: randn(2, 3, 4)],
         dict(scale_factor=2.5, mode="linear"))

# ---------------------------------------------------------------------------------------------
# Recurrent layers: every option value appears for every kind (not the full product, to stay small).
# ---------------------------------------------------------------------------------------------
def rnn_cases():
    I, H, T, N, L = 2, 3, 3, 2, 2
    variants = [  # name, bidirectional, batch_first, h0 given, bias
        ("l2_bidir_h0", True, False, True, True),
        ("l2_bidir_batch_first", True, True, False, True),
        ("l2_batch_first_h0", False, True, True, True),
        ("l2_no_bias", False, False, False, False),
    ]
    kinds = [("RNN", "tanh"), ("RNN", "relu"), ("LSTM", None), ("GRU", None)]

    def run(kind, nl, name, bidir, bf, with_h0, bias, dropout=0.0, mode="train", batched=True):
        o = dict(input_size=I, hidden_size=H, num_layers=L, bias=bias, batch_first=bf, dropout=dropout,
                 bidirectional=bidir)
        if nl:
            o["nonlinearity"] = nl
        D = 2 if bidir else 1
        shape = ([N, T, I] if bf else [T, N, I]) if batched else [T, I]
        hshape = [L * D, N, H] if batched else [L * D, H]
        ins = [lambda: randn(*shape)]
        ins += [lambda: randn(*hshape) * 0.5 if with_h0 else None] * (2 if kind == "LSTM" else 1)
        label = f"{nl}_{name}" if nl else name
        case(kind, label, lambda: getattr(nn, kind)(**o), ins, o, mode)

    for kind, nl in kinds:
        for v in variants:
            run(kind, nl, *v)
    for kind, nl in (("LSTM", None), ("GRU", None), ("RNN", "tanh")):
        # dropout between layers is off in eval mode, so the golden is deterministic
        run(kind, nl, "l2_bidir_dropout_eval", True, False, True, True, dropout=0.5, mode="eval")
    for kind in ("LSTM", "GRU"):
        run(kind, None, "unbatched_h0", True, False, True, True, batched=False)


# ---------------------------------------------------------------------------------------------
# Losses: inputs are [input, target]; tensor options (weight, pos_weight) are stored in "options".
# ---------------------------------------------------------------------------------------------
def loss_case(kind, name, make, inp, tgt, options):
    """Differentiates target too when it is floating and PyTorch implements that derivative."""
    grad_target = tgt().is_floating_point() if callable(tgt) else False
    case(kind, name, make, [inp, tgt], options, grad_inputs=[0, 1] if grad_target else [0])


def loss_cases():
    rd = ("none", "mean", "sum")
    for r in rd:
        loss_case("MSELoss", r, lambda r=r: nn.MSELoss(reduction=r), lambda: randn(3, 4), lambda: randn(3, 4),
                  {"reduction": r})
        loss_case("L1Loss", r, lambda r=r: nn.L1Loss(reduction=r), lambda: randn(3, 4), lambda: randn(3, 4),
                  {"reduction": r})
        loss_case("SmoothL1Loss", r, lambda r=r: nn.SmoothL1Loss(reduction=r, beta=0.5), lambda: randn(3, 4),
                  lambda: randn(3, 4), {"reduction": r, "beta": 0.5})
        loss_case("HuberLoss", r, lambda r=r: nn.HuberLoss(reduction=r, delta=0.7), lambda: randn(3, 4),
                  lambda: randn(3, 4), {"reduction": r, "delta": 0.7})
        prob = lambda: torch.rand(3, 4) * 0.9 + 0.05  # noqa: E731
        loss_case("BCELoss", r, lambda r=r: nn.BCELoss(reduction=r), prob, lambda: torch.rand(3, 4),
                  {"reduction": r})
        loss_case("BCEWithLogitsLoss", r, lambda r=r: nn.BCEWithLogitsLoss(reduction=r), lambda: randn(3, 4),
                  lambda: torch.rand(3, 4), {"reduction": r})
        loss_case("KLDivLoss", r, lambda r=r: nn.KLDivLoss(reduction=r), lambda: torch.log_softmax(randn(3, 4), 1),
                  lambda: torch.softmax(randn(3, 4), 1), {"reduction": r})
    loss_case("SmoothL1Loss", "default_beta", lambda: nn.SmoothL1Loss(), lambda: randn(3, 4), lambda: randn(3, 4), {})
    loss_case("HuberLoss", "default_delta", lambda: nn.HuberLoss(), lambda: randn(3, 4) * 2, lambda: randn(3, 4), {})
    w = torch.tensor([0.5, 2.0, 1.0, 1.5])
    loss_case("BCELoss", "weight", lambda: nn.BCELoss(weight=w), lambda: torch.rand(3, 4) * 0.9 + 0.05,
              lambda: torch.rand(3, 4), {"weight": w})
    pw = torch.tensor([3.0, 0.5, 1.0, 2.0])
    for r in rd:
        loss_case("BCEWithLogitsLoss", "pos_weight_" + r, lambda r=r: nn.BCEWithLogitsLoss(reduction=r, pos_weight=pw),
                  lambda: randn(3, 4), lambda: torch.rand(3, 4), {"reduction": r, "pos_weight": pw})
    loss_case("BCEWithLogitsLoss", "weight_pos_weight", lambda: nn.BCEWithLogitsLoss(weight=w, pos_weight=pw),
              lambda: randn(3, 4), lambda: torch.rand(3, 4), {"weight": w, "pos_weight": pw})
    loss_case("KLDivLoss", "batchmean", lambda: nn.KLDivLoss(reduction="batchmean"),
              lambda: torch.log_softmax(randn(3, 4), 1), lambda: torch.softmax(randn(3, 4), 1),
              {"reduction": "batchmean"})
    loss_case("KLDivLoss", "log_target", lambda: nn.KLDivLoss(reduction="sum", log_target=True),
              lambda: torch.log_softmax(randn(3, 4), 1), lambda: torch.log_softmax(randn(3, 4), 1),
              {"reduction": "sum", "log_target": True})

    cw = torch.tensor([0.3, 1.0, 2.0, 0.7])
    idx = lambda: torch.tensor([1, 0, 3, 1, 2])  # noqa: E731
    idx_ign = lambda: torch.tensor([1, 3, 0, 3, 2])  # noqa: E731 (ignore_index=3 twice)
    idx_k = lambda: torch.tensor([[0, 3, 2], [1, 1, 0]])  # noqa: E731 ([N, d] targets for [N, C, d] input)
    logits = lambda: randn(5, 4)  # noqa: E731
    ce = [
        ("indices_" + r, dict(reduction=r), logits, idx) for r in rd
    ] + [
        ("weight_mean", dict(weight=cw), logits, idx),
        ("weight_sum", dict(weight=cw, reduction="sum"), logits, idx),
        ("ignore_index_mean", dict(ignore_index=3), logits, idx_ign),
        ("ignore_index_weight_none", dict(ignore_index=3, weight=cw, reduction="none"), logits, idx_ign),
        ("label_smoothing", dict(label_smoothing=0.2), logits, idx),
        ("label_smoothing_weight_ignore", dict(label_smoothing=0.1, weight=cw, ignore_index=3), logits, idx_ign),
        ("label_smoothing_sum", dict(label_smoothing=0.3, reduction="sum"), logits, idx),
        ("kdim_mean", dict(), lambda: randn(2, 4, 3), idx_k),
        ("kdim_weight_none", dict(weight=cw, reduction="none"), lambda: randn(2, 4, 3), idx_k),
        ("unbatched", dict(), lambda: randn(4), lambda: torch.tensor(2)),
        ("probs_mean", dict(), logits, lambda: torch.softmax(randn(5, 4), 1)),
        ("probs_none", dict(reduction="none"), logits, lambda: torch.softmax(randn(5, 4), 1)),
        ("probs_weight_smoothing_sum", dict(weight=cw, label_smoothing=0.2, reduction="sum"), logits,
         lambda: torch.softmax(randn(5, 4), 1)),
        ("probs_kdim_mean", dict(), lambda: randn(2, 4, 3), lambda: torch.softmax(randn(2, 4, 3), 1)),
    ]
    for name, o, inp, tgt in ce:
        loss_case("CrossEntropyLoss", name, lambda o=o: nn.CrossEntropyLoss(**o), inp, tgt, o)
    logp = lambda: torch.log_softmax(randn(5, 4), 1)  # noqa: E731
    nll = [
        ("indices_" + r, dict(reduction=r), logp, idx) for r in rd
    ] + [
        ("weight_mean", dict(weight=cw), logp, idx),
        ("ignore_index_weight_mean", dict(weight=cw, ignore_index=3), logp, idx_ign),
        ("ignore_index_sum", dict(ignore_index=3, reduction="sum"), logp, idx_ign),
        ("kdim_weight_none", dict(weight=cw, reduction="none"), lambda: torch.log_softmax(randn(2, 4, 3), 1), idx_k),
    ]
    for name, o, inp, tgt in nll:
        loss_case("NLLLoss", name, lambda o=o: nn.NLLLoss(**o), inp, tgt, o)


# ---------------------------------------------------------------------------------------------
# The kinds the C++ tests require a case for (keep in sync with kRequiredKinds in tests/nn/module_cases.h).
REQUIRED = [
    "Linear", "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "BatchNorm1d",
    "BatchNorm2d", "LayerNorm", "GroupNorm", "Dropout", "Dropout2d", "Embedding", "RNN", "LSTM", "GRU", "Flatten",
    "Unflatten", "Identity", "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
    "Softplus", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
    "NLLLoss", "KLDivLoss",
]
REQUIRED += ["Hardtanh", "ReLU6", "SELU", "CELU", "Mish", "Hardswish", "Hardsigmoid", "LogSigmoid", "Softsign",
             "PReLU", "PixelShuffle", "PixelUnshuffle", "Upsample"]  # ops-nn block


def main():
    linear_conv_cases()
    pool_cases()
    norm_cases()
    dropout_embedding_shape_cases()
    activation_cases()
    ops_nn_cases()
    rnn_cases()
    loss_cases()
    names = [c["name"] for c in CASES]
    dup = {n for n in names if names.count(n) > 1}
    missing = [k for k in REQUIRED if not any(c["kind"] == k for c in CASES)]
    if dup or missing:
        sys.exit(f"gen_modules_golden.py: duplicate names {sorted(dup)}, kinds without a case {missing}")
    write_cases(OUT, "tests/golden/gen_modules_golden.py", torch.__version__, CASES, "kind")

if __name__ == "__main__":
    main()
