// torch/nn/modules/conv.h — LibTorch's Conv1d, Conv2d and ConvTranspose2d on nabla's layers.
// nabla pads with zeros only: padding_mode kReflect/kReplicate/kCircular raise NotImplementedError.
#pragma once
#include <cstdint>
#include <optional>
#include <variant>

#include "nabla/nn/functional.h"
#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/conv.h"

namespace torch::nn {
namespace detail {
// LibTorch's padding (explicit, kValid or kSame) as nabla's.
template <size_t D>
nabla::nn::ConvPadding conv_padding(const conv_padding_t<D>& p) {
  if (std::holds_alternative<enumtype::kSame>(p)) return nabla::nn::ConvPadding("same");
  if (std::holds_alternative<enumtype::kValid>(p)) return nabla::nn::ConvPadding(0);
  const auto& a = std::get<ExpandingArray<D>>(p);
  return D == 1 ? nabla::nn::ConvPadding(a[0]) : nabla::nn::ConvPadding(a[0], a[D - 1]);
}
inline nabla::nn::Conv1dOptions to_nabla(const Conv1dOptions& o) {
  require_zeros_padding(o.padding_mode(), "Conv1d");
  return {.stride = o.stride()[0],
          .padding = conv_padding<1>(o.padding()),
          .dilation = o.dilation()[0],
          .groups = o.groups(),
          .bias = o.bias()};
}
inline nabla::nn::Conv2dOptions to_nabla(const Conv2dOptions& o) {
  require_zeros_padding(o.padding_mode(), "Conv2d");
  return {.stride = pair(o.stride()),
          .padding = conv_padding<2>(o.padding()),
          .dilation = pair(o.dilation()),
          .groups = o.groups(),
          .bias = o.bias()};
}
inline nabla::nn::ConvTranspose2dOptions to_nabla(const ConvTranspose2dOptions& o) {
  require_zeros_padding(o.padding_mode(), "ConvTranspose2d");
  return {.stride = pair(o.stride()),
          .padding = pair(o.padding()),
          .output_padding = pair(o.output_padding()),
          .groups = o.groups(),
          .bias = o.bias(),
          .dilation = pair(o.dilation())};
}
}  // namespace detail

// input [N, C_in, L], weight [C_out, C_in / groups, K].
class Conv1dImpl : public nabla::nn::Conv1d {
 public:
  Conv1dImpl(int64_t input_channels, int64_t output_channels, ExpandingArray<1> kernel_size)
      : Conv1dImpl(Conv1dOptions(input_channels, output_channels, kernel_size)) {}
  explicit Conv1dImpl(Conv1dOptions options_)
      : nabla::nn::Conv1d(options_.in_channels(), options_.out_channels(), options_.kernel_size()[0],
                          detail::to_nabla(options_)),
        options(options_) {}
  void reset_parameters() { detail::reset_affine(weight, bias); }
  Conv1dOptions options;
};
TORCH_MODULE(Conv1d);

// input [N, C_in, H, W], weight [C_out, C_in / groups, KH, KW].
class Conv2dImpl : public nabla::nn::Conv2d {
 public:
  Conv2dImpl(int64_t input_channels, int64_t output_channels, ExpandingArray<2> kernel_size)
      : Conv2dImpl(Conv2dOptions(input_channels, output_channels, kernel_size)) {}
  explicit Conv2dImpl(Conv2dOptions options_)
      : nabla::nn::Conv2d(options_.in_channels(), options_.out_channels(),
                          detail::pair(options_.kernel_size()), detail::to_nabla(options_)),
        options(options_) {}
  void reset_parameters() { detail::reset_affine(weight, bias); }
  Conv2dOptions options;
};
TORCH_MODULE(Conv2d);

// weight [C_in, C_out / groups, KH, KW]. forward(input, output_size) picks the output padding that
// gives the requested spatial size, as LibTorch does.
class ConvTranspose2dImpl : public nabla::nn::ConvTranspose2d {
 public:
  ConvTranspose2dImpl(int64_t input_channels, int64_t output_channels, ExpandingArray<2> kernel_size)
      : ConvTranspose2dImpl(ConvTranspose2dOptions(input_channels, output_channels, kernel_size)) {}
  explicit ConvTranspose2dImpl(ConvTranspose2dOptions options_)
      : nabla::nn::ConvTranspose2d(options_.in_channels(), options_.out_channels(),
                                   detail::pair(options_.kernel_size()), detail::to_nabla(options_)),
        options(options_) {}
  using nabla::nn::ConvTranspose2d::forward;  // forward(input): the hooked single-tensor path
  Tensor forward(const Tensor& input, const std::optional<nabla::IntArrayRef>& output_size);  // modules.cpp
  void reset_parameters() { detail::reset_affine(weight, bias); }
  ConvTranspose2dOptions options;
};
TORCH_MODULE(ConvTranspose2d);

}  // namespace torch::nn
