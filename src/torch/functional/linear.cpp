// linear.cpp — the bodies of torch/nn/functional/linear.h's wrappers, compiled once here rather than in every
// program that includes <torch/torch.h> (docs/libtorch.md, "Compile time").
#include "torch/nn/functional/linear.h"

namespace torch::nn::functional {

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  return nabla::nn::functional::linear(input, weight, bias);
}

Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias) {
  Tensor y = nabla::einsum("...i,kij,...j->...k", {input1, weight, input2});
  return bias.defined() ? y + bias : y;
}

}  // namespace torch::nn::functional
