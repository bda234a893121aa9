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
NF::PoolOptions pool_options(const MaxPool2dFuncOptions& o);
NF::PoolOptions pool_options(const MaxPool1dFuncOptions& o);
NF::PoolOptions pool_options(const AvgPool2dFuncOptions& o);
NF::PoolOptions pool_options(const AvgPool1dFuncOptions& o);
}  // namespace impl

Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options);
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const MaxPool2dFuncOptions& options);
Tensor max_pool1d(const Tensor& input, const MaxPool1dFuncOptions& options);
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const MaxPool1dFuncOptions& options);
Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options);
Tensor avg_pool1d(const Tensor& input, const AvgPool1dFuncOptions& options);
Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& options);
Tensor adaptive_avg_pool1d(const Tensor& input, const AdaptiveAvgPool1dFuncOptions& options);

}  // namespace torch::nn::functional
