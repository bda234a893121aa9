// pooling.cpp — the LibTorch-style pooling layers' constructors and forwards.
#include "torch/nn/modules/pooling.h"

#include "nabla/nn/functional.h"

namespace torch::nn {
namespace {
// The adaptive pool's output size with nullopt elements replaced by the input's h and w (-1 before any
// input).
nabla::nn::IntPair resolved(const AdaptiveAvgPool2dOptions& o, int64_t h, int64_t w) {
  return {o.output_size()[0].value_or(h), o.output_size()[1].value_or(w)};
}
}  // namespace

MaxPool2dImpl::MaxPool2dImpl(ExpandingArray<2> kernel_size) : MaxPool2dImpl(MaxPool2dOptions(kernel_size)) {}
MaxPool2dImpl::MaxPool2dImpl(const MaxPool2dOptions& options_)
    : nabla::nn::MaxPool2d(detail::pair(options_.kernel_size()),
                           {.stride = detail::pair(options_.stride()),
                            .padding = detail::pair(options_.padding()),
                            .dilation = detail::pair(options_.dilation()),
                            .ceil_mode = options_.ceil_mode()}),
      options(options_) {}
std::tuple<Tensor, Tensor> MaxPool2dImpl::forward_with_indices(const Tensor& input) {
  auto [out, indices] = nabla::nn::MaxPool2d::forward_with_indices(input);
  return {out, indices};
}

AvgPool2dImpl::AvgPool2dImpl(ExpandingArray<2> kernel_size) : AvgPool2dImpl(AvgPool2dOptions(kernel_size)) {}
AvgPool2dImpl::AvgPool2dImpl(const AvgPool2dOptions& options_)
    : nabla::nn::AvgPool2d(detail::pair(options_.kernel_size()),
                           {.stride = detail::pair(options_.stride()),
                            .padding = detail::pair(options_.padding()),
                            .ceil_mode = options_.ceil_mode(),
                            .count_include_pad = options_.count_include_pad(),
                            .divisor_override = options_.divisor_override()}),
      options(options_) {}

AdaptiveAvgPool2dImpl::AdaptiveAvgPool2dImpl(ExpandingArrayWithOptionalElem<2> output_size)
    : AdaptiveAvgPool2dImpl(AdaptiveAvgPool2dOptions(output_size)) {}
AdaptiveAvgPool2dImpl::AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions& options_)
    : nabla::nn::AdaptiveAvgPool2d(resolved(options_, -1, -1)), options(options_) {}
Tensor AdaptiveAvgPool2dImpl::forward(Tensor x) {
  const bool spatial = x.dim() >= 2;
  nabla::nn::IntPair size = resolved(options, spatial ? x.size(-2) : -1, spatial ? x.size(-1) : -1);
  return nabla::nn::functional::adaptive_avg_pool2d(x, size.v);
}

}  // namespace torch::nn
