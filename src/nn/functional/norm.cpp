// norm.cpp — batch, layer and group normalisation, composed from differentiable ops (so gradcheck
// and double backward hold). Batch norm runs on the kernels of ops/norm_kernels.h instead where
// they take the case (see batch_norm_kernel). Running statistics are updated in place without autograd.
#include "autograd/functions/common.h"
#include "autograd/observer.h"
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
// output pass, and a fused backward; with relu, relu(batch_norm(x)) in the same passes (Note [Batch
// norm and ReLU in one pass]). Under create_graph the backward is written with differentiable ops
// (statistics recomputed from x), so double backward still holds. Undefined when no kernel takes
// this case.
Tensor batch_norm_kernel(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                         const Tensor& weight, const Tensor& bias, double momentum, double eps, bool relu) {
  kernels::BatchNormResult r =
      kernels::batch_norm_training_forward(x, {weight, bias, running_mean, running_var, eps, relu});
  if (!r.y.defined()) return r.y;
  const kernels::BatchNormSaved& s = r.saved;
  update_running_stats(running_mean, running_var, s.mean, s.var, momentum, x.numel() / x.size(1));
  if (!should_record({&x, &weight, &bias})) return r.y;
  record(relu ? OpId::batch_norm_relu : OpId::batch_norm, {x, running_mean, running_var, weight, bias}, {r.y},
         {.inputs = relu ? autograd::Slots{0, 3, 4} : autograd::Slots{0, 3},
          .extra = {s.x, s.mean, s.var, s.weight, s.bias}},
         [eps, relu](const BackwardContext& ctx, const TensorList& gr) -> TensorList {
           const bool want_w = ctx.needs_grad[3], want_b = ctx.needs_grad[4];
           if (is_grad_enabled()) {  // create_graph: differentiable formula, on x and weight themselves
             const Tensor &x = ctx.input(0), &w = ctx.input(3);
             const auto dims = reduce_dims(x);
             Tensor mean = x.mean(dims, true), centered = x - mean;
             Tensor invstd = rsqrt((centered * centered).mean(dims, true) + eps), xhat = centered * invstd;
             Tensor gy = gr[0];
             if (relu) {  // through relu's mask, the output recomputed (the mask is constant)
               Tensor y = w.defined() ? xhat * w.reshape(channel_shape(x)) : xhat;
               if (const Tensor& b = ctx.input(4); b.defined()) y = y + b.reshape(channel_shape(x));
               gy = gy * convert(logical_not(y.detach() <= 0), gy.dtype());
             }
             Tensor g = w.defined() ? gy * w.reshape(channel_shape(x)) : gy;
             Tensor gx = invstd * (g - g.mean(dims, true) - xhat * (g * xhat).mean(dims, true));
             return {gx, Tensor(), Tensor(), want_w ? (gy * xhat).sum(dims) : Tensor(),
                     want_b ? gy.sum(dims) : Tensor()};
           }
           const kernels::BatchNormSaved saved{ctx.extra(0), ctx.extra(1), ctx.extra(2),
                                               ctx.extra(3), ctx.extra(4), relu};
           auto g = kernels::batch_norm_backward(gr[0], saved, eps, {.weight = want_w, .bias = want_b});
           return {ctx.needs_grad[0] ? g.gx : Tensor(), Tensor(), Tensor(), g.gw, g.gb};
         });
  return r.y;
}

// batch_norm, and relu(batch_norm) when relu. The fused kernels run when they take the case and no
// tracer watches (an ONNX export sees batch_norm and then relu); otherwise relu is applied after.
Tensor batch_norm_maybe_relu(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                             const Tensor& weight, const Tensor& bias, bool training, double momentum,
                             double eps, bool relu) {
  const char* op = relu ? "batch_norm_relu" : "batch_norm";
  check_defined(op, x);
  // Note [float16 and bfloat16]: statistics in float32, as PyTorch's kernels keep them. The running
  // stats are updated in place in their own dtype.
  if (is_reduced_floating(x.dtype())) {
    Tensor rm = float32_if_reduced(running_mean), rv = float32_if_reduced(running_var);
    Tensor y = batch_norm_maybe_relu(float32_if_reduced(x), rm, rv, float32_if_reduced(weight),
                                     float32_if_reduced(bias), training, momentum, eps, relu);
    if (training && running_mean.defined() && !rm.is_same(running_mean)) running_mean.detach().copy_(rm);
    if (training && running_var.defined() && !rv.is_same(running_var)) running_var.detach().copy_(rv);
    return y.to(x.dtype());
  }
  NABLA_CHECK(x.dim() >= 2, ShapeError, "{}: expected at least 2-D input [N, C, ...], got {}", op,
              shape_str(x.sizes()));
  const int64_t C = x.size(1);
  for (const Tensor* t : {&running_mean, &running_var, &weight, &bias})
    NABLA_CHECK(!t->defined() || (t->dim() == 1 && t->size(0) == C), ShapeError,
                "{}: expected per-channel tensors of shape [{}] for input {}, got {}", op, C,
                shape_str(x.sizes()), shape_str(t->sizes()));
  const bool fuse = relu && autograd::op_observer() == nullptr;
  auto finish = [relu](const Tensor& y) { return relu ? nabla::relu(y) : y; };
  const auto dims = reduce_dims(x);
  const auto cs = channel_shape(x);
  if (training) {
    const int64_t n = x.numel() / C;
    NABLA_CHECK(n > 1, ValueError, "{}: expected more than 1 value per channel when training, got input {}",
                op, shape_str(x.sizes()));
    if (fuse) {
      Tensor y = batch_norm_kernel(x, running_mean, running_var, weight, bias, momentum, eps, true);
      if (y.defined()) return y;
    }
    Tensor y = batch_norm_kernel(x, running_mean, running_var, weight, bias, momentum, eps, false);
    if (y.defined()) return finish(y);
    Tensor mean = x.mean(dims, true);
    Tensor centered = x - mean;
    Tensor var = (centered * centered).mean(dims, true);
    update_running_stats(running_mean, running_var, mean, var, momentum, n);
    y = centered * rsqrt(var + eps);
    if (weight.defined()) y = y * weight.reshape(cs);
    return finish(bias.defined() ? y + bias.reshape(cs) : y);
  }
  NABLA_CHECK(running_mean.defined() && running_var.defined(), ValueError,
              "{}: running_mean and running_var are required in eval mode", op);
  // Inference without autograd: one kernel pass. With gradients wanted, the two-pass composite below
  // (x * scale + shift) is already cheap and differentiable in everything.
  if (!should_record({&x, &running_mean, &running_var, &weight, &bias})) {
    if (fuse) {
      Tensor y =
          kernels::batch_norm_inference_forward(x, {weight, bias, running_mean, running_var, eps, true});
      if (y.defined()) return y;
    }
    Tensor y = kernels::batch_norm_inference_forward(x, {weight, bias, running_mean, running_var, eps});
    if (y.defined()) return finish(y);
  }
  Tensor scale = rsqrt(running_var + eps);
  if (weight.defined()) scale = scale * weight;
  Tensor shift = -running_mean * scale;
  if (bias.defined()) shift = shift + bias;
  return finish(x * scale.reshape(cs) + shift.reshape(cs));
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum, double eps) {
  return batch_norm_maybe_relu(x, running_mean, running_var, weight, bias, training, momentum, eps, false);
}
Tensor batch_norm_relu(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                       const Tensor& weight, const Tensor& bias, bool training, double momentum, double eps) {
  return batch_norm_maybe_relu(x, running_mean, running_var, weight, bias, training, momentum, eps, true);
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
