// conv.cpp — the LibTorch-style convolutions' constructors: LibTorch's options as nabla's.
#include "torch/nn/modules/conv.h"

#include <string>
#include <variant>

namespace torch::nn {
namespace {

// nabla convolutions pad with zeros only.
void require_zeros_padding(const detail::conv_padding_mode_t& padding_mode, const std::string& module) {
  detail::require(std::holds_alternative<enumtype::kZeros>(padding_mode), module,
                  "padding_mode " + enumtype::get_enum_name(padding_mode));
}

// LibTorch's padding (explicit, kValid or kSame) as nabla's.
template <size_t D>
nabla::nn::ConvPadding conv_padding(const detail::conv_padding_t<D>& p) {
  if (std::holds_alternative<enumtype::kSame>(p)) return nabla::nn::ConvPadding("same");
  if (std::holds_alternative<enumtype::kValid>(p)) return nabla::nn::ConvPadding(0);
  const auto& a = std::get<ExpandingArray<D>>(p);
  return D == 1 ? nabla::nn::ConvPadding(a[0]) : nabla::nn::ConvPadding(a[0], a[D - 1]);
}

nabla::nn::Conv1dOptions to_nabla(const Conv1dOptions& o) {
  require_zeros_padding(o.padding_mode(), "Conv1d");
  return {.stride = o.stride()[0],
          .padding = conv_padding<1>(o.padding()),
          .dilation = o.dilation()[0],
          .groups = o.groups(),
          .bias = o.bias()};
}
nabla::nn::Conv2dOptions to_nabla(const Conv2dOptions& o) {
  require_zeros_padding(o.padding_mode(), "Conv2d");
  return {.stride = detail::pair(o.stride()),
          .padding = conv_padding<2>(o.padding()),
          .dilation = detail::pair(o.dilation()),
          .groups = o.groups(),
          .bias = o.bias()};
}
nabla::nn::ConvTranspose2dOptions to_nabla(const ConvTranspose2dOptions& o) {
  require_zeros_padding(o.padding_mode(), "ConvTranspose2d");
  return {.stride = detail::pair(o.stride()),
          .padding = detail::pair(o.padding()),
          .output_padding = detail::pair(o.output_padding()),
          .groups = o.groups(),
          .bias = o.bias(),
          .dilation = detail::pair(o.dilation())};
}

}  // namespace

Conv1dImpl::Conv1dImpl(int64_t input_channels, int64_t output_channels, ExpandingArray<1> kernel_size)
    : Conv1dImpl(Conv1dOptions(input_channels, output_channels, kernel_size)) {}
Conv1dImpl::Conv1dImpl(Conv1dOptions options_)
    : nabla::nn::Conv1d(options_.in_channels(), options_.out_channels(), options_.kernel_size()[0],
                        to_nabla(options_)),
      options(options_) {}
void Conv1dImpl::reset_parameters() { detail::reset_affine(weight, bias); }

Conv2dImpl::Conv2dImpl(int64_t input_channels, int64_t output_channels, ExpandingArray<2> kernel_size)
    : Conv2dImpl(Conv2dOptions(input_channels, output_channels, kernel_size)) {}
Conv2dImpl::Conv2dImpl(Conv2dOptions options_)
    : nabla::nn::Conv2d(options_.in_channels(), options_.out_channels(), detail::pair(options_.kernel_size()),
                        to_nabla(options_)),
      options(options_) {}
void Conv2dImpl::reset_parameters() { detail::reset_affine(weight, bias); }

ConvTranspose2dImpl::ConvTranspose2dImpl(int64_t input_channels, int64_t output_channels,
                                         ExpandingArray<2> kernel_size)
    : ConvTranspose2dImpl(ConvTranspose2dOptions(input_channels, output_channels, kernel_size)) {}
ConvTranspose2dImpl::ConvTranspose2dImpl(ConvTranspose2dOptions options_)
    : nabla::nn::ConvTranspose2d(options_.in_channels(), options_.out_channels(),
                                 detail::pair(options_.kernel_size()), to_nabla(options_)),
      options(options_) {}
void ConvTranspose2dImpl::reset_parameters() { detail::reset_affine(weight, bias); }

}  // namespace torch::nn
