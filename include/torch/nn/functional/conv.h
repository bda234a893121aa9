// torch/nn/functional/conv.h — F::conv1d, F::conv2d, F::conv_transpose1d, F::conv_transpose2d with
// LibTorch's ConvFuncOptions<D> / ConvTransposeFuncOptions<D>. The 1-d forms run nabla's 2-d kernels
// on a height-1 input. The bodies are in src/torch/functional/conv.cpp.
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

Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options = {});
Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options = {});

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose2dFuncOptions& options = {});
// [N, C, L] as [N, C, 1, L]; the weight [C_in, C_out/g, K] as [C_in, C_out/g, 1, K].
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose1dFuncOptions& options = {});

}  // namespace torch::nn::functional
