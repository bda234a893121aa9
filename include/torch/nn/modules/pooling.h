// torch/nn/modules/pooling.h — LibTorch's MaxPool2d, AvgPool2d and AdaptiveAvgPool2d on nabla's layers.
// Constructors and forwards are in src/torch/modules/pooling.cpp (compiled once, not per program).
#pragma once
#include <tuple>

#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/pooling.h"

namespace torch::nn {

class MaxPool2dImpl : public nabla::nn::MaxPool2d {
 public:
  explicit MaxPool2dImpl(ExpandingArray<2> kernel_size);
  explicit MaxPool2dImpl(const MaxPool2dOptions& options_);
  // The output and the flat (H * W) index of each maximum, as a tuple (LibTorch's return type).
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  MaxPool2dOptions options;
};
TORCH_MODULE(MaxPool2d);

class AvgPool2dImpl : public nabla::nn::AvgPool2d {
 public:
  explicit AvgPool2dImpl(ExpandingArray<2> kernel_size);
  explicit AvgPool2dImpl(const AvgPool2dOptions& options_);
  AvgPool2dOptions options;
};
TORCH_MODULE(AvgPool2d);

// An output size element left as nullopt keeps the input's size in that dimension.
class AdaptiveAvgPool2dImpl : public nabla::nn::AdaptiveAvgPool2d {
 public:
  explicit AdaptiveAvgPool2dImpl(ExpandingArrayWithOptionalElem<2> output_size);
  explicit AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions& options_);
  Tensor forward(Tensor x) override;
  AdaptiveAvgPool2dOptions options;
};
TORCH_MODULE(AdaptiveAvgPool2d);

}  // namespace torch::nn
