// rnn_packed.cpp — RNN, LSTM and GRU over a PackedSequence (torch.nn.utils.rnn).
//
// Note [Packed recurrent layers]
// A packed batch is sorted by decreasing length, so the sequences still running at step t are the
// first batch_sizes[t] rows. Each layer and direction is the composite recurrence of rnn.cpp run on
// batches of shrinking size: step t takes the first batch_sizes[t] rows of the state, and the rows it
// drops are the finished sequences' final states (PyTorch's h_n: each sequence's state after its own
// last step). The reverse direction walks t down from the last step; a sequence joins, from its h0,
// at its own last step. Padded positions are never computed, so pad_packed_sequence fills them with
// its padding_value (zeros by default), and gradients flow through the same differentiable ops.
// Cost: about ten small ops (and autograd nodes) per step, layer and direction, against one fused
// kernel per layer for padded float32 input (which has no variable lengths).
#include <algorithm>

#include "nabla/nn/functional.h"
#include "nabla/nn/rnn.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::nn {

using utils::rnn::PackedSequence;

std::tuple<Tensor, Tensor, Tensor> RNNBase::packed_layer(int64_t l, const Tensor& x,
                                                         const std::vector<int64_t>& bs, const Tensor& h0,
                                                         const Tensor& c0) const {
  const int64_t T = static_cast<int64_t>(bs.size()), dirs = options.bidirectional ? 2 : 1;
  const bool lstm = mode_ == Mode::LSTM;
  std::vector<int64_t> offset(static_cast<size_t>(T), 0);
  for (int64_t t = 1; t < T; ++t) offset[t] = offset[t - 1] + bs[t - 1];
  TensorList outs, h_n, c_n;
  for (int64_t d = 0; d < dirs; ++d) {
    const Tensor* w = &weights_[(l * dirs + d) * 4];
    Tensor gx = functional::linear(x, w[0], w[2]);  // [S, G*H]: the input projection of every step at once
    TensorList steps(static_cast<size_t>(T));
    Tensor h, c;
    if (d == 0) {
      h = h0[0], c = lstm ? c0[0] : Tensor();
      TensorList done_h, done_c;  // final states of the rows dropped, highest rows first
      for (int64_t t = 0; t < T; ++t) {
        const int64_t n = h.size(0);
        if (bs[t] < n) {
          done_h.push_back(h.narrow(0, bs[t], n - bs[t])), h = h.narrow(0, 0, bs[t]);
          if (lstm) done_c.push_back(c.narrow(0, bs[t], n - bs[t])), c = c.narrow(0, 0, bs[t]);
        }
        steps[t] = cell(gx.narrow(0, offset[t], bs[t]), h, c, w[1], w[3]);
      }
      done_h.push_back(h), std::reverse(done_h.begin(), done_h.end()), h = cat(done_h, 0);
      if (lstm) done_c.push_back(c), std::reverse(done_c.begin(), done_c.end()), c = cat(done_c, 0);
    } else {
      const Tensor& h0d = h0[1];
      const Tensor c0d = lstm ? c0[1] : Tensor();
      for (int64_t t = T - 1; t >= 0; --t) {
        const int64_t n = h.defined() ? h.size(0) : 0;
        if (bs[t] > n) {  // sequences whose last step is t start here from their h0
          Tensor h_new = h0d.narrow(0, n, bs[t] - n);
          h = n ? cat({h, h_new}, 0) : h_new;
          if (lstm) {
            Tensor c_new = c0d.narrow(0, n, bs[t] - n);
            c = n ? cat({c, c_new}, 0) : c_new;
          }
        }
        steps[t] = cell(gx.narrow(0, offset[t], bs[t]), h, c, w[1], w[3]);
      }
    }
    outs.push_back(cat(steps, 0));
    h_n.push_back(h);
    if (lstm) c_n.push_back(c);
  }
  return {dirs == 1 ? outs[0] : cat(outs, 1), stack(h_n, 0), lstm ? stack(c_n, 0) : Tensor()};
}

std::tuple<PackedSequence, Tensor, Tensor> RNNBase::run_packed(const PackedSequence& input, const Tensor& h0,
                                                               const Tensor& c0) {
  NABLA_CHECK(input.defined(), ValueError, "{}: the PackedSequence input is empty (no data)", name());
  const Tensor& data = input.data();
  NABLA_CHECK(data.dim() == 2 && data.size(1) == input_size, ShapeError,
              "{}: a packed input's data must be [sum of lengths, input_size = {}], got {}", name(),
              input_size, shape_str(data.sizes()));
  std::vector<int64_t> bs;
  for (double v : input.batch_sizes().to_vector()) bs.push_back(static_cast<int64_t>(v));
  NABLA_CHECK(!bs.empty(), ValueError, "{}: the PackedSequence has no time steps", name());
  int64_t S = 0;
  for (size_t t = 0; t < bs.size(); ++t) {
    NABLA_CHECK(bs[t] > 0 && (t == 0 || bs[t] <= bs[t - 1]), ValueError,
                "{}: batch_sizes must be positive and non-increasing, got batch_sizes[{}] = {}", name(), t,
                bs[t]);
    S += bs[t];
  }
  NABLA_CHECK(S == data.size(0), ShapeError,
              "{}: packed data {} does not have the {} rows batch_sizes add up to", name(),
              shape_str(data.sizes()), S);
  const int64_t N = bs[0], L = options.num_layers, dirs = options.bidirectional ? 2 : 1;
  const bool lstm = mode_ == Mode::LSTM;
  const Tensor& sorted = input.sorted_indices();
  // The states come in the caller's batch order; the packed rows are in sorted order.
  auto to_sorted = [&](const Tensor& s, const char* what) {
    Tensor v = initial_state(s, N, data.dtype(), false, what);
    return s.defined() && sorted.defined() ? v.index_select(1, sorted) : v;
  };
  Tensor h_init = to_sorted(h0, "hidden[0]"), c_init = lstm ? to_sorted(c0, "hidden[1]") : Tensor();
  TensorList h_n, c_n;
  Tensor layer_in = data;
  for (int64_t l = 0; l < L; ++l) {
    Tensor hl = h_init.narrow(0, l * dirs, dirs), cl = lstm ? c_init.narrow(0, l * dirs, dirs) : Tensor();
    auto [out, h, c] = packed_layer(l, layer_in, bs, hl, cl);
    h_n.push_back(h);
    if (lstm) c_n.push_back(c);
    layer_in = out;
    if (l + 1 < L && options.dropout > 0)
      layer_in = functional::dropout(layer_in, options.dropout, is_training());
  }
  Tensor hn = L == 1 ? h_n[0] : cat(h_n, 0), cn = !lstm ? Tensor() : L == 1 ? c_n[0] : cat(c_n, 0);
  if (input.unsorted_indices().defined()) {
    hn = hn.index_select(1, input.unsorted_indices());
    if (lstm) cn = cn.index_select(1, input.unsorted_indices());
  }
  return {PackedSequence(layer_in, input.batch_sizes(), sorted, input.unsorted_indices()), hn, cn};
}

std::tuple<PackedSequence, Tensor> RNN::forward_with_packed_input(const PackedSequence& input,
                                                                  const Tensor& h0) {
  auto [o, h, c] = run_packed(input, h0, Tensor());
  return {o, h};
}
std::tuple<PackedSequence, Tensor> GRU::forward_with_packed_input(const PackedSequence& input,
                                                                  const Tensor& h0) {
  auto [o, h, c] = run_packed(input, h0, Tensor());
  return {o, h};
}
LSTM::PackedResult LSTM::forward_with_packed_input(const PackedSequence& input, const Tensor& h0,
                                                   const Tensor& c0) {
  auto [o, h, c] = run_packed(input, h0, c0);
  return {o, {h, c}};
}

}  // namespace nabla::nn
