// pooling.cpp — the bodies of torch/nn/functional/pooling.h's wrappers, compiled once here rather than in
// every program that includes <torch/torch.h> (docs/libtorch.md, "Compile time").
#include "torch/nn/functional/pooling.h"

namespace torch::nn::functional::impl {

NF::PoolOptions pool_options(const MaxPool2dFuncOptions& o) {
  NF::PoolOptions p;
  p.kernel_size = pair(o.kernel_size());
  p.stride = pair(o.stride());
  p.padding = pair(o.padding());
  p.dilation = pair(o.dilation());
  p.ceil_mode = o.ceil_mode();
  return p;
}

NF::PoolOptions pool_options(const MaxPool1dFuncOptions& o) {
  NF::PoolOptions p;
  p.kernel_size = pair1(o.kernel_size());
  p.stride = pair1(o.stride());
  p.padding = pair1(o.padding(), 0);
  p.dilation = pair1(o.dilation());
  p.ceil_mode = o.ceil_mode();
  return p;
}

NF::PoolOptions pool_options(const AvgPool2dFuncOptions& o) {
  NF::PoolOptions p;
  p.kernel_size = pair(o.kernel_size());
  p.stride = pair(o.stride());
  p.padding = pair(o.padding());
  p.ceil_mode = o.ceil_mode();
  p.count_include_pad = o.count_include_pad();
  p.divisor_override = o.divisor_override();
  return p;
}

NF::PoolOptions pool_options(const AvgPool1dFuncOptions& o) {
  NF::PoolOptions p;
  p.kernel_size = pair1(o.kernel_size());
  p.stride = pair1(o.stride());
  p.padding = pair1(o.padding(), 0);
  p.ceil_mode = o.ceil_mode();
  p.count_include_pad = o.count_include_pad();
  return p;
}

}  // namespace torch::nn::functional::impl

namespace torch::nn::functional {

Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options) {
  return nabla::nn::functional::max_pool2d(input, impl::pool_options(options));
}

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const MaxPool2dFuncOptions& options) {
  auto [out, idx] = nabla::nn::functional::max_pool2d_with_indices(input, impl::pool_options(options));
  return {out, idx};
}

Tensor max_pool1d(const Tensor& input, const MaxPool1dFuncOptions& options) {
  return nabla::nn::functional::max_pool2d(input.unsqueeze(-2), impl::pool_options(options)).squeeze(-2);
}

std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const MaxPool1dFuncOptions& options) {
  auto [out, idx] =
      nabla::nn::functional::max_pool2d_with_indices(input.unsqueeze(-2), impl::pool_options(options));
  return {out.squeeze(-2), idx.squeeze(-2)};  // a height of 1: the flat index is the position in L
}

Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options) {
  return nabla::nn::functional::avg_pool2d(input, impl::pool_options(options));
}

Tensor avg_pool1d(const Tensor& input, const AvgPool1dFuncOptions& options) {
  return nabla::nn::functional::avg_pool2d(input.unsqueeze(-2), impl::pool_options(options)).squeeze(-2);
}

Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& options) {
  const auto& size = options.output_size();
  impl::NF::Pair out{size[0].value_or(input.size(-2)), size[1].value_or(input.size(-1))};
  return nabla::nn::functional::adaptive_avg_pool2d(input, out);
}

Tensor adaptive_avg_pool1d(const Tensor& input, const AdaptiveAvgPool1dFuncOptions& options) {
  return nabla::nn::functional::adaptive_avg_pool2d(input.unsqueeze(-2), impl::pair1(options.output_size()))
      .squeeze(-2);
}

}  // namespace torch::nn::functional
