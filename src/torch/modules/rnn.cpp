// rnn.cpp — the LibTorch-style RNN, LSTM and GRU: constructors and LibTorch's forward signatures.
#include "torch/nn/modules/rnn.h"

#include <string>
#include <utility>

namespace torch::nn {
namespace {
template <typename Options>
nabla::nn::RNNOptions to_nabla_rnn(const Options& o, std::string nonlinearity = "tanh") {
  return {.num_layers = o.num_layers(),
          .bias = o.bias(),
          .batch_first = o.batch_first(),
          .dropout = o.dropout(),
          .bidirectional = o.bidirectional(),
          .nonlinearity = std::move(nonlinearity)};
}
}  // namespace

RNNImpl::RNNImpl(int64_t input_size, int64_t hidden_size) : RNNImpl(RNNOptions(input_size, hidden_size)) {}
RNNImpl::RNNImpl(const RNNOptions& options_)
    : nabla::nn::RNN(options_.input_size(), options_.hidden_size(),
                     to_nabla_rnn(options_, enumtype::lower_name(options_.nonlinearity()))),
      options(options_) {}
std::tuple<Tensor, Tensor> RNNImpl::forward(const Tensor& input, Tensor hx) {
  return traced([&] {
    auto [output, h_n] = nabla::nn::RNN::forward(input, hx);
    return std::tuple<Tensor, Tensor>(output, h_n);
  });
}

LSTMImpl::LSTMImpl(int64_t input_size, int64_t hidden_size)
    : LSTMImpl(LSTMOptions(input_size, hidden_size)) {}
LSTMImpl::LSTMImpl(const LSTMOptions& options_)
    : nabla::nn::LSTM(options_.input_size(), options_.hidden_size(), to_nabla_rnn(options_)),
      options(options_) {
  detail::require(options.proj_size() == 0, "LSTM", "proj_size > 0");
}
std::tuple<Tensor, LSTMImpl::State> LSTMImpl::forward(const Tensor& input, std::optional<State> hx_opt) {
  return traced([&] {
    Tensor h0, c0;
    if (hx_opt) std::tie(h0, c0) = *hx_opt;
    return nabla::nn::LSTM::forward(input, h0, c0);
  });
}
LSTMImpl::PackedResult LSTMImpl::forward_with_packed_input(const nabla::nn::utils::rnn::PackedSequence& input,
                                                           std::optional<State> hx_opt) {
  return traced([&] {
    Tensor h0, c0;
    if (hx_opt) std::tie(h0, c0) = *hx_opt;
    return nabla::nn::LSTM::forward_with_packed_input(input, h0, c0);
  });
}

GRUImpl::GRUImpl(int64_t input_size, int64_t hidden_size) : GRUImpl(GRUOptions(input_size, hidden_size)) {}
GRUImpl::GRUImpl(const GRUOptions& options_)
    : nabla::nn::GRU(options_.input_size(), options_.hidden_size(), to_nabla_rnn(options_)),
      options(options_) {}
std::tuple<Tensor, Tensor> GRUImpl::forward(const Tensor& input, Tensor hx) {
  return traced([&] {
    auto [output, h_n] = nabla::nn::GRU::forward(input, hx);
    return std::tuple<Tensor, Tensor>(output, h_n);
  });
}

}  // namespace torch::nn
