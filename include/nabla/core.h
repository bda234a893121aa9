// core.h — nabla's core (namespace nabla): tensors, dtypes and devices, the ops (torch.* functions),
// and autograd (backward/grad, grad mode, custom Functions, gradcheck).
#pragma once

#include "nabla/autograd/autograd.h"
#include "nabla/autograd/grad_mode.h"
#include "nabla/ops/ops.h"
#include "nabla/tensor/tensor.h"
