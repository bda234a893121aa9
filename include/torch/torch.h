// torch/torch.h — LibTorch's C++ API on nabla: `#include <torch/torch.h>` and build an existing LibTorch
// program unchanged (docs/libtorch.md lists the surface and the differences). torch::Tensor is
// nabla::Tensor, torch::nn::Module is nabla::nn::Module: the two APIs mix freely.
#pragma once
// What LibTorch's headers bring in transitively and its users' programs rely on.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "torch/autograd.h"
#include "torch/cuda.h"
#include "torch/data.h"
#include "torch/nn.h"
#include "torch/optim.h"
#include "torch/serialize.h"
#include "torch/types.h"
