// torch/nn/utils.h — torch::nn::utils: gradient clipping (nabla's clip_grad_norm_ / clip_grad_value_) and
// torch::nn::utils::rnn's packed sequences (nabla::nn::utils::rnn, LibTorch's signatures).
#pragma once
#include <vector>

#include "nabla/nn/utils/rnn.h"
#include "nabla/optim/clip_grad.h"
#include "torch/types.h"

namespace torch::nn::utils {
using nabla::optim::clip_grad_norm_;
using nabla::optim::clip_grad_value_;
namespace rnn {
using nabla::nn::utils::rnn::pack_padded_sequence;
using nabla::nn::utils::rnn::pack_sequence;
using nabla::nn::utils::rnn::PackedSequence;
using nabla::nn::utils::rnn::pad_packed_sequence;
using nabla::nn::utils::rnn::pad_sequence;
}  // namespace rnn
}  // namespace torch::nn::utils
