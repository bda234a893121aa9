// torch/nn/modules/dropout.h — LibTorch's Dropout and Dropout2d on nabla's layers. Active in training
// mode only. inplace(true) writes the result into the input and returns it, as LibTorch does.
#pragma once
#include "nabla/nn/functional.h"
#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/dropout.h"

namespace torch::nn {
namespace detail {
inline void check_dropout_p(double p, const char* module) {
  if (p < 0 || p > 1)
    throw nabla::ValueError(std::string(module) +
                            ": dropout probability has to be between 0 and 1, but got " + std::to_string(p));
}
}  // namespace detail

class DropoutImpl : public nabla::nn::Dropout {
 public:
  explicit DropoutImpl(const DropoutOptions& options_ = {})
      : nabla::nn::Dropout(options_.p()), options(options_) {
    detail::check_dropout_p(options.p(), "Dropout");
  }
  // Reads p and inplace from options at each call (LibTorch does), so changing them later takes effect.
  Tensor forward(Tensor x) override {
    Tensor y = nabla::nn::functional::dropout(x, options.p(), is_training());
    return options.inplace() ? x.copy_(y) : y;
  }
  DropoutOptions options;
};
TORCH_MODULE(Dropout);

// Zeroes whole channels of [N, C, H, W] (or [C, H, W]) input.
class Dropout2dImpl : public nabla::nn::Dropout2d {
 public:
  explicit Dropout2dImpl(const Dropout2dOptions& options_ = {})
      : nabla::nn::Dropout2d(options_.p()), options(options_) {
    detail::check_dropout_p(options.p(), "Dropout2d");
  }
  Tensor forward(Tensor x) override {
    Tensor y = nabla::nn::functional::dropout2d(x, options.p(), is_training());
    return options.inplace() ? x.copy_(y) : y;
  }
  Dropout2dOptions options;
};
TORCH_MODULE(Dropout2d);

}  // namespace torch::nn
