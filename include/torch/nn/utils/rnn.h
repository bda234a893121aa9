// torch/nn/utils/rnn.h — torch::nn::utils::rnn: packed sequences (nabla::nn::utils::rnn, which has
// LibTorch's signatures). Included by torch/nn/modules/rnn.h, as in LibTorch, for forward_with_packed_input.
#pragma once

#include "nabla/nn/utils/rnn.h"

namespace torch::nn::utils::rnn {
using nabla::nn::utils::rnn::pack_padded_sequence;
using nabla::nn::utils::rnn::pack_sequence;
using nabla::nn::utils::rnn::PackedSequence;
using nabla::nn::utils::rnn::pad_packed_sequence;
using nabla::nn::utils::rnn::pad_sequence;
}  // namespace torch::nn::utils::rnn
