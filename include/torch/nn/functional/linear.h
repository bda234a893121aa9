// torch/nn/functional/linear.h — F::linear, F::bilinear.
#pragma once
#include "torch/nn/functional/impl.h"

namespace torch::nn::functional {

// y = input @ weight^T + bias; an undefined bias is none.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});
// y_k = input1 @ weight[k] @ input2^T + bias_k, for input1 [*, in1], input2 [*, in2], weight [out, in1, in2].
Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight,
                const Tensor& bias = Tensor());

}  // namespace torch::nn::functional
