// torch/nn/functional/conv.h — F::conv1d, F::conv2d, F::conv_transpose1d, F::conv_transpose2d with
// LibTorch's ConvFuncOptions<D> / ConvTransposeFuncOptions<D>. The 1-d forms run nabla's 2-d kernels
// on a height-1 input.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <variant>

#include "torch/nn/functional/impl.h"

namespace torch::nn::functional {

template <size_t D>
struct ConvFuncOptions {
  // padding: an amount per side, or torch::kValid (none) / torch::kSame (output size = input size).
  using padding_t = std::variant<ExpandingArray<D>, enumtype::kValid, enumtype::kSame>;
  TORCH_ARG(torch::Tensor, bias) = Tensor();
  TORCH_ARG(ExpandingArray<D>, stride) = 1;
  TORCH_ARG(padding_t, padding) = ExpandingArray<D>(0);

 public:
  // .padding({1, 2}): a braced list cannot convert to the variant by itself.
  ConvFuncOptions& padding(std::initializer_list<int64_t> p) {
    return padding(padding_t(ExpandingArray<D>(p)));
  }
  TORCH_ARG(ExpandingArray<D>, dilation) = 1;
  TORCH_ARG(int64_t, groups) = 1;
};
using Conv1dFuncOptions = ConvFuncOptions<1>;
using Conv2dFuncOptions = ConvFuncOptions<2>;

template <size_t D>
struct ConvTransposeFuncOptions {
  TORCH_ARG(torch::Tensor, bias) = Tensor();
  TORCH_ARG(ExpandingArray<D>, stride) = 1;
  TORCH_ARG(ExpandingArray<D>, padding) = 0;
  TORCH_ARG(ExpandingArray<D>, output_padding) = 0;
  TORCH_ARG(int64_t, groups) = 1;
  TORCH_ARG(ExpandingArray<D>, dilation) = 1;
};
using ConvTranspose1dFuncOptions = ConvTransposeFuncOptions<1>;
using ConvTranspose2dFuncOptions = ConvTransposeFuncOptions<2>;

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

inline Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options = {}) {
  return nabla::nn::functional::conv1d(input, weight, options.bias(), impl::conv_options(options));
}
inline Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options = {}) {
  return nabla::nn::functional::conv2d(input, weight, options.bias(), impl::conv_options(options));
}

inline Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                               const ConvTranspose2dFuncOptions& options = {}) {
  impl::NF::ConvTransposeOptions c{impl::pair(options.stride()), impl::pair(options.padding()),
                                   impl::pair(options.output_padding()), impl::pair(options.dilation()),
                                   options.groups()};
  return nabla::nn::functional::conv_transpose2d(input, weight, options.bias(), c);
}
// [N, C, L] as [N, C, 1, L]; the weight [C_in, C_out/g, K] as [C_in, C_out/g, 1, K].
inline Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                               const ConvTranspose1dFuncOptions& options = {}) {
  impl::NF::ConvTransposeOptions c{impl::pair1(options.stride()), impl::pair1(options.padding(), 0),
                                   impl::pair1(options.output_padding(), 0), impl::pair1(options.dilation()),
                                   options.groups()};
  return nabla::nn::functional::conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(-2), options.bias(), c)
      .squeeze(-2);
}

}  // namespace torch::nn::functional
