// torch/nn/functional/dropout.h — F::dropout, F::dropout2d with LibTorch's DropoutFuncOptions
// (training defaults to true in the functional form, as in LibTorch: pass .training(is_training())).
#pragma once
#include "torch/nn/functional/impl.h"

namespace torch::nn::functional {

struct DropoutFuncOptions {
  TORCH_ARG(double, p) = 0.5;
  TORCH_ARG(bool, training) = true;
  TORCH_ARG(bool, inplace) = false;
};
using Dropout2dFuncOptions = DropoutFuncOptions;

Tensor dropout(Tensor input, const DropoutFuncOptions& options = {});
// Zeroes whole channels: input [N, C, H, W] or [C, H, W].
Tensor dropout2d(Tensor input, const Dropout2dFuncOptions& options = {});

}  // namespace torch::nn::functional
