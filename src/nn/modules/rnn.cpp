// rnn.cpp — recurrent layers as compositions of differentiable ops. The input projection of all
// time steps is one matmul per layer and direction; the recurrence is a loop over time.
#include "nabla/nn/rnn.h"

#include <cmath>

#include "nabla/nn/functional.h"
#include "nabla/nn/init.h"
#include "util/check.h"

namespace nabla::nn {

namespace {
int64_t gate_count(RNNBase::Mode m) { return m == RNNBase::Mode::LSTM ? 4 : m == RNNBase::Mode::GRU ? 3 : 1; }
}  // namespace

RNNBase::RNNBase(Mode mode, int64_t input, int64_t hidden, RNNOptions o)
    : input_size(input), hidden_size(hidden), options(std::move(o)), mode_(mode) {
  NABLA_CHECK(hidden > 0 && input > 0 && options.num_layers > 0, ValueError,
              "{}: input_size, hidden_size and num_layers must be positive", name());
  NABLA_CHECK(options.dropout >= 0 && options.dropout <= 1, ValueError, "{}: dropout must be in [0, 1], got {}", name(),
              options.dropout);
  NABLA_CHECK(options.nonlinearity == "tanh" || options.nonlinearity == "relu", ValueError,
              "RNN: unknown nonlinearity '{}'", options.nonlinearity);
  const int64_t G = gate_count(mode) * hidden, dirs = options.bidirectional ? 2 : 1;
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden));
  for (int64_t l = 0; l < options.num_layers; ++l)
    for (int64_t d = 0; d < dirs; ++d) {
      const int64_t in = l == 0 ? input : hidden * dirs;
      const std::string sfx = "_l" + std::to_string(l) + (d ? "_reverse" : "");
      Tensor w_ih = register_parameter("weight_ih" + sfx, empty({G, in}));
      Tensor w_hh = register_parameter("weight_hh" + sfx, empty({G, hidden}));
      Tensor b_ih = register_parameter("bias_ih" + sfx, options.bias ? empty({G}) : Tensor());
      Tensor b_hh = register_parameter("bias_hh" + sfx, options.bias ? empty({G}) : Tensor());
      for (Tensor* t : {&w_ih, &w_hh, &b_ih, &b_hh})
        if (t->defined()) init::uniform_(*t, -bound, bound);
      weights_.insert(weights_.end(), {w_ih, w_hh, b_ih, b_hh});
    }
}

std::string RNNBase::name() const { return mode_ == Mode::LSTM ? "LSTM" : mode_ == Mode::GRU ? "GRU" : "RNN"; }
std::string RNNBase::extra_repr() const {
  std::string s = fmt::format("{}, {}", input_size, hidden_size);
  if (options.num_layers != 1) s += fmt::format(", num_layers={}", options.num_layers);
  if (options.batch_first) s += ", batch_first=True";
  if (options.dropout != 0) s += fmt::format(", dropout={}", options.dropout);
  if (options.bidirectional) s += ", bidirectional=True";
  return s;
}

// One time step. gates_x = x_t W_ih^T + b_ih, [N, G*H]. Updates h (and c for LSTM); returns h.
Tensor RNNBase::cell(const Tensor& gx, Tensor& h, Tensor& c, const Tensor& w_hh, const Tensor& b_hh) const {
  Tensor gh = functional::linear(h, w_hh, b_hh);
  const int64_t H = hidden_size;
  switch (mode_) {
    case Mode::RNN: {
      Tensor pre = gx + gh;
      h = options.nonlinearity == "tanh" ? tanh(pre) : relu(pre);
      break;
    }
    case Mode::GRU: {
      Tensor r = sigmoid(gx.narrow(1, 0, H) + gh.narrow(1, 0, H));
      Tensor z = sigmoid(gx.narrow(1, H, H) + gh.narrow(1, H, H));
      Tensor n = tanh(gx.narrow(1, 2 * H, H) + r * gh.narrow(1, 2 * H, H));
      h = n + z * (h - n);  // (1 - z) * n + z * h
      break;
    }
    case Mode::LSTM: {
      Tensor g = gx + gh;
      Tensor i = sigmoid(g.narrow(1, 0, H)), f = sigmoid(g.narrow(1, H, H));
      Tensor cc = tanh(g.narrow(1, 2 * H, H)), o = sigmoid(g.narrow(1, 3 * H, H));
      c = f * c + i * cc;
      h = o * tanh(c);
      break;
    }
  }
  return h;
}

std::tuple<Tensor, Tensor, Tensor> RNNBase::run(const Tensor& input, const Tensor& h0, const Tensor& c0) {
  NABLA_CHECK(input.dim() == 3 || input.dim() == 2, ShapeError, "{}: expected input of 2 or 3 dimensions, got {}", name(),
              shape_str(input.sizes()));
  const bool unbatched = input.dim() == 2;
  Tensor x = unbatched ? input.unsqueeze(options.batch_first ? 0 : 1) : input;
  if (options.batch_first) x = x.transpose(0, 1);  // [T, N, C]
  NABLA_CHECK(x.size(2) == input_size, ShapeError, "{}: input.size(-1) must be equal to input_size. Expected {}, got {}",
              name(), input_size, x.size(2));
  const int64_t T = x.size(0), N = x.size(1), H = hidden_size, dirs = options.bidirectional ? 2 : 1;
  const int64_t L = options.num_layers;
  auto initial = [&](const Tensor& s, const char* what) {
    if (!s.defined()) return zeros({L * dirs, N, H}, x.dtype());
    Tensor v = unbatched ? s.unsqueeze(1) : s;
    NABLA_CHECK(v.sizes() == IntArrayRef({L * dirs, N, H}), ShapeError, "{}: expected {} of size [{}, {}, {}], got {}",
                name(), what, L * dirs, N, H, shape_str(s.sizes()));
    return v;
  };
  Tensor h_init = initial(h0, "hidden[0]"), c_init = mode_ == Mode::LSTM ? initial(c0, "hidden[1]") : Tensor();
  TensorList h_n, c_n;
  Tensor layer_in = x;
  for (int64_t l = 0; l < L; ++l) {
    TensorList outs_dir;
    for (int64_t d = 0; d < dirs; ++d) {
      const Tensor* w = &weights_[(l * dirs + d) * 4];
      // Input projection for all steps at once: [T*N, C] x [C, G] -> [T, N, G].
      Tensor gx = functional::linear(layer_in.reshape({T * N, -1}), w[0], w[2]).view({T, N, -1});
      Tensor h = h_init[l * dirs + d], c = mode_ == Mode::LSTM ? c_init[l * dirs + d] : Tensor();
      TensorList steps(T);
      for (int64_t s = 0; s < T; ++s) {
        int64_t t = d ? T - 1 - s : s;
        steps[t] = cell(gx[t], h, c, w[1], w[3]);
      }
      outs_dir.push_back(stack(steps, 0));
      h_n.push_back(h);
      if (mode_ == Mode::LSTM) c_n.push_back(c);
    }
    layer_in = dirs == 1 ? outs_dir[0] : cat(outs_dir, 2);
    if (l + 1 < L && options.dropout > 0) layer_in = functional::dropout(layer_in, options.dropout, is_training());
  }
  Tensor out = options.batch_first ? layer_in.transpose(0, 1) : layer_in;
  Tensor hn = stack(h_n, 0), cn = mode_ == Mode::LSTM ? stack(c_n, 0) : Tensor();
  if (unbatched) {
    out = out.squeeze(options.batch_first ? 0 : 1);
    hn = hn.squeeze(1);
    if (cn.defined()) cn = cn.squeeze(1);
  }
  return {out, hn, cn};
}

std::pair<Tensor, Tensor> RNN::forward(const Tensor& input, const Tensor& h0) {
  auto [o, h, c] = run(input, h0, Tensor());
  return {o, h};
}
std::pair<Tensor, Tensor> GRU::forward(const Tensor& input, const Tensor& h0) {
  auto [o, h, c] = run(input, h0, Tensor());
  return {o, h};
}
std::pair<Tensor, std::pair<Tensor, Tensor>> LSTM::forward(const Tensor& input, const Tensor& h0, const Tensor& c0) {
  auto [o, h, c] = run(input, h0, c0);
  return {o, {h, c}};
}

}  // namespace nabla::nn
