// torch/nn/modules/dropout.h — LibTorch's Dropout and Dropout2d on nabla's layers. Active in training
// mode only. inplace(true) writes the result into the input and returns it, as LibTorch does.
// Constructors and forwards are in src/torch/modules/dropout.cpp (compiled once, not per program).
#pragma once
#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/dropout.h"

namespace torch::nn {

class DropoutImpl : public nabla::nn::Dropout {
 public:
  explicit DropoutImpl(const DropoutOptions& options_ = {});
  // Reads p and inplace from options at each call (LibTorch does), so changing them later takes effect.
  Tensor forward(Tensor x) override;
  DropoutOptions options;
};
TORCH_MODULE(Dropout);

// Zeroes whole channels of [N, C, H, W] (or [C, H, W]) input.
class Dropout2dImpl : public nabla::nn::Dropout2d {
 public:
  explicit Dropout2dImpl(const Dropout2dOptions& options_ = {});
  Tensor forward(Tensor x) override;
  Dropout2dOptions options;
};
TORCH_MODULE(Dropout2d);

}  // namespace torch::nn
