// conv.cpp — the bodies of torch/nn/functional/conv.h's wrappers, compiled once here rather than in every
// program that includes <torch/torch.h> (docs/libtorch.md, "Compile time").
#include "torch/nn/functional/conv.h"

namespace torch::nn::functional {
namespace impl {
template <size_t D>
NF::ConvOptions conv_options(const ConvFuncOptions<D>& o) {
  auto to_pair = [](const ExpandingArray<D>& a, int64_t first) {
    if constexpr (D == 1) {
      return pair1(a, first);
    } else {
      return pair(a);
    }
  };
  NF::ConvOptions c;
  c.stride = to_pair(o.stride(), 1);
  c.dilation = to_pair(o.dilation(), 1);
  c.groups = o.groups();
  if (const auto* p = std::get_if<ExpandingArray<D>>(&o.padding())) c.padding = to_pair(*p, 0);
  c.padding_same = std::holds_alternative<enumtype::kSame>(o.padding());
  return c;
}
}  // namespace impl

Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options) {
  return nabla::nn::functional::conv1d(input, weight, options.bias(), impl::conv_options(options));
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options) {
  return nabla::nn::functional::conv2d(input, weight, options.bias(), impl::conv_options(options));
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose2dFuncOptions& options) {
  impl::NF::ConvTransposeOptions c{impl::pair(options.stride()), impl::pair(options.padding()),
                                   impl::pair(options.output_padding()), impl::pair(options.dilation()),
                                   options.groups()};
  return nabla::nn::functional::conv_transpose2d(input, weight, options.bias(), c);
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose1dFuncOptions& options) {
  impl::NF::ConvTransposeOptions c{impl::pair1(options.stride()), impl::pair1(options.padding(), 0),
                                   impl::pair1(options.output_padding(), 0), impl::pair1(options.dilation()),
                                   options.groups()};
  return nabla::nn::functional::conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(-2), options.bias(), c)
      .squeeze(-2);
}

}  // namespace torch::nn::functional
