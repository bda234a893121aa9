// torch/nn/modules/common.h — what the LibTorch-style modules share: converting LibTorch's option
// values to nabla's, re-initialising parameters, and refusing options nabla does not implement.
#pragma once
#include <string>
#include <tuple>
#include <variant>

#include "nabla/autograd/grad_mode.h"
#include "nabla/nn/init.h"
#include "nabla/nn/layers.h"
#include "nabla/tensor/error.h"
#include "torch/arg.h"
#include "torch/enum.h"
#include "torch/nn/pimpl.h"
#include "torch/types.h"

namespace torch::nn::detail {

inline nabla::nn::IntPair pair(const ExpandingArray<2>& a) { return {a[0], a[1]}; }

// An option LibTorch has and nabla does not implement: the module refuses it instead of ignoring it.
inline void require(bool supported, const std::string& module, const std::string& what) {
  if (!supported) throw nabla::NotImplementedError(module + ": " + what + " is not supported by nabla");
}

// LibTorch's reset_parameters of Linear and the convolutions: weight ~ kaiming_uniform(a = sqrt(5)),
// bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)). In place, so registrations and optimizers stay valid.
// Out of line (src/torch/modules.cpp): <cmath> alone costs a program 0.2 s of compile time.
void reset_affine(Tensor& weight, Tensor& bias);

}  // namespace torch::nn::detail
