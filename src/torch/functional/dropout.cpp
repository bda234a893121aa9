// dropout.cpp — the bodies of torch/nn/functional/dropout.h's wrappers, compiled once here rather than in
// every program that includes <torch/torch.h> (docs/libtorch.md, "Compile time").
#include "torch/nn/functional/dropout.h"

namespace torch::nn::functional {

Tensor dropout(Tensor input, const DropoutFuncOptions& options) {
  Tensor out = nabla::nn::functional::dropout(input, options.p(), options.training());
  return impl::maybe_inplace(input, out, options.inplace());
}

Tensor dropout2d(Tensor input, const Dropout2dFuncOptions& options) {
  Tensor out = nabla::nn::functional::dropout2d(input, options.p(), options.training());
  return impl::maybe_inplace(input, out, options.inplace());
}

}  // namespace torch::nn::functional
