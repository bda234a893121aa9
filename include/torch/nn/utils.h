// torch/nn/utils.h — torch::nn::utils: gradient clipping (nabla's clip_grad_norm_ / clip_grad_value_) and
// torch::nn::utils::rnn's packed sequences (nabla::nn::utils::rnn, LibTorch's signatures).
#pragma once
#include <vector>

#include "nabla/optim/clip_grad.h"
#include "torch/nn/utils/rnn.h"
#include "torch/types.h"

namespace torch::nn::utils {
using nabla::optim::clip_grad_norm_;
using nabla::optim::clip_grad_value_;
}  // namespace torch::nn::utils
