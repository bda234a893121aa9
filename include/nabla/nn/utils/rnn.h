// nn/utils/rnn.h — torch.nn.utils.rnn: PackedSequence, pack_padded_sequence, pad_packed_sequence,
// pad_sequence and pack_sequence, with LibTorch's signatures (torch::nn::utils::rnn). nn::RNN, LSTM
// and GRU take a PackedSequence (`gru(packed)`, or LibTorch's `forward_with_packed_input`).
// Letters: T time steps, B batch, * trailing feature dims.
#pragma once
#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::nn::utils::rnn {

// A batch of sequences of different lengths, time-major and without padding: the rows of `data`
// are step 0 of every sequence, then step 1 of the sequences that have one, ... `batch_sizes[t]`
// (int64 [max length]) is how many sequences have a step t. The sequences are in order of
// decreasing length; `sorted_indices[i]` is the caller's batch index of sorted sequence i and
// `unsorted_indices` its inverse (both undefined when the caller's batch was already sorted).
class PackedSequence {
 public:
  PackedSequence() = default;
  // unsorted_indices undefined: computed from sorted_indices (as LibTorch's constructor does).
  explicit PackedSequence(Tensor data, Tensor batch_sizes, Tensor sorted_indices = {},
                          Tensor unsorted_indices = {});
  const Tensor& data() const { return data_; }                          // [sum of lengths, *]
  const Tensor& batch_sizes() const { return batch_sizes_; }            // int64 [max length]
  const Tensor& sorted_indices() const { return sorted_indices_; }      // int64 [B] or undefined
  const Tensor& unsorted_indices() const { return unsorted_indices_; }  // int64 [B] or undefined
  bool defined() const { return data_.defined(); }

 private:
  Tensor data_, batch_sizes_, sorted_indices_, unsorted_indices_;
};

// Packs a padded batch `input` [T, B, *] ([B, T, *] with batch_first) whose sequence b has
// lengths[b] valid steps (a 1-D integer tensor or a list; every length in [1, T]). With
// enforce_sorted the lengths must not increase; otherwise the batch is sorted here (stably) and the
// permutation kept in the result. Differentiable w.r.t. input. Errors (ValueError) name the
// offending length, its position and the input's shape.
PackedSequence pack_padded_sequence(const Tensor& input, const Tensor& lengths, bool batch_first = false,
                                    bool enforce_sorted = true);
PackedSequence pack_padded_sequence(const Tensor& input, const std::vector<int64_t>& lengths,
                                    bool batch_first = false, bool enforce_sorted = true);

// The inverse: (padded [T, B, *] or [B, T, *], lengths int64 [B]) in the caller's original batch
// order. Steps past a sequence's length hold padding_value; T is the longest length, or total_length
// when given (it must be at least that: ValueError otherwise).
std::tuple<Tensor, Tensor> pad_packed_sequence(const PackedSequence& sequence, bool batch_first = false,
                                               double padding_value = 0.0,
                                               std::optional<int64_t> total_length = std::nullopt);

// Stacks sequences [L_i, *] (equal trailing dims) into [max L, B, *] ([B, max L, *] with batch_first),
// filling past each end with padding_value; the result has the first sequence's dtype.
Tensor pad_sequence(const TensorList& sequences, bool batch_first = false, double padding_value = 0.0);

// pack_padded_sequence(pad_sequence(sequences), their lengths, false, enforce_sorted).
PackedSequence pack_sequence(const TensorList& sequences, bool enforce_sorted = true);

}  // namespace nabla::nn::utils::rnn
