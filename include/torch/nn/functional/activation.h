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
Tensor relu(Tensor input, const ReLUFuncOptions& options = {});
Tensor relu6(Tensor input, const ReLU6FuncOptions& options = {});
Tensor selu(Tensor input, const SELUFuncOptions& options = {});
Tensor leaky_relu(Tensor input, const LeakyReLUFuncOptions& options = {});
Tensor elu(Tensor input, const ELUFuncOptions& options = {});
Tensor celu(Tensor input, const CELUFuncOptions& options = {});
Tensor gelu(const Tensor& input, const GELUFuncOptions& options = {});
Tensor silu(const Tensor& input);
Tensor mish(const Tensor& input);
Tensor logsigmoid(const Tensor& input);
Tensor softsign(const Tensor& input);
Tensor tanhshrink(const Tensor& input);
Tensor prelu(const Tensor& input, const Tensor& weight);
Tensor hardtanh(Tensor input, const HardtanhFuncOptions& options = {});
Tensor softplus(const Tensor& input, const SoftplusFuncOptions& options = {});
// y = x where x > threshold, else value.
Tensor threshold(Tensor input, const ThresholdFuncOptions& options);
Tensor hardshrink(const Tensor& input, const HardshrinkFuncOptions& options = {});
Tensor softshrink(const Tensor& input, const SoftshrinkFuncOptions& options = {});
// glu: the first half of `dim` gated by the sigmoid of the second half.
Tensor glu(const Tensor& input, const GLUFuncOptions& options = {});

namespace impl {
Tensor cast_for_softmax(const Tensor& input, const std::optional<torch::Dtype>& dtype);
}  // namespace impl
Tensor softmax(const Tensor& input, const SoftmaxFuncOptions& options);
Tensor softmin(const Tensor& input, const SoftminFuncOptions& options);
Tensor log_softmax(const Tensor& input, const LogSoftmaxFuncOptions& options);

}  // namespace torch::nn::functional
