// torch/nn/functional/pooling.h — F::max_pool1d/2d, F::avg_pool1d/2d, F::adaptive_avg_pool1d/2d (and
// max_pool*_with_indices) with LibTorch's pooling options. The 1-d forms pool a height-1 input.
#pragma once
#include <optional>
#include <tuple>

#include "torch/nn/functional/impl.h"
#include "torch/nn/options/pooling.h"

namespace torch::nn::functional {

// As in LibTorch, these are the modules' options (torch/nn/options/pooling.h); the stride defaults
// to the kernel size.
using MaxPool1dFuncOptions = torch::nn::MaxPoolOptions<1>;
using MaxPool2dFuncOptions = torch::nn::MaxPoolOptions<2>;
using AvgPool1dFuncOptions = torch::nn::AvgPoolOptions<1>;
using AvgPool2dFuncOptions = torch::nn::AvgPoolOptions<2>;
// An element of a 2-d output size may be std::nullopt: that dim keeps the input's size.
using AdaptiveAvgPool1dFuncOptions = torch::nn::AdaptiveAvgPoolOptions<ExpandingArray<1>>;
using AdaptiveAvgPool2dFuncOptions = torch::nn::AdaptiveAvgPoolOptions<ExpandingArrayWithOptionalElem<2>>;

namespace impl {
inline NF::PoolOptions pool_options(const MaxPool2dFuncOptions& o) {
  NF::PoolOptions p;
  p.kernel_size = pair(o.kernel_size());
  p.stride = pair(o.stride());
  p.padding = pair(o.padding());
  p.dilation = pair(o.dilation());
  p.ceil_mode = o.ceil_mode();
  return p;
}
inline NF::PoolOptions pool_options(const MaxPool1dFuncOptions& o) {
  NF::PoolOptions p;
  p.kernel_size = pair1(o.kernel_size());
  p.stride = pair1(o.stride());
  p.padding = pair1(o.padding(), 0);
  p.dilation = pair1(o.dilation());
  p.ceil_mode = o.ceil_mode();
  return p;
}
inline NF::PoolOptions pool_options(const AvgPool2dFuncOptions& o) {
  NF::PoolOptions p;
  p.kernel_size = pair(o.kernel_size());
  p.stride = pair(o.stride());
  p.padding = pair(o.padding());
  p.ceil_mode = o.ceil_mode();
  p.count_include_pad = o.count_include_pad();
  p.divisor_override = o.divisor_override();
  return p;
}
inline NF::PoolOptions pool_options(const AvgPool1dFuncOptions& o) {
  NF::PoolOptions p;
  p.kernel_size = pair1(o.kernel_size());
  p.stride = pair1(o.stride());
  p.padding = pair1(o.padding(), 0);
  p.ceil_mode = o.ceil_mode();
  p.count_include_pad = o.count_include_pad();
  return p;
}
}  // namespace impl

inline Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options) {
  return nabla::nn::functional::max_pool2d(input, impl::pool_options(options));
}
inline std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input,
                                                          const MaxPool2dFuncOptions& options) {
  auto [out, idx] = nabla::nn::functional::max_pool2d_with_indices(input, impl::pool_options(options));
  return {out, idx};
}
inline Tensor max_pool1d(const Tensor& input, const MaxPool1dFuncOptions& options) {
  return nabla::nn::functional::max_pool2d(input.unsqueeze(-2), impl::pool_options(options)).squeeze(-2);
}
inline std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input,
                                                          const MaxPool1dFuncOptions& options) {
  auto [out, idx] =
      nabla::nn::functional::max_pool2d_with_indices(input.unsqueeze(-2), impl::pool_options(options));
  return {out.squeeze(-2), idx.squeeze(-2)};  // a height of 1: the flat index is the position in L
}
inline Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options) {
  return nabla::nn::functional::avg_pool2d(input, impl::pool_options(options));
}
inline Tensor avg_pool1d(const Tensor& input, const AvgPool1dFuncOptions& options) {
  return nabla::nn::functional::avg_pool2d(input.unsqueeze(-2), impl::pool_options(options)).squeeze(-2);
}
inline Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& options) {
  const auto& size = options.output_size();
  impl::NF::Pair out{size[0].value_or(input.size(-2)), size[1].value_or(input.size(-1))};
  return nabla::nn::functional::adaptive_avg_pool2d(input, out);
}
inline Tensor adaptive_avg_pool1d(const Tensor& input, const AdaptiveAvgPool1dFuncOptions& options) {
  return nabla::nn::functional::adaptive_avg_pool2d(input.unsqueeze(-2), impl::pair1(options.output_size()))
      .squeeze(-2);
}

}  // namespace torch::nn::functional
