// activation.cpp — the bodies of torch/nn/functional/activation.h's wrappers, compiled once here rather than
// in every program that includes <torch/torch.h> (docs/libtorch.md, "Compile time").
#include "torch/nn/functional/activation.h"

namespace torch::nn::functional {

Tensor relu(Tensor input, const ReLUFuncOptions& options) {
  return options.inplace() ? input.relu_() : nabla::relu(input);
}

Tensor relu6(Tensor input, const ReLU6FuncOptions& options) {
  return impl::maybe_inplace(input, nabla::nn::functional::relu6(input), options.inplace());
}

Tensor selu(Tensor input, const SELUFuncOptions& options) {
  return impl::maybe_inplace(input, nabla::selu(input), options.inplace());
}

Tensor leaky_relu(Tensor input, const LeakyReLUFuncOptions& options) {
  return impl::maybe_inplace(input, nabla::leaky_relu(input, options.negative_slope()), options.inplace());
}

Tensor elu(Tensor input, const ELUFuncOptions& options) {
  return impl::maybe_inplace(input, nabla::nn::functional::elu(input, options.alpha()), options.inplace());
}

Tensor celu(Tensor input, const CELUFuncOptions& options) {
  return impl::maybe_inplace(input, nabla::celu(input, options.alpha()), options.inplace());
}

Tensor gelu(const Tensor& input, const GELUFuncOptions& options) {
  return nabla::gelu(input, options.approximate());
}

Tensor silu(const Tensor& input) { return nabla::nn::functional::silu(input); }

Tensor mish(const Tensor& input) { return nabla::mish(input); }

Tensor logsigmoid(const Tensor& input) { return nabla::logsigmoid(input); }

Tensor softsign(const Tensor& input) { return nabla::softsign(input); }

Tensor tanhshrink(const Tensor& input) { return input - nabla::tanh(input); }

Tensor prelu(const Tensor& input, const Tensor& weight) { return nabla::prelu(input, weight); }

Tensor hardtanh(Tensor input, const HardtanhFuncOptions& options) {
  return impl::maybe_inplace(input, nabla::hardtanh(input, options.min_val(), options.max_val()),
                             options.inplace());
}

Tensor softplus(const Tensor& input, const SoftplusFuncOptions& options) {
  return nabla::softplus(input, options.beta(), options.threshold());
}

Tensor threshold(Tensor input, const ThresholdFuncOptions& options) {
  Tensor out = nabla::where(input > options.threshold(), input, nabla::full_like(input, options.value()));
  return impl::maybe_inplace(input, out, options.inplace());
}

Tensor hardshrink(const Tensor& input, const HardshrinkFuncOptions& options) {
  return nabla::where(input.abs() > options.lambda(), input, nabla::zeros_like(input));
}

Tensor softshrink(const Tensor& input, const SoftshrinkFuncOptions& options) {
  const double l = options.lambda();
  return nabla::where(input > l, input - l, nabla::where(input < -l, input + l, nabla::zeros_like(input)));
}

Tensor glu(const Tensor& input, const GLUFuncOptions& options) {
  TensorList halves = input.chunk(2, options.dim());
  return halves[0] * nabla::sigmoid(halves[1]);
}

}  // namespace torch::nn::functional

namespace torch::nn::functional::impl {

Tensor cast_for_softmax(const Tensor& input, const std::optional<torch::Dtype>& dtype) {
  return dtype ? input.to(*dtype) : input;
}

}  // namespace torch::nn::functional::impl

namespace torch::nn::functional {

Tensor softmax(const Tensor& input, const SoftmaxFuncOptions& options) {
  return nabla::softmax(impl::cast_for_softmax(input, options.dtype()), options.dim());
}

Tensor softmin(const Tensor& input, const SoftminFuncOptions& options) {
  return nabla::softmax(-impl::cast_for_softmax(input, options.dtype()), options.dim());
}

Tensor log_softmax(const Tensor& input, const LogSoftmaxFuncOptions& options) {
  return nabla::log_softmax(impl::cast_for_softmax(input, options.dtype()), options.dim());
}

}  // namespace torch::nn::functional
