// torch/autograd.h — torch::autograd: custom Functions (Function<T>, AutogradContext), grad, backward.
// nabla's own (nabla/autograd/autograd.h) under LibTorch's names.
#pragma once
#include <vector>

#include "nabla/autograd/autograd.h"
#include "torch/types.h"

namespace torch::autograd {
using nabla::autograd::AutogradContext;
using nabla::autograd::backward;
using nabla::autograd::Function;
using nabla::autograd::grad;
using tensor_list = std::vector<Tensor>;
using variable_list = std::vector<Tensor>;
using Variable = Tensor;
using nabla::autograd::Node;
}  // namespace torch::autograd

namespace torch {
using nabla::autograd::IValue;
}
