// torch/nn/options/activation.h — LibTorch's options of the activation modules.
#pragma once
#include <cstdint>
#include <string>

#include "torch/arg.h"

namespace torch::nn {

struct ReLUOptions {
  ReLUOptions(bool inplace = false) : inplace_(inplace) {}  // NOLINT: as LibTorch
  TORCH_ARG(bool, inplace);
};

struct LeakyReLUOptions {
  TORCH_ARG(double, negative_slope) = 1e-2;
  TORCH_ARG(bool, inplace) = false;
};

struct ELUOptions {
  TORCH_ARG(double, alpha) = 1.0;
  TORCH_ARG(bool, inplace) = false;
};

struct GELUOptions {
  TORCH_ARG(std::string, approximate) = "none";  // or "tanh"
};

struct SoftmaxOptions {
  SoftmaxOptions(int64_t dim) : dim_(dim) {}  // NOLINT: as LibTorch
  TORCH_ARG(int64_t, dim);
};

struct LogSoftmaxOptions {
  LogSoftmaxOptions(int64_t dim) : dim_(dim) {}  // NOLINT: as LibTorch
  TORCH_ARG(int64_t, dim);
};

}  // namespace torch::nn
