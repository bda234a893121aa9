// torch/nn/functional/normalization.h — F::batch_norm, F::layer_norm, F::group_norm, F::normalize with
// LibTorch's option types.
#pragma once
#include <optional>
#include <vector>

#include "torch/nn/functional/impl.h"

namespace torch::nn::functional {

struct BatchNormFuncOptions {
  TORCH_ARG(Tensor, weight) = Tensor();
  TORCH_ARG(Tensor, bias) = Tensor();
  TORCH_ARG(bool, training) = false;
  // LibTorch's type; None (a cumulative average) is rejected by LibTorch's functional form too.
  TORCH_ARG(std::optional<double>, momentum) = 0.1;
  TORCH_ARG(double, eps) = 1e-5;
};
struct LayerNormFuncOptions {
  /* implicit */ LayerNormFuncOptions(std::vector<int64_t> normalized_shape)  // NOLINT
      : normalized_shape_(std::move(normalized_shape)) {}
  TORCH_ARG(std::vector<int64_t>, normalized_shape);
  TORCH_ARG(Tensor, weight) = {};
  TORCH_ARG(Tensor, bias) = {};
  TORCH_ARG(double, eps) = 1e-5;
};
struct GroupNormFuncOptions {
  /* implicit */ GroupNormFuncOptions(int64_t num_groups) : num_groups_(num_groups) {}  // NOLINT
  TORCH_ARG(int64_t, num_groups);
  TORCH_ARG(Tensor, weight) = {};
  TORCH_ARG(Tensor, bias) = {};
  TORCH_ARG(double, eps) = 1e-5;
};
struct NormalizeFuncOptions {
  TORCH_ARG(double, p) = 2.0;
  TORCH_ARG(int64_t, dim) = 1;
  TORCH_ARG(double, eps) = 1e-12;
  TORCH_ARG(std::optional<Tensor>, out) = std::nullopt;
};

// In training mode the running stats (if defined) are updated in place.
inline Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                         const BatchNormFuncOptions& options = {}) {
  impl::check(options.momentum().has_value(),
              "batch_norm: momentum must be a number (None is not supported by the functional form)");
  return nabla::nn::functional::batch_norm(input, running_mean, running_var, options.weight(), options.bias(),
                                           options.training(), *options.momentum(), options.eps());
}
inline Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options) {
  return nabla::nn::functional::layer_norm(input, options.normalized_shape(), options.weight(),
                                           options.bias(), options.eps());
}
inline Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& options) {
  return nabla::nn::functional::group_norm(input, options.num_groups(), options.weight(), options.bias(),
                                           options.eps());
}
// input / max(||input||_p over dim, eps); with .out(t) the result is also written into t.
inline Tensor normalize(const Tensor& input, NormalizeFuncOptions options = {}) {
  Tensor denom = input.norm(options.p(), std::vector<int64_t>{options.dim()}, true)
                     .clamp(nabla::Scalar(options.eps()))
                     .expand_as(input);
  Tensor y = input / denom;
  if (options.out()) options.out()->copy_(y);
  return options.out() ? *options.out() : y;
}

}  // namespace torch::nn::functional
