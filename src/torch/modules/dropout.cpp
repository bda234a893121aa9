// dropout.cpp — the LibTorch-style Dropout and Dropout2d constructors and forwards.
#include "torch/nn/modules/dropout.h"

#include <string>

#include "nabla/nn/functional.h"

namespace torch::nn {
namespace {
void check_dropout_p(double p, const char* module) {
  if (p < 0 || p > 1)
    throw nabla::ValueError(std::string(module) +
                            ": dropout probability has to be between 0 and 1, but got " + std::to_string(p));
}
}  // namespace

DropoutImpl::DropoutImpl(const DropoutOptions& options_)
    : nabla::nn::Dropout(options_.p()), options(options_) {
  check_dropout_p(options.p(), "Dropout");
}
Tensor DropoutImpl::forward(Tensor x) {
  Tensor y = nabla::nn::functional::dropout(x, options.p(), is_training());
  return options.inplace() ? x.copy_(y) : y;
}

Dropout2dImpl::Dropout2dImpl(const Dropout2dOptions& options_)
    : nabla::nn::Dropout2d(options_.p()), options(options_) {
  check_dropout_p(options.p(), "Dropout2d");
}
Tensor Dropout2dImpl::forward(Tensor x) {
  Tensor y = nabla::nn::functional::dropout2d(x, options.p(), is_training());
  return options.inplace() ? x.copy_(y) : y;
}

}  // namespace torch::nn
