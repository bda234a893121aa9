// torch/nn/options.h — every torch::nn::XOptions of the layer modules (LibTorch's torch/nn/options.h).
#pragma once
#include "torch/nn/options/activation.h"
#include "torch/nn/options/conv.h"
#include "torch/nn/options/dropout.h"
#include "torch/nn/options/embedding.h"
#include "torch/nn/options/linear.h"
#include "torch/nn/options/loss.h"
#include "torch/nn/options/normalization.h"
#include "torch/nn/options/pooling.h"
#include "torch/nn/options/rnn.h"
