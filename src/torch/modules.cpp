// modules.cpp — what the LibTorch-style modules (torch/nn/modules/) keep out of line.
#include <cmath>

#include "torch/nn/modules/common.h"

namespace torch::nn::detail {

void reset_affine(Tensor& weight, Tensor& bias) {
  nabla::NoGradGuard no_grad;
  nabla::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double fan_in =
        static_cast<double>(std::get<0>(nabla::nn::init::calculate_fan_in_and_fan_out(weight)));
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(fan_in) : 0.0;
    nabla::nn::init::uniform_(bias, -bound, bound);
  }
}

}  // namespace torch::nn::detail
