// torch/cuda.h — torch::cuda: nabla runs on the CPU, so no CUDA device is ever available.
#pragma once
#include "torch/types.h"
