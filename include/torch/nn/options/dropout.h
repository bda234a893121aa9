// torch/nn/options/dropout.h — LibTorch's DropoutOptions (also Dropout2dOptions): Dropout(0.2) or
// Dropout(DropoutOptions().p(0.2).inplace(true)).
#pragma once
#include "torch/arg.h"

namespace torch::nn {

struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT: as LibTorch
  TORCH_ARG(double, p) = 0.5;
  TORCH_ARG(bool, inplace) = false;
};
using Dropout2dOptions = DropoutOptions;

}  // namespace torch::nn
