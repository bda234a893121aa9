// torch/nn/modules/pooling.h — LibTorch's MaxPool2d, AvgPool2d and AdaptiveAvgPool2d on nabla's layers.
#pragma once
#include <tuple>

#include "nabla/nn/functional.h"
#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/pooling.h"

namespace torch::nn {

class MaxPool2dImpl : public nabla::nn::MaxPool2d {
 public:
  explicit MaxPool2dImpl(ExpandingArray<2> kernel_size) : MaxPool2dImpl(MaxPool2dOptions(kernel_size)) {}
  explicit MaxPool2dImpl(const MaxPool2dOptions& options_)
      : nabla::nn::MaxPool2d(detail::pair(options_.kernel_size()),
                             {.stride = detail::pair(options_.stride()),
                              .padding = detail::pair(options_.padding()),
                              .dilation = detail::pair(options_.dilation()),
                              .ceil_mode = options_.ceil_mode()}),
        options(options_) {}
  // The output and the flat (H * W) index of each maximum, as a tuple (LibTorch's return type).
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input) {
    auto [out, indices] = nabla::nn::MaxPool2d::forward_with_indices(input);
    return {out, indices};
  }
  MaxPool2dOptions options;
};
TORCH_MODULE(MaxPool2d);

class AvgPool2dImpl : public nabla::nn::AvgPool2d {
 public:
  explicit AvgPool2dImpl(ExpandingArray<2> kernel_size) : AvgPool2dImpl(AvgPool2dOptions(kernel_size)) {}
  explicit AvgPool2dImpl(const AvgPool2dOptions& options_)
      : nabla::nn::AvgPool2d(detail::pair(options_.kernel_size()),
                             {.stride = detail::pair(options_.stride()),
                              .padding = detail::pair(options_.padding()),
                              .ceil_mode = options_.ceil_mode(),
                              .count_include_pad = options_.count_include_pad(),
                              .divisor_override = options_.divisor_override()}),
        options(options_) {}
  AvgPool2dOptions options;
};
TORCH_MODULE(AvgPool2d);

// An output size element left as nullopt keeps the input's size in that dimension.
class AdaptiveAvgPool2dImpl : public nabla::nn::AdaptiveAvgPool2d {
 public:
  explicit AdaptiveAvgPool2dImpl(ExpandingArrayWithOptionalElem<2> output_size)
      : AdaptiveAvgPool2dImpl(AdaptiveAvgPool2dOptions(output_size)) {}
  explicit AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions& options_)
      : nabla::nn::AdaptiveAvgPool2d(resolved(options_, -1, -1)), options(options_) {}
  Tensor forward(Tensor x) override {
    const bool spatial = x.dim() >= 2;
    nabla::nn::IntPair size = resolved(options, spatial ? x.size(-2) : -1, spatial ? x.size(-1) : -1);
    return nabla::nn::functional::adaptive_avg_pool2d(x, size.v);
  }
  AdaptiveAvgPool2dOptions options;

 private:
  // The output size with nullopt elements replaced by the input's h and w (-1 before any input).
  static nabla::nn::IntPair resolved(const AdaptiveAvgPool2dOptions& o, int64_t h, int64_t w) {
    return {o.output_size()[0].value_or(h), o.output_size()[1].value_or(w)};
  }
};
TORCH_MODULE(AdaptiveAvgPool2d);

}  // namespace torch::nn
