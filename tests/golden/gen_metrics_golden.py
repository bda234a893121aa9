#!/usr/bin/python3
"""Generates tests/golden/metrics.json, the oracle for tests/train/metrics_test.cpp. Run with Debian's
python3-torch (torchmetrics is not packaged in Debian, so its formulas are re-implemented here with
plain torch ops — one_hot, topk, bincount — independently of nabla's loop-based C++):

    /usr/bin/python3 tests/golden/gen_metrics_golden.py

torchmetrics rules followed (>= 1.6, see Note [Classification statistics] in metrics.h):
  - multiclass score preds: top-1 = argmax; with top_k > 1 a sample's prediction is its target when the
    target is among the top k, else the top-1 class;
  - macro averages skip classes with tp + fp + fn == 0 (top_k > 1: tp + fn == 0); 0/0 counts as 0;
  - binary float preds outside [0, 1] (per batch) go through sigmoid; positive when p > threshold.

Layout: {"cases": [{"name", "kind": "multiclass"|"binary"|"regression", "options": {...},
  "batches": [{"preds": T, "target": T}, ...], "expected": {metric_key: value}}]}
A tensor T is {"dtype", "shape", "data" (flat row-major)}. Expected keys: "accuracy_micro",
"precision_macro", ... (metric_average), "confusion" (flat [C, C] ints), "mse", "rmse", "mae".
Every case accumulates over all of its batches (several, of different sizes), so the test checks
multi-batch accumulation against the concatenated data.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics.json")
AVERAGES = ["micro", "macro", "weighted"]


def enc(t):
    dt = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}[t.dtype]
    data = t.reshape(-1).tolist()
    if t.dtype == torch.bool:
        data = [int(v) for v in data]
    return {"dtype": dt, "shape": list(t.shape), "data": data}


# ---- multiclass ----
def multiclass_labels(preds, target, top_k):
    """(predicted, true) label per sample; preds [N, C, ...] scores or [N, ...] labels."""
    if preds.dim() == target.dim() + 1:
        scores = torch.movedim(preds, 1, -1).reshape(-1, preds.shape[1])
        t = target.reshape(-1)
        top1 = scores.argmax(dim=1)
        if top_k == 1:
            return top1, t
        topk = scores.topk(top_k, dim=1).indices
        hit = (topk == t.unsqueeze(1)).any(dim=1)
        return torch.where(hit, t, top1), t
    return preds.reshape(-1), target.reshape(-1)


def stat_scores(pred, true, c):
    p, t = torch.nn.functional.one_hot(pred, c), torch.nn.functional.one_hot(true, c)
    tp = (p * t).sum(0).double()
    fp = (p * (1 - t)).sum(0).double()
    fn = ((1 - p) * t).sum(0).double()
    return tp, fp, fn


def safe_div(num, den):
    return torch.where(den != 0, num / torch.where(den != 0, den, torch.ones_like(den)), torch.zeros_like(num))


def reduce(score_fn, tp, fp, fn, average, top_k):
    if average == "micro":
        return float(score_fn(tp.sum(), fp.sum(), fn.sum()))
    score = score_fn(tp, fp, fn)
    if average == "weighted":
        w = tp + fn
    else:
        w = torch.ones_like(score)
        w[(tp + fp + fn == 0) if top_k == 1 else (tp + fn == 0)] = 0
    return float(safe_div((w * score).sum(), w.sum()))


SCORES = {
    "accuracy": lambda tp, fp, fn: safe_div(tp, tp + fn),
    "precision": lambda tp, fp, fn: safe_div(tp, tp + fp),
    "recall": lambda tp, fp, fn: safe_div(tp, tp + fn),
    "f1": lambda tp, fp, fn: safe_div(2 * tp, 2 * tp + fp + fn),
}


def multiclass_case(name, batches, c, top_k=1):
    pairs = [multiclass_labels(b["preds"], b["target"], top_k) for b in batches]
    pred = torch.cat([p for p, _ in pairs])
    true = torch.cat([t for _, t in pairs])
    tp, fp, fn = stat_scores(pred, true, c)
    expected = {f"{m}_{a}": reduce(f, tp, fp, fn, a, top_k) for m, f in SCORES.items() for a in AVERAGES}
    if top_k == 1:
        expected["confusion"] = torch.bincount(true * c + pred, minlength=c * c).tolist()
    return {"name": name, "kind": "multiclass", "options": {"num_classes": c, "top_k": top_k},
            "batches": [{"preds": enc(b["preds"]), "target": enc(b["target"])} for b in batches],
            "expected": expected}


# ---- binary ----
def binary_case(name, batches, threshold=0.5):
    preds, trues = [], []
    for b in batches:
        p = b["preds"]
        if p.is_floating_point():
            if not torch.all((p >= 0) & (p <= 1)):
                p = p.sigmoid()
            p = p > threshold
        preds.append(p.reshape(-1).long())
        trues.append(b["target"].reshape(-1).long())
    p, t = torch.cat(preds), torch.cat(trues)
    tp = float(((p == 1) & (t == 1)).sum())
    fp = float(((p == 1) & (t == 0)).sum())
    fn = float(((p == 0) & (t == 1)).sum())
    tn = float(((p == 0) & (t == 0)).sum())
    sd = lambda a, b: a / b if b else 0.0  # noqa: E731
    expected = {"accuracy": sd(tp + tn, tp + tn + fp + fn), "precision": sd(tp, tp + fp),
                "recall": sd(tp, tp + fn), "f1": sd(2 * tp, 2 * tp + fp + fn),
                "confusion": [int(tn), int(fp), int(fn), int(tp)]}
    return {"name": name, "kind": "binary", "options": {"threshold": threshold},
            "batches": [{"preds": enc(b["preds"]), "target": enc(b["target"])} for b in batches],
            "expected": expected}


# ---- regression ----
def regression_case(name, batches):
    p = torch.cat([b["preds"].reshape(-1).double() for b in batches])
    t = torch.cat([b["target"].reshape(-1).double() for b in batches])
    mse = float(((p - t) ** 2).mean())
    expected = {"mse": mse, "rmse": mse ** 0.5, "mae": float((p - t).abs().mean())}
    return {"name": name, "kind": "regression", "options": {},
            "batches": [{"preds": enc(b["preds"]), "target": enc(b["target"])} for b in batches],
            "expected": expected}


def main():
    g = torch.Generator().manual_seed(20240601)
    randn = lambda *s, dtype=torch.float32: torch.randn(*s, generator=g, dtype=dtype)  # noqa: E731
    randint = lambda hi, *s: torch.randint(0, hi, s, generator=g)  # noqa: E731
    cases = []

    # Scores over 6 classes where class 5 never occurs (never a target, never the argmax): macro
    # averages must skip it. Batches of 7, 13 and 4 samples.
    def scores_batch(n, c=6, absent=5):
        s = randn(n, c)
        s[:, absent] -= 100.0
        return {"preds": s, "target": randint(absent, n)}
    mc = [scores_batch(n) for n in (7, 13, 4)]
    cases.append(multiclass_case("scores_absent_class", mc, 6))
    cases.append(multiclass_case("scores_top2", mc, 6, top_k=2))
    cases.append(multiclass_case("scores_top3_10cls",
                                 [{"preds": randn(n, 10, dtype=torch.float64), "target": randint(10, n)}
                                  for n in (16, 9)], 10, top_k=3))
    # Label preds, with a class (3) that is predicted but never a target, so its recall is 0/0.
    cases.append(multiclass_case("labels_predicted_only", [
        {"preds": torch.tensor([0, 1, 2, 3, 3, 1]), "target": torch.tensor([0, 1, 1, 2, 0, 1])},
        {"preds": torch.tensor([2, 2, 0]), "target": torch.tensor([2, 0, 0])}], 4))
    # Multi-dimensional: preds [N, C, L], target [N, L].
    cases.append(multiclass_case("multidim_scores", [
        {"preds": randn(3, 4, 5), "target": randint(4, 3, 5)},
        {"preds": randn(2, 4, 5), "target": randint(4, 2, 5)}], 4))

    # Binary: probabilities, then a batch of logits (outside [0, 1] -> sigmoid), then int labels.
    cases.append(binary_case("binary_probs_logits_labels", [
        {"preds": torch.rand(10, generator=g), "target": randint(2, 10)},
        {"preds": randn(8) * 3, "target": randint(2, 8).float()},
        {"preds": randint(2, 5), "target": randint(2, 5)}]))
    cases.append(binary_case("binary_threshold_0.3_2d", [
        {"preds": torch.rand(4, 3, generator=g), "target": randint(2, 4, 3)},
        {"preds": torch.rand(2, 3, generator=g), "target": randint(2, 2, 3)}], threshold=0.3))

    cases.append(regression_case("regression_f64", [
        {"preds": randn(5, 3, dtype=torch.float64), "target": randn(5, 3, dtype=torch.float64)},
        {"preds": randn(2, 3, dtype=torch.float64), "target": randn(2, 3, dtype=torch.float64)},
        {"preds": randn(9, 3, dtype=torch.float64), "target": randn(9, 3, dtype=torch.float64)}]))
    cases.append(regression_case("regression_f32", [
        {"preds": randn(17), "target": randn(17)}, {"preds": randn(4), "target": randn(4)}]))

    with open(OUT, "w") as f:
        json.dump({"cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(cases)} cases, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
