// torch/nn.h — torch::nn: modules, holders, containers, layers and their options, functional, init.
#pragma once
#include "torch/nn/containers.h"
#include "torch/nn/functional.h"
#include "torch/nn/init.h"
#include "torch/nn/modules.h"
#include "torch/nn/ops.h"
#include "torch/nn/options.h"
#include "torch/nn/pimpl.h"
#include "torch/nn/utils.h"
