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

inline Tensor dropout(Tensor input, const DropoutFuncOptions& options = {}) {
  Tensor out = nabla::nn::functional::dropout(input, options.p(), options.training());
  return impl::maybe_inplace(input, out, options.inplace());
}
// Zeroes whole channels: input [N, C, H, W] or [C, H, W].
inline Tensor dropout2d(Tensor input, const Dropout2dFuncOptions& options = {}) {
  Tensor out = nabla::nn::functional::dropout2d(input, options.p(), options.training());
  return impl::maybe_inplace(input, out, options.inplace());
}

}  // namespace torch::nn::functional
