// torch/nn/modules/conv.h — LibTorch's Conv1d, Conv2d and ConvTranspose2d on nabla's layers.
// nabla pads with zeros only: padding_mode kReflect/kReplicate/kCircular raise NotImplementedError.
// The constructors (LibTorch's options turned into nabla's) are in src/torch/modules/conv.cpp, compiled
// once rather than in every program (docs/libtorch.md, "Compile time").
#pragma once
#include <cstdint>
#include <optional>

#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/conv.h"

namespace torch::nn {

// input [N, C_in, L], weight [C_out, C_in / groups, K].
class Conv1dImpl : public nabla::nn::Conv1d {
 public:
  Conv1dImpl(int64_t input_channels, int64_t output_channels, ExpandingArray<1> kernel_size);
  explicit Conv1dImpl(Conv1dOptions options_);
  void reset_parameters();
  Conv1dOptions options;
};
TORCH_MODULE(Conv1d);

// input [N, C_in, H, W], weight [C_out, C_in / groups, KH, KW].
class Conv2dImpl : public nabla::nn::Conv2d {
 public:
  Conv2dImpl(int64_t input_channels, int64_t output_channels, ExpandingArray<2> kernel_size);
  explicit Conv2dImpl(Conv2dOptions options_);
  void reset_parameters();
  Conv2dOptions options;
};
TORCH_MODULE(Conv2d);

// weight [C_in, C_out / groups, KH, KW]. forward(input, output_size) picks the output padding that
// gives the requested spatial size, as LibTorch does.
class ConvTranspose2dImpl : public nabla::nn::ConvTranspose2d {
 public:
  ConvTranspose2dImpl(int64_t input_channels, int64_t output_channels, ExpandingArray<2> kernel_size);
  explicit ConvTranspose2dImpl(ConvTranspose2dOptions options_);
  using nabla::nn::ConvTranspose2d::forward;  // forward(input): the hooked single-tensor path
  Tensor forward(const Tensor& input, const std::optional<nabla::IntArrayRef>& output_size);  // modules.cpp
  void reset_parameters();
  ConvTranspose2dOptions options;
};
TORCH_MODULE(ConvTranspose2d);

}  // namespace torch::nn
