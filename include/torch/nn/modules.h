// torch/nn/modules.h — LibTorch's layer and loss modules (torch::nn::Linear, Conv2d, LSTM, MSELoss, ...):
// each XImpl is nabla's layer with LibTorch's constructors, `options` member and forward signature;
// X is its ModuleHolder (TORCH_MODULE). The containers (Sequential, ModuleList, ...) live elsewhere.
#pragma once
#include "torch/nn/modules/activation.h"
#include "torch/nn/modules/conv.h"
#include "torch/nn/modules/dropout.h"
#include "torch/nn/modules/embedding.h"
#include "torch/nn/modules/linear.h"
#include "torch/nn/modules/loss.h"
#include "torch/nn/modules/normalization.h"
#include "torch/nn/modules/pooling.h"
#include "torch/nn/modules/rnn.h"
#include "torch/nn/options.h"
