// rnn.h — RNN, LSTM, GRU with torch.nn's parameters (weight_ih_l0, ..., _reverse), shapes and
// return values: output [T, N, D*H] (or [N, T, D*H] with batch_first) and h_n [L*D, N, H].
// A PackedSequence input (nn/utils/rnn.h) gives a PackedSequence output, as in PyTorch: `gru(packed)`
// or LibTorch's `gru.forward_with_packed_input(packed)`; h_n is then each sequence's state after its
// own last step (Note [Packed recurrent layers], src/nn/modules/rnn_packed.cpp).
// Their operator() runs the all-tensor forward hooks (call_forward), as every module call does.
#pragma once
#include <string>
#include <tuple>

#include "nabla/nn/module.h"
#include "nabla/nn/utils/rnn.h"

namespace nabla::nn {

struct RNNOptions {
  int64_t num_layers = 1;
  bool bias = true;
  bool batch_first = false;
  double dropout = 0;  // between layers, in training mode
  bool bidirectional = false;
  std::string nonlinearity = "tanh";  // RNN only: "tanh" | "relu"
};

class RNNBase : public Module {
 public:
  enum class Mode { RNN, LSTM, GRU };
  RNNBase(Mode mode, int64_t input_size, int64_t hidden_size, RNNOptions options);
  std::string name() const override;
  std::string extra_repr() const override;
  int64_t input_size, hidden_size;
  RNNOptions options;

 protected:
  // Runs all layers and directions. h0/c0 may be undefined (zeros). Returns output, h_n, c_n.
  std::tuple<Tensor, Tensor, Tensor> run(const Tensor& input, const Tensor& h0, const Tensor& c0);
  // The same over a PackedSequence (batch order: the caller's, for h0/c0 and h_n/c_n alike).
  std::tuple<utils::rnn::PackedSequence, Tensor, Tensor> run_packed(const utils::rnn::PackedSequence& input,
                                                                    const Tensor& h0, const Tensor& c0);

 private:
  // h0 or c0 checked against [L*D, N, H] (unsqueezed when unbatched); zeros when undefined.
  Tensor initial_state(const Tensor& s, int64_t N, DType dtype, bool unbatched, const char* what) const;
  // Layer l over packed rows x [S, C] with batch_sizes bs: output [S, D*H], h_n and c_n [D, N, H].
  std::tuple<Tensor, Tensor, Tensor> packed_layer(int64_t l, const Tensor& x, const std::vector<int64_t>& bs,
                                                  const Tensor& h0, const Tensor& c0) const;
  // Layer l from ops (float64 and what the backend does not run): output, h_n and c_n [D, N, H].
  std::tuple<Tensor, Tensor, Tensor> composite_layer(int64_t l, const Tensor& x, const Tensor& h0,
                                                     const Tensor& c0) const;
  Tensor cell(const Tensor& gates_x, Tensor& h, Tensor& c, const Tensor& w_hh, const Tensor& b_hh) const;
  Mode mode_;
  std::vector<Tensor> weights_;  // per (layer, direction): w_ih, w_hh, b_ih, b_hh
};

class RNN : public RNNBase {
 public:
  RNN(int64_t input_size, int64_t hidden_size, RNNOptions options = {})
      : RNNBase(Mode::RNN, input_size, hidden_size, options) {}
  std::tuple<Tensor, Tensor> forward(const Tensor& input, const Tensor& h0 = {});
  std::tuple<Tensor, Tensor> operator()(const Tensor& input, const Tensor& h0 = {}) {
    return call_forward(detail::tensors_of(input, h0), [&] { return forward(input, h0); });
  }
  std::tuple<utils::rnn::PackedSequence, Tensor> forward_with_packed_input(
      const utils::rnn::PackedSequence& input, const Tensor& h0 = {});
  std::tuple<utils::rnn::PackedSequence, Tensor> operator()(const utils::rnn::PackedSequence& input,
                                                            const Tensor& h0 = {}) {
    return traced([&] { return forward_with_packed_input(input, h0); });
  }
};

class GRU : public RNNBase {
 public:
  GRU(int64_t input_size, int64_t hidden_size, RNNOptions options = {})
      : RNNBase(Mode::GRU, input_size, hidden_size, options) {}
  std::tuple<Tensor, Tensor> forward(const Tensor& input, const Tensor& h0 = {});
  std::tuple<Tensor, Tensor> operator()(const Tensor& input, const Tensor& h0 = {}) {
    return call_forward(detail::tensors_of(input, h0), [&] { return forward(input, h0); });
  }
  std::tuple<utils::rnn::PackedSequence, Tensor> forward_with_packed_input(
      const utils::rnn::PackedSequence& input, const Tensor& h0 = {});
  std::tuple<utils::rnn::PackedSequence, Tensor> operator()(const utils::rnn::PackedSequence& input,
                                                            const Tensor& h0 = {}) {
    return traced([&] { return forward_with_packed_input(input, h0); });
  }
};

class LSTM : public RNNBase {
 public:
  LSTM(int64_t input_size, int64_t hidden_size, RNNOptions options = {})
      : RNNBase(Mode::LSTM, input_size, hidden_size, options) {}
  // Returns output and (h_n, c_n), as LibTorch's LSTMImpl::forward. The state goes back in as that
  // tuple (`auto [y, hc] = lstm(x); std::tie(y, hc) = lstm(x2, hc);`) or as h0, c0.
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(const Tensor& input, const Tensor& h0 = {},
                                                         const Tensor& c0 = {});
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(const Tensor& input,
                                                         const std::tuple<Tensor, Tensor>& hx) {
    return forward(input, std::get<0>(hx), std::get<1>(hx));
  }
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> operator()(const Tensor& input, const Tensor& h0 = {},
                                                            const Tensor& c0 = {}) {
    return call_forward(detail::tensors_of(input, h0, c0), [&] { return forward(input, h0, c0); });
  }
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> operator()(const Tensor& input,
                                                            const std::tuple<Tensor, Tensor>& hx) {
    return call_forward(detail::tensors_of(input, hx), [&] { return forward(input, hx); });
  }
  using PackedResult = std::tuple<utils::rnn::PackedSequence, std::tuple<Tensor, Tensor>>;
  PackedResult forward_with_packed_input(const utils::rnn::PackedSequence& input, const Tensor& h0 = {},
                                         const Tensor& c0 = {});
  PackedResult forward_with_packed_input(const utils::rnn::PackedSequence& input,
                                         const std::tuple<Tensor, Tensor>& hx) {
    return forward_with_packed_input(input, std::get<0>(hx), std::get<1>(hx));
  }
  PackedResult operator()(const utils::rnn::PackedSequence& input, const Tensor& h0 = {},
                          const Tensor& c0 = {}) {
    return traced([&] { return forward_with_packed_input(input, h0, c0); });
  }
  PackedResult operator()(const utils::rnn::PackedSequence& input, const std::tuple<Tensor, Tensor>& hx) {
    return traced([&] { return forward_with_packed_input(input, hx); });
  }
};

}  // namespace nabla::nn
