#!/usr/bin/python3
"""Generates tests/golden/optim.json: PyTorch's optimizer trajectories, LR scheduler sequences and
gradient-clipping results, the oracle for tests/optim/optim_test.cpp. Run with Debian's python3-torch:

    /usr/bin/python3 tests/golden/gen_optim_golden.py

Layout of the file:
  problem:    x [5, 3], y [5, 4], W0 [3, 4], b0 [4]; loss = sum((x @ W + b - y)^2) + 0.01 * sum(W^4)
  optimizers: [{name, optimizer, dtype, defaults, groups, steps: {"1"|"10"|"50": {W, b}}}]
              groups is null (one group [W, b]) or [{params: ["W"], options}, ...] with each group's
              options already merged with the defaults (PyTorch's rule).
  schedulers: [{name, kind, optimizer, args, lrs: [[lr per group] x 101], momenta (OneCycleLR)}]
              lrs[0] is after construction, lrs[k] after k scheduler steps.
  clip:       [{name, kind: norm|value, dtype, max_norm|clip_value, norm_type, grads, total_norm, clipped}]
"""
import json
import math
import os

import torch
from torch.optim import lr_scheduler as S

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim.json")
DTYPES = {"float64": torch.float64, "float32": torch.float32}


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


# ---------------------------------------------------------------------------------------------
# Optimizers
# ---------------------------------------------------------------------------------------------
def make_problem():
    g = torch.Generator().manual_seed(1234)
    x = torch.randn(5, 3, generator=g, dtype=torch.float64)
    y = torch.randn(5, 4, generator=g, dtype=torch.float64)
    w0 = torch.randn(3, 4, generator=g, dtype=torch.float64) * 0.5
    b0 = torch.randn(4, generator=g, dtype=torch.float64) * 0.5
    return x, y, w0, b0


def loss_fn(x, y, w, b):
    return ((x @ w + b - y) ** 2).sum() + (w ** 4).sum() * 0.01


OPTIMIZERS = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW,
              "RMSprop": torch.optim.RMSprop, "Adagrad": torch.optim.Adagrad}

# (name, optimizer, defaults, per-group overrides or None, dtype)
OPT_CASES = [
    ("sgd_plain", "SGD", dict(lr=0.01), None, "float64"),
    ("sgd_momentum", "SGD", dict(lr=0.01, momentum=0.9), None, "float64"),
    ("sgd_dampening_wd", "SGD", dict(lr=0.01, momentum=0.9, dampening=0.3, weight_decay=0.1), None, "float64"),
    ("sgd_nesterov_wd", "SGD", dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.05), None, "float64"),
    ("sgd_maximize", "SGD", dict(lr=0.001, momentum=0.5, maximize=True), None, "float64"),
    ("sgd_two_groups", "SGD", dict(lr=0.01, momentum=0.9), [dict(lr=0.005), dict(momentum=0.5)], "float64"),
    ("sgd_momentum_f32", "SGD", dict(lr=0.01, momentum=0.9, weight_decay=0.01), None, "float32"),
    ("adam_default", "Adam", dict(lr=0.01), None, "float64"),
    ("adam_amsgrad", "Adam", dict(lr=0.02, amsgrad=True), None, "float64"),
    ("adam_wd_betas_eps", "Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), None, "float64"),
    ("adam_maximize", "Adam", dict(lr=0.001, maximize=True), None, "float64"),
    ("adam_two_groups", "Adam", dict(lr=0.01), [dict(lr=0.03, amsgrad=True), dict(betas=(0.5, 0.9))], "float64"),
    ("adam_f32", "Adam", dict(lr=0.01, amsgrad=True), None, "float32"),
    ("adamw_default", "AdamW", dict(lr=0.01), None, "float64"),
    ("adamw_amsgrad_wd", "AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True), None, "float64"),
    ("adamw_two_groups", "AdamW", dict(lr=0.01), [dict(lr=0.02, weight_decay=0.5), dict(weight_decay=0.0)],
     "float64"),
    ("rmsprop_default", "RMSprop", dict(lr=0.01), None, "float64"),
    ("rmsprop_centered", "RMSprop", dict(lr=0.01, centered=True), None, "float64"),
    ("rmsprop_momentum", "RMSprop", dict(lr=0.005, momentum=0.9), None, "float64"),
    ("rmsprop_centered_momentum_wd", "RMSprop", dict(lr=0.005, alpha=0.9, eps=1e-6, centered=True, momentum=0.5,
                                                     weight_decay=0.1), None, "float64"),
    ("rmsprop_two_groups", "RMSprop", dict(lr=0.01), [dict(lr=0.002, centered=True), dict(momentum=0.3)],
     "float64"),
    ("adagrad_default", "Adagrad", dict(lr=0.1), None, "float64"),
    ("adagrad_lr_decay", "Adagrad", dict(lr=0.1, lr_decay=0.05), None, "float64"),
    ("adagrad_init_acc_wd_eps", "Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, weight_decay=0.1, eps=1e-6),
     None, "float64"),
    ("adagrad_two_groups", "Adagrad", dict(lr=0.1), [dict(lr=0.3, lr_decay=0.01), dict(maximize=True, lr=0.01)],
     "float64"),
]


def full_options(opt_cls, defaults, overrides):
    """The group's complete options as PyTorch sees them (defaults merged with the group's own keys)."""
    probe = opt_cls([torch.zeros(1, requires_grad=True)], **defaults)
    out = {k: v for k, v in probe.defaults.items()
           if k not in ("foreach", "differentiable", "capturable", "fused")}
    out.update(overrides or {})
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in out.items()}


def run_optimizer(name, opt_name, defaults, groups, dtype_name):
    x, y, w0, b0 = make_problem()
    dt = DTYPES[dtype_name]
    x, y = x.to(dt), y.to(dt)
    w = w0.to(dt).clone().requires_grad_(True)
    b = b0.to(dt).clone().requires_grad_(True)
    cls = OPTIMIZERS[opt_name]
    if groups is None:
        opt = cls([w, b], **defaults)
        group_json = None
    else:
        opt = cls([dict(params=[w], **groups[0]), dict(params=[b], **groups[1])], **defaults)
        group_json = [{"params": ["W"], "options": full_options(cls, defaults, groups[0])},
                      {"params": ["b"], "options": full_options(cls, defaults, groups[1])}]
    steps = {}
    for k in range(1, 51):
        opt.zero_grad()
        loss_fn(x, y, w, b).backward()
        opt.step()
        if k in (1, 10, 50):
            steps[str(k)] = {"W": flat(w), "b": flat(b)}
    assert all(math.isfinite(v) for v in steps["50"]["W"] + steps["50"]["b"]), name
    return {"name": name, "optimizer": opt_name, "dtype": dtype_name,
            "defaults": full_options(cls, defaults, None), "groups": group_json, "steps": steps}


# ---------------------------------------------------------------------------------------------
# LR schedulers
# ---------------------------------------------------------------------------------------------
def plateau_metrics():
    """A fixed metric sequence with improvements, plateaus and noise."""
    return [round(1.0 / (1 + i // 12) + 0.03 * math.sin(1.7 * i), 6) for i in range(100)]


def make_sched(kind, opt, args):
    if kind == "LambdaLR":
        fns = {"exp": lambda e: 0.95 ** e, "inv": lambda e: 1.0 / (1 + e)}
        f = args["lambda"]
        return S.LambdaLR(opt, [fns[n] for n in f] if isinstance(f, list) else fns[f])
    if kind == "SequentialLR":
        subs = [make_sched(s["kind"], opt, s["args"]) for s in args["schedulers"]]
        return S.SequentialLR(opt, subs, milestones=args["milestones"])
    if kind == "OneCycleLR":
        return S.OneCycleLR(opt, **args)
    if kind == "CosineAnnealingWarmRestarts":
        return S.CosineAnnealingWarmRestarts(opt, args["T_0"], T_mult=args.get("T_mult", 1),
                                             eta_min=args.get("eta_min", 0))
    return getattr(S, kind)(opt, **args)


SCHED_CASES = [
    ("lambda_exp", "LambdaLR", "SGD", {"lambda": "exp"}),
    ("lambda_per_group", "LambdaLR", "SGD", {"lambda": ["inv", "exp"]}),
    ("step", "StepLR", "SGD", {"step_size": 7, "gamma": 0.5}),
    ("multistep_repeated", "MultiStepLR", "SGD", {"milestones": [10, 30, 30, 60], "gamma": 0.3}),
    ("exponential", "ExponentialLR", "SGD", {"gamma": 0.97}),
    ("cosine", "CosineAnnealingLR", "SGD", {"T_max": 30, "eta_min": 0.001}),
    ("cosine_no_min", "CosineAnnealingLR", "Adam", {"T_max": 100}),
    ("linear_warmup", "LinearLR", "SGD", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 10}),
    ("linear_decay", "LinearLR", "SGD", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 40}),
    ("onecycle_cos", "OneCycleLR", "SGD", {"max_lr": [0.5, 0.25], "total_steps": 100}),
    ("onecycle_linear_adam", "OneCycleLR", "Adam",
     {"max_lr": 0.3, "epochs": 10, "steps_per_epoch": 10, "pct_start": 0.25, "anneal_strategy": "linear",
      "base_momentum": 0.8, "max_momentum": 0.9}),
    ("onecycle_three_phase", "OneCycleLR", "SGD",
     {"max_lr": 0.2, "total_steps": 120, "three_phase": True, "div_factor": 10.0, "final_div_factor": 100.0}),
    ("onecycle_no_momentum", "OneCycleLR", "Adagrad", {"max_lr": 0.1, "total_steps": 100, "cycle_momentum": False}),
    ("warm_restarts_mult2", "CosineAnnealingWarmRestarts", "SGD", {"T_0": 5, "T_mult": 2, "eta_min": 0.001}),
    ("warm_restarts_mult1", "CosineAnnealingWarmRestarts", "SGD", {"T_0": 10}),
    ("sequential_warmup_cosine", "SequentialLR", "SGD",
     {"schedulers": [{"kind": "LinearLR", "args": {"start_factor": 0.1, "total_iters": 5}},
                     {"kind": "CosineAnnealingLR", "args": {"T_max": 95}}], "milestones": [5]}),
    ("sequential_three", "SequentialLR", "SGD",
     {"schedulers": [{"kind": "LinearLR", "args": {"start_factor": 0.5, "total_iters": 4}},
                     {"kind": "ExponentialLR", "args": {"gamma": 0.9}},
                     {"kind": "StepLR", "args": {"step_size": 10, "gamma": 0.5}}], "milestones": [8, 40]}),
    ("plateau_min_rel_cooldown", "ReduceLROnPlateau", "SGD",
     {"mode": "min", "factor": 0.5, "patience": 3, "cooldown": 2, "min_lr": 0.01}),
    ("plateau_max_abs", "ReduceLROnPlateau", "SGD",
     {"mode": "max", "factor": 0.7, "patience": 2, "threshold": 0.05, "threshold_mode": "abs"}),
    ("plateau_min_abs_min_lrs", "ReduceLROnPlateau", "SGD",
     {"mode": "min", "factor": 0.3, "patience": 1, "threshold": 0.01, "threshold_mode": "abs",
      "min_lr": [0.02, 0.001], "eps": 1e-3}),
    ("plateau_max_rel", "ReduceLROnPlateau", "Adam", {"mode": "max", "factor": 0.2, "patience": 4, "cooldown": 1}),
]


def make_sched_optimizer(opt_name):
    p1, p2 = torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
    groups = [{"params": [p1], "lr": 0.1}, {"params": [p2], "lr": 0.05}]
    if opt_name == "SGD":
        return torch.optim.SGD(groups, lr=0.1, momentum=0.9)
    return OPTIMIZERS[opt_name](groups)


def momentum_of(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum", 0.0) for g in opt.param_groups]


def run_scheduler(name, kind, opt_name, args):
    opt = make_sched_optimizer(opt_name)
    metrics = plateau_metrics()
    if kind == "ReduceLROnPlateau":
        if args["mode"] == "max":
            metrics = [-m for m in metrics]
        sched = S.ReduceLROnPlateau(opt, **args)
    else:
        sched = make_sched(kind, opt, args)
    lrs, momenta = [[g["lr"] for g in opt.param_groups]], [momentum_of(opt)]
    for k in range(100):
        opt.step()
        if kind == "ReduceLROnPlateau":
            sched.step(metrics[k])
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        momenta.append(momentum_of(opt))
    case = {"name": name, "kind": kind, "optimizer": opt_name, "args": args, "lrs": lrs}
    if kind == "ReduceLROnPlateau":
        case["metrics"] = metrics
    if kind == "OneCycleLR":
        case["momenta"] = momenta
    return case


# ---------------------------------------------------------------------------------------------
# Gradient clipping
# ---------------------------------------------------------------------------------------------
CLIP_CASES = [
    ("norm2_clips", "norm", "float64", 1.0, 2.0),
    ("norm2_no_clip", "norm", "float64", 100.0, 2.0),
    ("norm1", "norm", "float64", 0.5, 1.0),
    ("norm_inf", "norm", "float64", 0.3, math.inf),
    ("norm3", "norm", "float64", 0.7, 3.0),
    ("norm0", "norm", "float64", 2.0, 0.0),
    ("norm_neg_inf", "norm", "float64", 0.01, -math.inf),
    ("norm2_f32", "norm", "float32", 1.0, 2.0),
    ("value", "value", "float64", 0.25, None),
]


def run_clip(name, kind, dtype_name, limit, norm_type):
    g = torch.Generator().manual_seed(99)
    dt = DTYPES[dtype_name]
    shapes = [(3, 4), (4,), (2, 2)]
    params = [torch.zeros(s, dtype=dt, requires_grad=True) for s in shapes]
    for p in params:
        p.grad = torch.randn(p.shape, generator=g, dtype=torch.float64).to(dt)
    grads = [flat(p.grad) for p in params]
    case = {"name": name, "kind": kind, "dtype": dtype_name, "shapes": [list(s) for s in shapes], "grads": grads}
    if kind == "norm":
        total = torch.nn.utils.clip_grad_norm_(params, limit, norm_type)
        nt = ("inf" if norm_type > 0 else "-inf") if math.isinf(norm_type) else norm_type
        case.update({"max_norm": limit, "norm_type": nt,
                     "total_norm": float(total)})
    else:
        torch.nn.utils.clip_grad_value_(params, limit)
        case["clip_value"] = limit
    case["clipped"] = [flat(p.grad) for p in params]
    return case


def main():
    x, y, w0, b0 = make_problem()
    out = {
        "generator": "tests/golden/gen_optim_golden.py, torch " + torch.__version__,
        "problem": {"x": flat(x), "y": flat(y), "W0": flat(w0), "b0": flat(b0)},
        "optimizers": [run_optimizer(*c) for c in OPT_CASES],
        "schedulers": [run_scheduler(*c) for c in SCHED_CASES],
        "clip": [run_clip(*c) for c in CLIP_CASES],
    }
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(out['optimizers'])} optimizer, {len(out['schedulers'])} scheduler, "
          f"{len(out['clip'])} clipping cases")


if __name__ == "__main__":
    main()
