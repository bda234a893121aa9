// torch/nn/functional/activation.h — F::relu, F::softmax, ... with LibTorch's *FuncOptions.
// LibTorch has no F::sigmoid or F::tanh (those are torch::sigmoid / torch::tanh), so neither does this.
#pragma once
#include <optional>
#include <string>

#include "torch/nn/functional/impl.h"
#include "torch/nn/options/activation.h"

namespace torch::nn::functional {

// ---- options (field names and defaults as LibTorch's nn/options/activation.h) ----
// As in LibTorch, the first four are the modules' options (torch/nn/options/activation.h).
using ReLUFuncOptions = torch::nn::ReLUOptions;
using LeakyReLUFuncOptions = torch::nn::LeakyReLUOptions;
using ELUFuncOptions = torch::nn::ELUOptions;
using GELUFuncOptions = torch::nn::GELUOptions;
// LibTorch's ReLU6Options, SELUOptions (inplace) and CELUOptions (alpha, inplace) have these fields.
struct ReLU6FuncOptions {
  /* implicit */ ReLU6FuncOptions(bool inplace = false) : inplace_(inplace) {}  // NOLINT
  TORCH_ARG(bool, inplace);
};
using SELUFuncOptions = ReLU6FuncOptions;
struct CELUFuncOptions {
  TORCH_ARG(double, alpha) = 1.0;
  TORCH_ARG(bool, inplace) = false;
};
struct HardtanhFuncOptions {
  TORCH_ARG(double, min_val) = -1.0;
  TORCH_ARG(double, max_val) = 1.0;
  TORCH_ARG(bool, inplace) = false;
};
struct SoftplusFuncOptions {
  TORCH_ARG(double, beta) = 1.0;
  TORCH_ARG(double, threshold) = 20.0;
};
struct ThresholdFuncOptions {
  ThresholdFuncOptions(double threshold, double value) : threshold_(threshold), value_(value) {}
  TORCH_ARG(double, threshold);
  TORCH_ARG(double, value);
  TORCH_ARG(bool, inplace) = false;
};
// Hardshrink and Softshrink: the lambda is implicit, as in LibTorch.
struct HardshrinkFuncOptions {
  /* implicit */ HardshrinkFuncOptions(double lambda = 0.5) : lambda_(lambda) {}  // NOLINT
  TORCH_ARG(double, lambda);
};
using SoftshrinkFuncOptions = HardshrinkFuncOptions;
struct GLUFuncOptions {
  /* implicit */ GLUFuncOptions(int64_t dim = -1) : dim_(dim) {}  // NOLINT
  TORCH_ARG(int64_t, dim);
};
// softmax, softmin, log_softmax: dim is required; a dtype casts the input first (as PyTorch does).
struct SoftmaxFuncOptions {
  SoftmaxFuncOptions(int64_t dim) : dim_(dim) {}  // NOLINT
  TORCH_ARG(int64_t, dim);
  TORCH_ARG(std::optional<torch::Dtype>, dtype) = std::nullopt;
};
using SoftminFuncOptions = SoftmaxFuncOptions;
using LogSoftmaxFuncOptions = SoftmaxFuncOptions;

// ---- functions ----
inline Tensor relu(Tensor input, const ReLUFuncOptions& options = {}) {
  return options.inplace() ? input.relu_() : nabla::relu(input);
}
inline Tensor relu6(Tensor input, const ReLU6FuncOptions& options = {}) {
  return impl::maybe_inplace(input, nabla::nn::functional::relu6(input), options.inplace());
}
inline Tensor selu(Tensor input, const SELUFuncOptions& options = {}) {
  return impl::maybe_inplace(input, nabla::selu(input), options.inplace());
}
inline Tensor leaky_relu(Tensor input, const LeakyReLUFuncOptions& options = {}) {
  return impl::maybe_inplace(input, nabla::leaky_relu(input, options.negative_slope()), options.inplace());
}
inline Tensor elu(Tensor input, const ELUFuncOptions& options = {}) {
  return impl::maybe_inplace(input, nabla::nn::functional::elu(input, options.alpha()), options.inplace());
}
inline Tensor celu(Tensor input, const CELUFuncOptions& options = {}) {
  return impl::maybe_inplace(input, nabla::celu(input, options.alpha()), options.inplace());
}
inline Tensor gelu(const Tensor& input, const GELUFuncOptions& options = {}) {
  return nabla::gelu(input, options.approximate());
}
inline Tensor silu(const Tensor& input) { return nabla::nn::functional::silu(input); }
inline Tensor mish(const Tensor& input) { return nabla::mish(input); }
inline Tensor logsigmoid(const Tensor& input) { return nabla::logsigmoid(input); }
inline Tensor softsign(const Tensor& input) { return nabla::softsign(input); }
inline Tensor tanhshrink(const Tensor& input) { return input - nabla::tanh(input); }
inline Tensor prelu(const Tensor& input, const Tensor& weight) { return nabla::prelu(input, weight); }
inline Tensor hardtanh(Tensor input, const HardtanhFuncOptions& options = {}) {
  return impl::maybe_inplace(input, nabla::hardtanh(input, options.min_val(), options.max_val()),
                             options.inplace());
}
inline Tensor softplus(const Tensor& input, const SoftplusFuncOptions& options = {}) {
  return nabla::softplus(input, options.beta(), options.threshold());
}
// y = x where x > threshold, else value.
inline Tensor threshold(Tensor input, const ThresholdFuncOptions& options) {
  Tensor out = nabla::where(input > options.threshold(), input, nabla::full_like(input, options.value()));
  return impl::maybe_inplace(input, out, options.inplace());
}
inline Tensor hardshrink(const Tensor& input, const HardshrinkFuncOptions& options = {}) {
  return nabla::where(input.abs() > options.lambda(), input, nabla::zeros_like(input));
}
inline Tensor softshrink(const Tensor& input, const SoftshrinkFuncOptions& options = {}) {
  const double l = options.lambda();
  return nabla::where(input > l, input - l, nabla::where(input < -l, input + l, nabla::zeros_like(input)));
}
// glu: the first half of `dim` gated by the sigmoid of the second half.
inline Tensor glu(const Tensor& input, const GLUFuncOptions& options = {}) {
  TensorList halves = input.chunk(2, options.dim());
  return halves[0] * nabla::sigmoid(halves[1]);
}

namespace impl {
inline Tensor cast_for_softmax(const Tensor& input, const std::optional<torch::Dtype>& dtype) {
  return dtype ? input.to(*dtype) : input;
}
}  // namespace impl
inline Tensor softmax(const Tensor& input, const SoftmaxFuncOptions& options) {
  return nabla::softmax(impl::cast_for_softmax(input, options.dtype()), options.dim());
}
inline Tensor softmin(const Tensor& input, const SoftminFuncOptions& options) {
  return nabla::softmax(-impl::cast_for_softmax(input, options.dtype()), options.dim());
}
inline Tensor log_softmax(const Tensor& input, const LogSoftmaxFuncOptions& options) {
  return nabla::log_softmax(impl::cast_for_softmax(input, options.dtype()), options.dim());
}

}  // namespace torch::nn::functional
