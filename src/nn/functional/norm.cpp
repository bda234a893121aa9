// norm.cpp — batch, layer and group normalisation, composed from differentiable ops (so gradcheck
// and double backward hold). Running statistics are updated in place without autograd.
#include "autograd/functions/common.h"
#include "nabla/nn/functional.h"

namespace nabla::nn::functional {

namespace {
// Shape [1, C, 1, ...] that broadcasts a per-channel vector over an [N, C, ...] input.
std::vector<int64_t> channel_shape(const Tensor& x) {
  std::vector<int64_t> s(x.dim(), 1);
  s[1] = x.size(1);
  return s;
}
}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  NABLA_CHECK(x.dim() >= 2, ShapeError, "batch_norm: expected at least 2-D input [N, C, ...], got {}", shape_str(x.sizes()));
  const int64_t C = x.size(1);
  for (const Tensor* t : {&running_mean, &running_var, &weight, &bias})
    NABLA_CHECK(!t->defined() || (t->dim() == 1 && t->size(0) == C), ShapeError,
                "batch_norm: expected per-channel tensors of shape [{}] for input {}, got {}", C, shape_str(x.sizes()),
                shape_str(t->sizes()));
  std::vector<int64_t> dims = {0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  const auto cs = channel_shape(x);
  Tensor mean, var;
  if (training) {
    const int64_t n = x.numel() / C;
    NABLA_CHECK(n > 1, ValueError, "batch_norm: expected more than 1 value per channel when training, got input {}",
                shape_str(x.sizes()));
    mean = x.mean(dims, true);
    Tensor centered = x - mean;
    var = (centered * centered).mean(dims, true);
    if (running_mean.defined()) {
      NoGradGuard ng;
      Tensor rm = running_mean, rv = running_var;  // handles: updates land in the module's buffers
      rm.mul_(1 - momentum).add_(mean.reshape({C}) * momentum);
      rv.mul_(1 - momentum).add_(var.reshape({C}) * (momentum * static_cast<double>(n) / static_cast<double>(n - 1)));
    }
    Tensor y = centered * rsqrt(var + eps);
    if (weight.defined()) y = y * weight.reshape(cs);
    return bias.defined() ? y + bias.reshape(cs) : y;
  }
  NABLA_CHECK(running_mean.defined() && running_var.defined(), ValueError,
              "batch_norm: running_mean and running_var are required in eval mode");
  Tensor scale = rsqrt(running_var + eps);
  if (weight.defined()) scale = scale * weight;
  Tensor shift = -running_mean * scale;
  if (bias.defined()) shift = shift + bias;
  return x * scale.reshape(cs) + shift.reshape(cs);
}

Tensor layer_norm(const Tensor& x, IntArrayRef normalized_shape, const Tensor& weight, const Tensor& bias, double eps) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  NABLA_CHECK(k > 0 && k <= x.dim(), ShapeError, "layer_norm: normalized_shape {} does not fit input {}",
              shape_str(normalized_shape), shape_str(x.sizes()));
  for (int64_t i = 0; i < k; ++i)
    NABLA_CHECK(x.size(x.dim() - k + i) == normalized_shape[i], ShapeError,
                "layer_norm: input {} does not end with normalized_shape {}", shape_str(x.sizes()),
                shape_str(normalized_shape));
  std::vector<int64_t> dims;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
  Tensor mean = x.mean(dims, true);
  Tensor centered = x - mean;
  Tensor y = centered * rsqrt((centered * centered).mean(dims, true) + eps);
  if (weight.defined()) y = y * weight;
  return bias.defined() ? y + bias : y;
}

Tensor group_norm(const Tensor& x, int64_t G, const Tensor& weight, const Tensor& bias, double eps) {
  NABLA_CHECK(x.dim() >= 2, ShapeError, "group_norm: expected at least 2-D input, got {}", shape_str(x.sizes()));
  const int64_t N = x.size(0), C = x.size(1);
  NABLA_CHECK(G > 0 && C % G == 0, ShapeError, "group_norm: num_groups ({}) must divide the channels ({})", G, C);
  Tensor g = x.reshape({N, G, -1});
  Tensor mean = g.mean({2}, true);
  Tensor centered = g - mean;
  Tensor y = (centered * rsqrt((centered * centered).mean({2}, true) + eps)).reshape(x.sizes());
  const auto cs = channel_shape(x);
  if (weight.defined()) y = y * weight.reshape(cs);
  return bias.defined() ? y + bias.reshape(cs) : y;
}

}  // namespace nabla::nn::functional
