// normalization.cpp — the bodies of torch/nn/functional/normalization.h's wrappers, compiled once here rather
// than in every program that includes <torch/torch.h> (docs/libtorch.md, "Compile time").
#include "torch/nn/functional/normalization.h"

namespace torch::nn::functional {

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options) {
  impl::check(options.momentum().has_value(),
              "batch_norm: momentum must be a number (None is not supported by the functional form)");
  return nabla::nn::functional::batch_norm(input, running_mean, running_var, options.weight(), options.bias(),
                                           options.training(), *options.momentum(), options.eps());
}

Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options) {
  return nabla::nn::functional::layer_norm(input, options.normalized_shape(), options.weight(),
                                           options.bias(), options.eps());
}

Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& options) {
  return nabla::nn::functional::group_norm(input, options.num_groups(), options.weight(), options.bias(),
                                           options.eps());
}

Tensor normalize(const Tensor& input, NormalizeFuncOptions options) {
  Tensor denom = input.norm(options.p(), std::vector<int64_t>{options.dim()}, true)
                     .clamp(nabla::Scalar(options.eps()))
                     .expand_as(input);
  Tensor y = input / denom;
  if (options.out()) options.out()->copy_(y);
  return options.out() ? *options.out() : y;
}

}  // namespace torch::nn::functional
