// nabla.h — the umbrella header: `#include <nabla/nabla.h>` gives the whole public API
// (tensors, ops, autograd). Includes only nabla headers and the standard library.
#pragma once

#include "nabla/autograd/autograd.h"
#include "nabla/autograd/grad_mode.h"
#include "nabla/data/data.h"
#include "nabla/io/io.h"
#include "nabla/nn/nn.h"
#include "nabla/ops/ops.h"
#include "nabla/optim/optim.h"
#include "nabla/tensor/tensor.h"
#include "nabla/train/train_parts.h"
