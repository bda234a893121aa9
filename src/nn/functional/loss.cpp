// loss.cpp — the losses of nn::functional, composed of differentiable ops in their numerically
// stable forms (log-softmax, log-sum-exp, logits), so their gradients follow from autograd.
#include <cstdio>
#include <mutex>

#include "autograd/functions/common.h"
#include "nabla/nn/functional.h"

namespace nabla::nn::functional {

namespace {

Tensor reduce(const Tensor& loss, const std::string& reduction, const char* op) {
  if (reduction == "mean") return loss.mean();
  if (reduction == "sum") return loss.sum();
  NABLA_CHECK(reduction == "none", ValueError, "{}: reduction must be 'mean', 'sum' or 'none', got '{}'", op,
              reduction);
  return loss;
}

// [N, C, d1, ...] -> [N * d1 * ..., C]: one row of class scores per sample.
Tensor classes_last(const Tensor& x) {
  if (x.dim() == 2) return x;
  std::vector<int64_t> perm = {0};
  for (int64_t d = 2; d < x.dim(); ++d) perm.push_back(d);
  perm.push_back(1);
  return x.permute(perm).reshape({-1, x.size(1)});
}

void check_same_shape(const char* op, const Tensor& input, const Tensor& target) {
  NABLA_CHECK(input.sizes() == target.sizes(), ShapeError,
              "{}: target size {} must be the same as input size {}", op, shape_str(target.sizes()),
              shape_str(input.sizes()));
}

bool broadcastable(IntArrayRef a, IntArrayRef b) {
  try {
    broadcast_shapes(a, b);
    return true;
  } catch (const ShapeError&) {
    return false;
  }
}

// PyTorch's elementwise regression losses accept a target of another shape that broadcasts with the
// input: they warn (here once per loss and process, one line on stderr) and broadcast.
void check_broadcast_target(const char* op, std::once_flag& warned, const Tensor& input,
                            const Tensor& target) {
  if (input.sizes() == target.sizes()) return;
  NABLA_CHECK(broadcastable(input.sizes(), target.sizes()), ShapeError,
              "{}: target size {} cannot be broadcast with input size {}", op, shape_str(target.sizes()),
              shape_str(input.sizes()));
  std::call_once(warned, [&] {
    std::fprintf(
        stderr,
        "nabla warning: %s: Using a target size (%s) that is different to the input size (%s). This "
        "will likely lead to incorrect results due to broadcasting. Please ensure they have the same "
        "size.\n",
        op, shape_str(target.sizes()).c_str(), shape_str(input.sizes()).c_str());
  });
}

// xlogy(t, t) = t * log(t), 0 at t = 0, with PyTorch's derivative of xlogy(self, other) at self = other
// = t: xlogy(t != 0, t) + t / t, so NaN at t = 0 (kl_div is xlogy(t, t) - t * input in PyTorch 1.13).
Tensor xlogy_self(const Tensor& t) {
  Tensor out;
  {
    NoGradGuard ng;
    out = where(t == 0.0, zeros_like(t), t * log(t));
  }
  if (should_record({&t}))
    record(OpId::kl_div, {t}, {out}, {.inputs = {0}},
           [](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor& t = ctx.input(0);
             Tensor nz = t != 0.0;
             return {g[0] * (where(nz, log(where(nz, t, ones_like(t))), zeros_like(t)) + t / t)};
           });
  return out;
}

// Elementwise smooth L1 (huber = false: 0.5 x^2 / beta below beta) or Huber loss (0.5 x^2 below delta)
// of x = input - target, with PyTorch's derivative written out: clamp(x, -c, c) scaled (c = 1 for smooth
// L1 with x / beta inside, delta for Huber). Differentiating a where() of abs() gave 0 at a NaN x (abs's
// sign(NaN) = 0) and NaN at an infinite x (the unused branch); PyTorch gives NaN and +-c.
Tensor smooth_l1_elementwise(const Tensor& input, const Tensor& target, double beta, bool huber, OpId id) {
  Tensor out;
  {
    NoGradGuard ng;
    Tensor d = abs(input - target);
    out = huber ? where(d < beta, d * d * 0.5, (d - 0.5 * beta) * beta)
                : where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta);
  }
  if (should_record({&input, &target}))
    record(id, {input, target}, {out}, {.inputs = {0, 1}},
           [beta, huber](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor &in = ctx.input(0), &t = ctx.input(1);
             Tensor x = in - t;
             Tensor inner = huber ? x : x / beta;
             const double c = huber ? beta : 1.0;
             Tensor dx = g[0] * where(x < -beta, full_like(x, -c), where(x > beta, full_like(x, c), inner));
             return {ctx.needs_grad[0] ? sum_to(dx, in.sizes()) : Tensor(),
                     ctx.needs_grad[1] ? sum_to(-dx, t.sizes()) : Tensor()};
           });
  return out;
}

// PyTorch's formula: (1 - y) x + lw (log(exp(-m) + exp(-x - m)) + m), m = max(-x, 0), lw = (pw - 1) y + 1,
// times weight; and its derivatives, written out: d/dx = (lw sigmoid(x) - pw y) (sigmoid(x) - y without
// pos_weight), d/dy = log_sigmoid(-x) - pw log_sigmoid(x) (-x without). A composite of abs and clamp had
// their kink conventions at x = 0 (a wrong gradient for zero logits) and other NaN/inf at the extremes.
Tensor bce_with_logits_elementwise(const Tensor& x, const Tensor& y, const Tensor& weight, const Tensor& pw) {
  auto log_sig_neg = [](const Tensor& v) {  // -log(sigmoid(v))
    Tensor m = clamp(-v, 0.0);
    return log(exp(-m) + exp(-v - m)) + m;
  };
  auto unweighted = [&](const Tensor& v) {
    return pw.defined() ? (1.0 - y) * v + ((pw - 1.0) * y + 1.0) * log_sig_neg(v)
                        : (1.0 - y) * v + log_sig_neg(v);
  };
  Tensor out;
  {
    NoGradGuard ng;
    out = weight.defined() ? unweighted(x) * weight : unweighted(x);
  }
  if (should_record({&x, &y, &weight, &pw}))
    record(OpId::binary_cross_entropy_with_logits, {x, y, weight, pw}, {out}, {.inputs = {0, 1, 2, 3}},
           [](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor &x = ctx.input(0), &y = ctx.input(1), &w = ctx.input(2), &pw = ctx.input(3);
             Tensor gw = w.defined() ? g[0] * w : g[0];
             Tensor s = nabla::sigmoid(x);
             Tensor dx = pw.defined() ? ((pw * y + 1.0 - y) * s - pw * y) : s - y;
             Tensor dy = pw.defined() ? nabla::logsigmoid(-x) - pw * nabla::logsigmoid(x) : -x;
             TensorList r(4);
             if (ctx.needs_grad[0]) r[0] = sum_to(gw * dx, x.sizes());
             if (ctx.needs_grad[1]) r[1] = sum_to(gw * dy, y.sizes());
             Tensor lsn = -nabla::logsigmoid(x);
             if (ctx.needs_grad[2]) {
               Tensor u = pw.defined() ? (1.0 - y) * x + ((pw - 1.0) * y + 1.0) * lsn : (1.0 - y) * x + lsn;
               r[2] = sum_to(g[0] * u, w.sizes());
             }
             if (ctx.needs_grad[3]) r[3] = sum_to(gw * y * lsn, pw.sizes());
             return r;
           });
  return out;
}

// PyTorch's forward, -(t log x + (1 - t) log(1 - x)) with the logs clamped at -100 (0 * log(0) stays
// finite), and its derivatives written out: d/dx = (x - t) / max((1 - x) x, EPSILON = 1e-12f), finite
// at x = 0 or 1 where the clamped logs' derivative is NaN; d/dt = -logit(x), unclamped (+-inf at x = 0
// or 1). Differentiating the composite gave d/dt = log(1 - x) - log(x) as two terms, inf - inf = NaN
// under an infinite weight where PyTorch's single product gives +-inf.
Tensor bce_elementwise(const Tensor& input, const Tensor& target) {
  Tensor out;
  {
    NoGradGuard ng;
    out = -(target * clamp(log(input), -100.0) + (1.0 - target) * clamp(log(1.0 - input), -100.0));
  }
  if (should_record({&input, &target}))
    record(OpId::binary_cross_entropy, {input, target}, {out}, {.inputs = {0, 1}},
           [](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor &x = ctx.input(0), &t = ctx.input(1);
             TensorList r(2);
             if (ctx.needs_grad[0]) r[0] = g[0] * (x - t) / clamp((1.0 - x) * x, static_cast<double>(1e-12f));
             if (ctx.needs_grad[1]) r[1] = g[0] * -log(x / (1.0 - x));
             return r;
           });
  return out;
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  check_defined("mse_loss", input, target);
  static std::once_flag warned;
  check_broadcast_target("mse_loss", warned, input, target);
  Tensor d = input - target;
  return reduce(d * d, reduction, "mse_loss");
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  check_defined("l1_loss", input, target);
  static std::once_flag warned;
  check_broadcast_target("l1_loss", warned, input, target);
  return reduce(abs(input - target), reduction, "l1_loss");
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction, double beta) {
  check_defined("smooth_l1_loss", input, target);
  static std::once_flag warned;
  check_broadcast_target("smooth_l1_loss", warned, input, target);
  NABLA_CHECK(beta >= 0, ValueError, "smooth_l1_loss: beta must be non-negative, got {}", beta);
  if (beta == 0) return reduce(abs(input - target), reduction, "smooth_l1_loss");
  return reduce(smooth_l1_elementwise(input, target, beta, false, OpId::smooth_l1_loss), reduction,
                "smooth_l1_loss");
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction, double delta) {
  check_defined("huber_loss", input, target);
  static std::once_flag warned;
  check_broadcast_target("huber_loss", warned, input, target);
  NABLA_CHECK(delta > 0, ValueError, "huber_loss: delta must be positive, got {}", delta);
  return reduce(smooth_l1_elementwise(input, target, delta, true, OpId::huber_loss), reduction, "huber_loss");
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                            const std::string& reduction) {
  check_defined("binary_cross_entropy", input, target);
  NABLA_CHECK(input.sizes() == target.sizes(), ShapeError,
              "binary_cross_entropy: Using a target size ({}) that is different to the input size ({}) is "
              "deprecated. Please ensure they have the same size.",
              shape_str(target.sizes()), shape_str(input.sizes()));
  {
    NoGradGuard ng;
    NABLA_CHECK(input.numel() == 0 || (min(input).item<double>() >= 0 && max(input).item<double>() <= 1),
                ValueError, "binary_cross_entropy: all elements of input should be between 0 and 1");
  }
  // Note [float16 and bfloat16]: in float32, rounded once (1.13 has no reduced kernel; the backward's
  // EPSILON = 1e-12 would underflow to 0 in float16 and give 0 / 0 at x = t = 0).
  if (is_reduced_floating(input.dtype()))
    return binary_cross_entropy(float32_if_reduced(input), float32_if_reduced(target),
                                float32_if_reduced(weight), reduction)
        .to(input.dtype());
  Tensor l = bce_elementwise(input, target);
  if (weight.defined()) l = l * weight;
  return reduce(l, reduction, "binary_cross_entropy");
}

Tensor binary_cross_entropy_with_logits(const Tensor& x, const Tensor& y, const Tensor& weight,
                                        const Tensor& pos_weight, const std::string& reduction) {
  check_defined("binary_cross_entropy_with_logits", x, y);
  NABLA_CHECK(x.sizes() == y.sizes(), ShapeError,
              "binary_cross_entropy_with_logits: Target size ({}) must be the same as input size ({})",
              shape_str(y.sizes()), shape_str(x.sizes()));
  Tensor l = bce_with_logits_elementwise(x, y, weight, pos_weight);
  return reduce(l, reduction, "binary_cross_entropy_with_logits");
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight, const std::string& reduction,
                int64_t ignore_index) {
  check_defined("nll_loss", input, target);
  NABLA_CHECK(input.dim() >= 1, ShapeError, "nll_loss: input must have at least 1 dimension, got {}",
              shape_str(input.sizes()));
  NABLA_CHECK(target.dtype() == DType::Int64, DTypeError,
              "nll_loss: expected int64 class indices as target, got {}", dtype_name(target.dtype()));
  // Move classes to the last dim: [N, C, d1..] -> [N*d1.., C].
  const int64_t C = input.dim() == 1 ? input.size(0) : input.size(1);
  Tensor logp = input.dim() == 1 ? input.unsqueeze(0) : classes_last(input);
  Tensor t = target.reshape({-1});
  NABLA_CHECK(logp.size(0) == t.size(0), ShapeError,
              "nll_loss: expected input batch_size ({}) to match target batch_size ({})", logp.size(0),
              t.size(0));
  Tensor valid = t != ignore_index;
  Tensor safe_t = where(valid, t, zeros_like(t));
  {
    NoGradGuard ng;
    if (t.numel()) {
      Tensor vt = t.masked_select(valid);
      NABLA_CHECK(
          vt.numel() == 0 || (min(vt).item<int64_t>() >= 0 && max(vt).item<int64_t>() < C), IndexError,
          "nll_loss: target {} is out of bounds: class indices must be in [0, {}) or ignore_index",
          vt.numel() ? (min(vt).item<int64_t>() < 0 ? min(vt).item<int64_t>() : max(vt).item<int64_t>()) : 0,
          C);
    }
  }
  Tensor picked = -logp.gather(1, safe_t.unsqueeze(1)).squeeze(1);
  Tensor w = convert(valid, input.dtype());
  if (weight.defined()) w = where(valid, weight.index_select(0, safe_t), zeros_like(w));
  // An ignored sample contributes nothing, not 0 * its value (NaN when its row holds a NaN or inf).
  Tensor l = where(valid, picked * w, zeros_like(picked));
  // Divided by the total weight as is: where every target is ignored, 0 / 0 = NaN and where() still
  // gives the ignored samples a 0 gradient (PyTorch's); zero weights on kept targets give NaN gradients.
  if (reduction == "mean") return l.sum() / w.sum();
  if (reduction == "none") return l.reshape(target.sizes());
  return reduce(l, reduction, "nll_loss");
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                     const std::string& reduction, int64_t ignore_index, double label_smoothing) {
  check_defined("cross_entropy", input, target);
  NABLA_CHECK(label_smoothing >= 0 && label_smoothing <= 1, ValueError,
              "cross_entropy: label_smoothing must be between 0.0 and 1.0, got {}", label_smoothing);
  const int64_t cdim = input.dim() == 1 ? 0 : 1;
  const int64_t C = input.size(cdim);
  Tensor logp = nabla::log_softmax(input, cdim);
  if (is_floating(target.dtype())) {  // class probabilities
    NABLA_CHECK(
        ignore_index == -100, ValueError,
        "cross_entropy: ignore_index is not supported for floating point target (got ignore_index={})",
        ignore_index);
    check_same_shape("cross_entropy", input, target);
    Tensor t = label_smoothing > 0
                   ? target * (1.0 - label_smoothing) + label_smoothing / static_cast<double>(C)
                   : target;
    Tensor per = logp * t;
    if (weight.defined()) {
      std::vector<int64_t> ws(input.dim(), 1);
      ws[cdim] = C;
      per = per * weight.reshape(ws);
    }
    Tensor l = -per.sum({cdim});
    if (reduction == "mean") return l.sum() / static_cast<double>(input.dim() == 1 ? 1 : input.numel() / C);
    return reduce(l, reduction, "cross_entropy");
  }
  Tensor nll = nll_loss(logp, target, weight, reduction, ignore_index);
  if (label_smoothing == 0) return nll;
  // Smoothing term: -(1/C) * sum_c w_c logp_c, over the non-ignored samples (PyTorch's formula).
  Tensor lp = input.dim() == 1 ? logp.unsqueeze(0) : classes_last(logp);
  Tensor t = target.reshape({-1});
  Tensor kept = t != ignore_index;
  Tensor valid = convert(kept, input.dtype());
  Tensor per = weight.defined() ? lp * weight : lp;
  Tensor smooth = where(kept, -per.sum({1}), zeros_like(valid));  // PyTorch's masked_fill
  Tensor s;
  if (reduction == "mean") {
    Tensor denom =
        weight.defined()
            ? where(kept, weight.index_select(0, where(kept, t, zeros_like(t))), zeros_like(valid)).sum()
            : valid.sum();
    s = smooth.sum() / denom;
  } else if (reduction == "sum") {
    s = smooth.sum();
  } else {
    s = smooth.reshape(target.sizes());
  }
  return nll * (1.0 - label_smoothing) + s * (label_smoothing / static_cast<double>(C));
}

Tensor kl_div(const Tensor& input, const Tensor& target, const std::string& reduction, bool log_target) {
  check_defined("kl_div", input, target);
  // PyTorch 1.13's formula; a target of another shape broadcasts silently (no warning in PyTorch).
  NABLA_CHECK(broadcastable(input.sizes(), target.sizes()), ShapeError,
              "kl_div: target size {} cannot be broadcast with input size {}", shape_str(target.sizes()),
              shape_str(input.sizes()));
  Tensor l = log_target ? exp(target) * (target - input) : xlogy_self(target) - target * input;
  NABLA_CHECK(reduction != "batchmean" || input.dim() > 0, ShapeError,
              "kl_div: batchmean needs a batch dimension");
  if (reduction == "batchmean") return l.sum() / static_cast<double>(input.size(0));
  return reduce(l, reduction, "kl_div");
}

}  // namespace nabla::nn::functional
