// rnn.cpp — recurrent layers. Layers the kernels take (ops/rnn_kernels.h: float32 today) run fused, one
// autograd node per layer (Note [Fused recurrent layers]); other dtypes are compositions of
// differentiable ops: the input projection of all time steps is one matmul per layer and direction,
// the recurrence a loop over time.
#include "nabla/nn/rnn.h"

#include <algorithm>
#include <cmath>

#include "autograd/record.h"
#include "nabla/autograd/autograd.h"
#include "nabla/nn/functional.h"
#include "nabla/nn/init.h"
#include "ops/rnn_kernels.h"
#include "util/check.h"

namespace nabla::nn {

namespace {
int64_t gate_count(RNNBase::Mode m) { return m == RNNBase::Mode::LSTM ? 4 : m == RNNBase::Mode::GRU ? 3 : 1; }

kernels::RnnCell fused_cell(RNNBase::Mode m, const std::string& nonlinearity) {
  if (m == RNNBase::Mode::LSTM) return kernels::RnnCell::LSTM;
  if (m == RNNBase::Mode::GRU) return kernels::RnnCell::GRU;
  return nonlinearity == "relu" ? kernels::RnnCell::ReluRNN : kernels::RnnCell::TanhRNN;
}

// Note [Fused recurrent layers]
// A layer (both directions) is one autograd node: inputs x [T, N, C], h0 and c0 [D, N, H] and the
// layer's defined weights; outputs y [T, N, D*H], h_n and c_n [D, N, H]. The forward keeps the
// kernel's saved state only when the node is recorded (otherwise it runs as inference). The backward
// is the kernel's, so it has no double backward: create_graph raises NotImplementedError here, and
// the float64 composite path (what gradgradcheck uses) keeps double backward.
TensorList fused_layer(const kernels::RnnShape& s, const Tensor& x, const Tensor& h0, const Tensor& c0,
                       const TensorList& w) {
  const bool lstm = s.cell == kernels::RnnCell::LSTM;
  TensorList inputs = {x, h0};
  if (lstm) inputs.push_back(c0);
  for (const Tensor& t : w)
    if (t.defined()) inputs.push_back(t);
  const bool training = autograd::should_record(inputs);
  auto forward = [&](autograd::AutogradContext* ctx) {
    kernels::RnnTensors t{.x = x, .h0 = h0, .c0 = lstm ? c0 : Tensor(), .weights = w};
    kernels::rnn_layer_forward(s, t, training);
    if (training) ctx->save_for_backward(t.pack());
    return lstm ? TensorList{t.y, t.hy, t.cy} : TensorList{t.y, t.hy};
  };
  auto backward = [s, lstm](autograd::AutogradContext* ctx, TensorList g) -> TensorList {
    NABLA_CHECK(!is_grad_enabled(), NotImplementedError,
                "{}: double backward (create_graph=true) is not implemented for float32 recurrent "
                "layers; use float64",
                lstm                              ? "LSTM"
                : s.cell == kernels::RnnCell::GRU ? "GRU"
                                                  : "RNN");
    const kernels::RnnTensors t = kernels::RnnTensors::unpack(ctx->get_saved_variables());
    kernels::RnnGrads r = kernels::rnn_layer_backward(s, t, g[0], g[1], lstm ? g[2] : Tensor());
    TensorList out = {r.gx, r.gh0};
    if (lstm) out.push_back(r.gc0);
    for (const Tensor& gw : r.gweights)
      if (gw.defined()) out.push_back(gw);
    return out;
  };
  return autograd::detail::apply_custom("MkldnnRnnLayer", inputs, forward, backward);
}
}  // namespace

RNNBase::RNNBase(Mode mode, int64_t input, int64_t hidden, RNNOptions o)
    : input_size(input), hidden_size(hidden), options(std::move(o)), mode_(mode) {
  NABLA_CHECK(hidden > 0 && input > 0 && options.num_layers > 0, ValueError,
              "{}: input_size, hidden_size and num_layers must be positive", name());
  NABLA_CHECK(options.dropout >= 0 && options.dropout <= 1, ValueError,
              "{}: dropout must be in [0, 1], got {}", name(), options.dropout);
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

std::string RNNBase::name() const {
  return mode_ == Mode::LSTM ? "LSTM" : mode_ == Mode::GRU ? "GRU" : "RNN";
}
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

// Layer l, both directions, from differentiable ops. x [T, N, C]; h0, c0 [D, N, H].
std::tuple<Tensor, Tensor, Tensor> RNNBase::composite_layer(int64_t l, const Tensor& x, const Tensor& h0,
                                                            const Tensor& c0) const {
  const int64_t T = x.size(0), N = x.size(1), dirs = options.bidirectional ? 2 : 1;
  TensorList outs, h_n, c_n;
  for (int64_t d = 0; d < dirs; ++d) {
    const Tensor* w = &weights_[(l * dirs + d) * 4];
    // Input projection for all steps at once: [T*N, C] x [C, G] -> [T, N, G].
    Tensor gx = functional::linear(x.reshape({T * N, -1}), w[0], w[2]).view({T, N, -1});
    Tensor h = h0[d], c = mode_ == Mode::LSTM ? c0[d] : Tensor();
    TensorList steps(T);
    for (int64_t s = 0; s < T; ++s) {
      int64_t t = d ? T - 1 - s : s;
      steps[t] = cell(gx[t], h, c, w[1], w[3]);
    }
    outs.push_back(stack(steps, 0));
    h_n.push_back(h);
    if (mode_ == Mode::LSTM) c_n.push_back(c);
  }
  return {dirs == 1 ? outs[0] : cat(outs, 2), stack(h_n, 0), mode_ == Mode::LSTM ? stack(c_n, 0) : Tensor()};
}

Tensor RNNBase::initial_state(const Tensor& s, int64_t N, DType dtype, bool unbatched,
                              const char* what) const {
  const int64_t rows = options.num_layers * (options.bidirectional ? 2 : 1), H = hidden_size;
  if (!s.defined()) return zeros({rows, N, H}, {.dtype = dtype});
  Tensor v = unbatched ? s.unsqueeze(1) : s;
  NABLA_CHECK(v.sizes() == IntArrayRef({rows, N, H}), ShapeError,
              "{}: expected {} of size [{}, {}, {}], got {}", name(), what, rows, N, H, shape_str(s.sizes()));
  return v;
}

std::tuple<Tensor, Tensor, Tensor> RNNBase::run(const Tensor& input, const Tensor& h0, const Tensor& c0) {
  NABLA_CHECK(input.dim() == 3 || input.dim() == 2, ShapeError,
              "{}: expected input of 2 or 3 dimensions, got {}", name(), shape_str(input.sizes()));
  const bool unbatched = input.dim() == 2;
  Tensor x = unbatched ? input.unsqueeze(options.batch_first ? 0 : 1) : input;
  if (options.batch_first) x = x.transpose(0, 1);  // [T, N, C]
  NABLA_CHECK(x.size(2) == input_size, ShapeError,
              "{}: input.size(-1) must be equal to input_size. Expected {}, got {}", name(), input_size,
              x.size(2));
  const int64_t T = x.size(0), N = x.size(1), H = hidden_size, dirs = options.bidirectional ? 2 : 1;
  const int64_t L = options.num_layers;
  const bool lstm = mode_ == Mode::LSTM;
  Tensor h_init = initial_state(h0, N, x.dtype(), unbatched, "hidden[0]");
  Tensor c_init = lstm ? initial_state(c0, N, x.dtype(), unbatched, "hidden[1]") : Tensor();
  kernels::RnnShape shape{fused_cell(mode_, options.nonlinearity), T, N, input_size, H, dirs, options.bias};
  const bool fused = kernels::rnn_layer_has_kernel(shape, x, h_init, c_init, weights_);
  TensorList h_n, c_n;  // per layer [D, N, H]
  Tensor layer_in = x;
  for (int64_t l = 0; l < L; ++l) {
    Tensor hl = h_init.narrow(0, l * dirs, dirs), cl = lstm ? c_init.narrow(0, l * dirs, dirs) : Tensor();
    Tensor out, h, c;
    if (fused) {
      shape.C = layer_in.size(2);
      const auto w = weights_.begin() + l * dirs * 4;
      TensorList r = fused_layer(shape, layer_in, hl, cl, TensorList(w, w + dirs * 4));
      out = r[0], h = r[1], c = lstm ? r[2] : Tensor();
    } else {
      std::tie(out, h, c) = composite_layer(l, layer_in, hl, cl);
    }
    h_n.push_back(h);
    if (lstm) c_n.push_back(c);
    layer_in = out;
    if (l + 1 < L && options.dropout > 0)
      layer_in = functional::dropout(layer_in, options.dropout, is_training());
  }
  Tensor out = options.batch_first ? layer_in.transpose(0, 1) : layer_in;
  Tensor hn = L == 1 ? h_n[0] : cat(h_n, 0), cn = !lstm ? Tensor() : L == 1 ? c_n[0] : cat(c_n, 0);
  if (unbatched) {
    out = out.squeeze(options.batch_first ? 0 : 1);
    hn = hn.squeeze(1);
    if (cn.defined()) cn = cn.squeeze(1);
  }
  return {out, hn, cn};
}

std::tuple<Tensor, Tensor> RNN::forward(const Tensor& input, const Tensor& h0) {
  auto [o, h, c] = run(input, h0, Tensor());
  return {o, h};
}
std::tuple<Tensor, Tensor> GRU::forward(const Tensor& input, const Tensor& h0) {
  auto [o, h, c] = run(input, h0, Tensor());
  return {o, h};
}
std::tuple<Tensor, std::tuple<Tensor, Tensor>> LSTM::forward(const Tensor& input, const Tensor& h0,
                                                             const Tensor& c0) {
  auto [o, h, c] = run(input, h0, c0);
  return {o, {h, c}};
}

}  // namespace nabla::nn
