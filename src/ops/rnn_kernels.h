// rnn_kernels.h — backend-neutral entry points for one recurrent layer (one or both directions) of
// nn::RNN/LSTM/GRU. Tensors use PyTorch's layouts and gate orders; the backend converts.
// Letters: T steps, N batch, C input features, H hidden, D directions (1 or 2), G gates
// (RNN 1, LSTM 4 = i,f,g,o, GRU 3 = r,z,n).
#pragma once
#include <cstdint>

#include "nabla/tensor/tensor.h"

namespace nabla::kernels {

enum class RnnCell { TanhRNN, ReluRNN, LSTM, GRU };

struct RnnShape {
  RnnCell cell = RnnCell::TanhRNN;
  int64_t T = 0, N = 0, C = 0, H = 0, D = 1;
  bool bias = true;
};

struct RnnTensors {
  Tensor x{}, h0{}, c0{};  // [T, N, C], [D, N, H], [D, N, H] (c0: LSTM only)
  TensorList
      weights{};  // 4 per direction: w_ih [G*H, C], w_hh [G*H, H], b_ih, b_hh [G*H] (undefined without bias)
  Tensor y{}, hy{}, cy{};  // [T, N, D*H], [D, N, H], [D, N, H]: written by rnn_layer_forward
  Tensor state{};          // what a training forward keeps for the backward, besides the above (opaque)

  // All of the above as one list (for a custom Function's save_for_backward), and back.
  TensorList pack() const;
  static RnnTensors unpack(const TensorList& saved);
};

struct RnnGrads {
  Tensor gx, gh0, gc0;  // like x, h0, c0
  TensorList gweights;  // like weights (undefined where a weight is)
};

// True when rnn_layer_* runs layers of this shape on these tensors (x, h0, c0 and every layer's
// weights; c0 undefined but for LSTM). Otherwise the caller composes the layer from differentiable ops.
bool rnn_layer_has_kernel(const RnnShape& s, const Tensor& x, const Tensor& h0, const Tensor& c0,
                          const TensorList& weights);
// Fills t.y, t.hy, t.cy; with `training`, also t.state for rnn_layer_backward.
void rnn_layer_forward(const RnnShape& s, RnnTensors& t, bool training);
// Gradients of everything from those of y, hy, cy (all defined, contiguous) and a training forward.
RnnGrads rnn_layer_backward(const RnnShape& s, const RnnTensors& t, const Tensor& gy, const Tensor& ghy,
                            const Tensor& gcy);

}  // namespace nabla::kernels
