// norm.cpp — batch, layer and group normalisation, composed from differentiable ops (so gradcheck
// and double backward hold). Batch norm runs on the kernels of ops/norm_kernels.h instead where
// they take the case (see batch_norm_kernel). Running statistics are updated in place without autograd.
#include "autograd/functions/common.h"
#include "nabla/nn/functional.h"
#include "ops/norm_kernels.h"

namespace nabla::nn::functional {

namespace {
// Shape [1, C, 1, ...] that broadcasts a per-channel vector over an [N, C, ...] input.
std::vector<int64_t> channel_shape(const Tensor& x) {
  std::vector<int64_t> s(x.dim(), 1);
  s[1] = x.size(1);
  return s;
}
std::vector<int64_t> reduce_dims(const Tensor& x) {
  std::vector<int64_t> dims = {0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  return dims;
}

void update_running_stats(const Tensor& running_mean, const Tensor& running_var, const Tensor& mean,
                          const Tensor& var, double momentum, int64_t n) {
  if (!running_mean.defined()) return;
  NoGradGuard ng;
  Tensor rm = running_mean, rv = running_var;  // handles: updates land in the module's buffers
  const int64_t C = rm.numel();
  rm.mul_(1 - momentum).add_(mean.reshape({C}) * momentum);
  rv.mul_(1 - momentum)
      .add_(var.reshape({C}) * (momentum * static_cast<double>(n) / static_cast<double>(n - 1)));
}

// Training-mode batch norm on the kernels (Note [Kernel routing]): one statistics pass and one
// output pass, and a fused backward. Under create_graph the backward is written with differentiable
// ops (statistics recomputed from x), so double backward still holds. Undefined when no kernel takes
// this case.
Tensor batch_norm_kernel(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                         const Tensor& weight, const Tensor& bias, double momentum, double eps) {
  kernels::BatchNormResult r =
      kernels::batch_norm_training_forward(x, {weight, bias, running_mean, running_var, eps});
  if (!r.y.defined()) return r.y;
  const kernels::BatchNormSaved& s = r.saved;
  update_running_stats(running_mean, running_var, s.mean, s.var, momentum, x.numel() / x.size(1));
  if (!should_record({&x, &weight, &bias})) return r.y;
  record(OpId::batch_norm, {x, running_mean, running_var, weight, bias}, {r.y},
         {.inputs = {0, 3}, .extra = {s.x, s.mean, s.var, s.weight, s.bias}},
         [eps](const BackwardContext& ctx, const TensorList& gr) -> TensorList {
           const bool want_w = ctx.needs_grad[3], want_b = ctx.needs_grad[4];
           if (is_grad_enabled()) {  // create_graph: differentiable formula, on x and weight themselves
             const Tensor &x = ctx.input(0), &w = ctx.input(3);
             const auto dims = reduce_dims(x);
             Tensor mean = x.mean(dims, true), centered = x - mean;
             Tensor invstd = rsqrt((centered * centered).mean(dims, true) + eps), xhat = centered * invstd;
             Tensor g = w.defined() ? gr[0] * w.reshape(channel_shape(x)) : gr[0];
             Tensor gx = invstd * (g - g.mean(dims, true) - xhat * (g * xhat).mean(dims, true));
             return {gx, Tensor(), Tensor(), want_w ? (gr[0] * xhat).sum(dims) : Tensor(),
                     want_b ? gr[0].sum(dims) : Tensor()};
           }
           const kernels::BatchNormSaved saved{ctx.extra(0), ctx.extra(1), ctx.extra(2), ctx.extra(3),
                                               ctx.extra(4)};
           auto g = kernels::batch_norm_backward(gr[0], saved, eps, {.weight = want_w, .bias = want_b});
           return {ctx.needs_grad[0] ? g.gx : Tensor(), Tensor(), Tensor(), g.gw, g.gb};
         });
  return r.y;
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum, double eps) {
  check_defined("batch_norm", x);
  // Note [float16 and bfloat16]: statistics in float32, as PyTorch's kernels keep them. The running
  // stats are updated in place in their own dtype.
  if (is_reduced_floating(x.dtype())) {
    Tensor rm = float32_if_reduced(running_mean), rv = float32_if_reduced(running_var);
    Tensor y = batch_norm(float32_if_reduced(x), rm, rv, float32_if_reduced(weight), float32_if_reduced(bias),
                          training, momentum, eps);
    if (training && running_mean.defined() && !rm.is_same(running_mean)) running_mean.detach().copy_(rm);
    if (training && running_var.defined() && !rv.is_same(running_var)) running_var.detach().copy_(rv);
    return y.to(x.dtype());
  }
  NABLA_CHECK(x.dim() >= 2, ShapeError, "batch_norm: expected at least 2-D input [N, C, ...], got {}",
              shape_str(x.sizes()));
  const int64_t C = x.size(1);
  for (const Tensor* t : {&running_mean, &running_var, &weight, &bias})
    NABLA_CHECK(!t->defined() || (t->dim() == 1 && t->size(0) == C), ShapeError,
                "batch_norm: expected per-channel tensors of shape [{}] for input {}, got {}", C,
                shape_str(x.sizes()), shape_str(t->sizes()));
  const auto dims = reduce_dims(x);
  const auto cs = channel_shape(x);
  if (training) {
    const int64_t n = x.numel() / C;
    NABLA_CHECK(n > 1, ValueError,
                "batch_norm: expected more than 1 value per channel when training, got input {}",
                shape_str(x.sizes()));
    Tensor fused = batch_norm_kernel(x, running_mean, running_var, weight, bias, momentum, eps);
    if (fused.defined()) return fused;
    Tensor mean = x.mean(dims, true);
    Tensor centered = x - mean;
    Tensor var = (centered * centered).mean(dims, true);
    update_running_stats(running_mean, running_var, mean, var, momentum, n);
    Tensor y = centered * rsqrt(var + eps);
    if (weight.defined()) y = y * weight.reshape(cs);
    return bias.defined() ? y + bias.reshape(cs) : y;
  }
  NABLA_CHECK(running_mean.defined() && running_var.defined(), ValueError,
              "batch_norm: running_mean and running_var are required in eval mode");
  // Inference without autograd: one kernel pass. With gradients wanted, the two-pass composite below
  // (x * scale + shift) is already cheap and differentiable in everything.
  if (!should_record({&x, &running_mean, &running_var, &weight, &bias})) {
    Tensor y = kernels::batch_norm_inference_forward(x, {weight, bias, running_mean, running_var, eps});
    if (y.defined()) return y;
  }
  Tensor scale = rsqrt(running_var + eps);
  if (weight.defined()) scale = scale * weight;
  Tensor shift = -running_mean * scale;
  if (bias.defined()) shift = shift + bias;
  return x * scale.reshape(cs) + shift.reshape(cs);
}

Tensor layer_norm(const Tensor& x, IntArrayRef normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  check_defined("layer_norm", x);
  if (is_reduced_floating(x.dtype()))  // Note [float16 and bfloat16]: statistics in float32
    return layer_norm(float32_if_reduced(x), normalized_shape, float32_if_reduced(weight),
                      float32_if_reduced(bias), eps)
        .to(x.dtype());
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  NABLA_CHECK(k > 0 && k <= x.dim(), ShapeError, "layer_norm: normalized_shape {} does not fit input {}",
              shape_str(normalized_shape), shape_str(x.sizes()));
  for (int64_t i = 0; i < k; ++i)
    NABLA_CHECK(x.size(x.dim() - k + i) == normalized_shape[i], ShapeError,
                "layer_norm: input {} does not end with normalized_shape {}", shape_str(x.sizes()),
                shape_str(normalized_shape));
  std::vector<int64_t> dims;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
  // The mean accumulated in float64: a float32 sum's rounding left a constant row off-centre by ~1 ulp
  // of the sum, which eps then amplified (30x PyTorch's error on a row of 1000.1f).
  Tensor mean = x.dtype() == DType::Float32
                    ? to_dtype(to_dtype(x, DType::Float64).mean(dims, true), x.dtype())
                    : x.mean(dims, true);
  Tensor centered = x - mean;
  Tensor y = centered * rsqrt((centered * centered).mean(dims, true) + eps);
  if (weight.defined()) y = y * weight;
  return bias.defined() ? y + bias : y;
}

Tensor group_norm(const Tensor& x, int64_t G, const Tensor& weight, const Tensor& bias, double eps) {
  check_defined("group_norm", x);
  if (is_reduced_floating(x.dtype()))  // Note [float16 and bfloat16]: statistics in float32
    return group_norm(float32_if_reduced(x), G, float32_if_reduced(weight), float32_if_reduced(bias), eps)
        .to(x.dtype());
  NABLA_CHECK(x.dim() >= 2, ShapeError, "group_norm: expected at least 2-D input, got {}",
              shape_str(x.sizes()));
  const int64_t N = x.size(0), C = x.size(1);
  NABLA_CHECK(G > 0 && C % G == 0, ShapeError, "group_norm: num_groups ({}) must divide the channels ({})", G,
              C);
  Tensor g = x.reshape({N, G, -1});
  Tensor mean = g.mean({2}, true);
  Tensor centered = g - mean;
  Tensor y = (centered * rsqrt((centered * centered).mean({2}, true) + eps)).reshape(x.sizes());
  const auto cs = channel_shape(x);
  if (weight.defined()) y = y * weight.reshape(cs);
  return bias.defined() ? y + bias.reshape(cs) : y;
}

}  // namespace nabla::nn::functional
