// torch/nn/modules/rnn.h — LibTorch's RNN, LSTM and GRU on nabla's, with LibTorch's forward signatures
// (std::tuple results; LSTM's state as an optional (h_0, c_0) tuple) and parameter names (weight_ih_l0,
// weight_hh_l0, bias_ih_l0, bias_hh_l0, ..._reverse). Input [T, N, input_size], or [N, T, input_size]
// with batch_first. Packed input through LibTorch's forward_with_packed_input (nabla's, inherited; LSTM's
// takes the optional (h_0, c_0) tuple). Not supported by nabla: LSTM proj_size (NotImplementedError).
// Constructors and forwards are in src/torch/modules/rnn.cpp (compiled once, not per program).
#pragma once
#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "nabla/nn/rnn.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/rnn.h"
#include "torch/nn/utils/rnn.h"

namespace torch::nn {

// h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu). forward returns (output, h_n).
class RNNImpl : public nabla::nn::RNN {
 public:
  RNNImpl(int64_t input_size, int64_t hidden_size);
  explicit RNNImpl(const RNNOptions& options_);
  std::tuple<Tensor, Tensor> forward(const Tensor& input, Tensor hx = {});
  // nabla's RNN is also callable directly; keep that returning LibTorch's tuple.
  std::tuple<Tensor, Tensor> operator()(const Tensor& input, Tensor hx = {}) { return forward(input, hx); }
  std::vector<Tensor> all_weights() const { return parameters(); }
  void flatten_parameters() {}  // nabla keeps no fused weight buffer: nothing to flatten
  RNNOptions options;
};
TORCH_MODULE(RNN);

// forward returns (output, (h_n, c_n)); the state argument is (h_0, c_0), zeros when absent.
class LSTMImpl : public nabla::nn::LSTM {
 public:
  using State = std::tuple<Tensor, Tensor>;
  LSTMImpl(int64_t input_size, int64_t hidden_size);
  explicit LSTMImpl(const LSTMOptions& options_);
  std::tuple<Tensor, State> forward(const Tensor& input, std::optional<State> hx_opt = {});
  std::tuple<Tensor, State> operator()(const Tensor& input, std::optional<State> hx_opt = {}) {
    return forward(input, std::move(hx_opt));
  }
  PackedResult forward_with_packed_input(const nabla::nn::utils::rnn::PackedSequence& input,
                                         std::optional<State> hx_opt = {});
  std::vector<Tensor> all_weights() const { return parameters(); }
  void flatten_parameters() {}
  LSTMOptions options;
};
TORCH_MODULE(LSTM);

// forward returns (output, h_n).
class GRUImpl : public nabla::nn::GRU {
 public:
  GRUImpl(int64_t input_size, int64_t hidden_size);
  explicit GRUImpl(const GRUOptions& options_);
  std::tuple<Tensor, Tensor> forward(const Tensor& input, Tensor hx = {});
  std::tuple<Tensor, Tensor> operator()(const Tensor& input, Tensor hx = {}) { return forward(input, hx); }
  std::vector<Tensor> all_weights() const { return parameters(); }
  void flatten_parameters() {}
  GRUOptions options;
};
TORCH_MODULE(GRU);

}  // namespace torch::nn
