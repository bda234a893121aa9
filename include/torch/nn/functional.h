// torch/nn/functional.h — torch::nn::functional (LibTorch's F): the stateless layers, activations and
// losses, each taking LibTorch's *FuncOptions and forwarding to nabla::nn::functional.
//   namespace F = torch::nn::functional;
//   x = F::relu(F::max_pool2d(F::conv2d(x, w, F::Conv2dFuncOptions().padding(1)),
//   F::MaxPool2dFuncOptions(2)));
#pragma once
#include "torch/nn/functional/activation.h"
#include "torch/nn/functional/conv.h"
#include "torch/nn/functional/dropout.h"
#include "torch/nn/functional/embedding.h"
#include "torch/nn/functional/linear.h"
#include "torch/nn/functional/loss.h"
#include "torch/nn/functional/normalization.h"
#include "torch/nn/functional/padding.h"
#include "torch/nn/functional/pooling.h"
#include "torch/nn/functional/upsampling.h"
