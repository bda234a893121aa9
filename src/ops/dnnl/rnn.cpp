// rnn.cpp — one recurrent layer (one or both directions) on oneDNN's RNN primitives, float32:
// vanilla_rnn (tanh, relu), lstm and lbr_gru. PyTorch's GRU applies r after the hidden matmul
// (n = tanh(W_in x + b_in + r * (W_hn h + b_hn))): that is oneDNN's linear-before-reset GRU, not its
// plain gru. Primitives are cached by shape; other dtypes are composed from ops by nn (rnn.cpp).
//
// Note [Recurrent layers flush subnormals]
// Gradients vanishing back through a long sequence become subnormal floats, and on Intel cores each
// operation on one takes a microcode assist: gru_train (200 steps) ran at 16 samples/s, against 325
// with subnormals flushed, on a Xeon (docs/PERFORMANCE.md). PyTorch pays the same unless the user
// calls torch.set_flush_denormal. The backward primitive of a sequence of 16+ steps therefore runs
// with FTZ+DAZ on every thread it uses: an element differs from IEEE arithmetic's only where a value
// below 2^-126 in magnitude (which becomes 0) took part, and then by less than those values' sum; no
// normal gradient moves beyond float32 rounding. The forward keeps IEEE arithmetic (activations do
// not vanish that way).
//
// Note [oneDNN RNN layouts]
// PyTorch keeps, per direction, w_ih [G*H, C] and w_hh [G*H, H] with gate-major rows, and two
// biases. oneDNN takes one tensor per kind for both directions: its forward reads weights as ldigo
// ([L, D, C, G, H], PyTorch's transposed), its backward reads them as ldgoi (PyTorch's own row order)
// and writes the weight gradients as ldigo. Gate orders: RNN and LSTM (i, f, g, o) agree; PyTorch's
// GRU r, z, n is oneDNN's u (= z), r, o (= n). The bias (ldgo) is b_ih + b_hh per gate, except
// lbr_gru's 4 gates u, r, o, u': b_ih + b_hh for u and r, b_ih_n for o and b_hh_n for u' (it sits
// inside r * (...)). A summed bias has one gradient, which is both b_ih's and b_hh's.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "ops/cpu/float_mode.h"
#include "ops/cpu/helper_thread.h"
#include "ops/cpu/transpose.h"
#include "ops/dnnl/dnnl_kernels.h"
#include "ops/dnnl/engine.h"
#include "tensor/raw.h"
#include "util/check.h"

namespace nabla {
namespace dnnl_backend {
namespace {

using dnnl::memory;
using kernels::RnnCell;
using kernels::RnnShape;
using tag = memory::format_tag;
using dt = memory::data_type;

int64_t gate_count(RnnCell c) { return c == RnnCell::LSTM ? 4 : c == RnnCell::GRU ? 3 : 1; }
int64_t bias_gates(RnnCell c) { return c == RnnCell::GRU ? 4 : gate_count(c); }
// PyTorch's gate behind oneDNN's gate g: only GRU's first two swap (u = z, r = r).
int64_t torch_gate(RnnCell c, int64_t g) { return c == RnnCell::GRU && g < 2 ? 1 - g : g; }

// ---- descriptors (L = 1: nn chains layers itself, with dropout in between) ----

struct Descs {
  int64_t C, H, D, G;
  memory::desc x, y, state, state_c, bias;  // state_c: a zero descriptor unless LSTM
  memory::desc weights_layer(tag t) const { return weights(C, t); }
  memory::desc weights_iter(tag t) const { return weights(H, t); }
  memory::desc weights(int64_t in, tag t) const { return memory::desc({1, D, in, G, H}, dt::f32, t); }
};

// Descriptors of a layer's tensors; with full_n > s.N, of s.N samples inside tensors of full_n (the
// halves of Note [Recurrent layers split over the helper thread]).
Descs descs(const RnnShape& s, int64_t full_n = 0) {
  Descs d{s.C, s.H, s.D, gate_count(s.cell), {}, {}, {}, {}, {}};
  if (full_n > s.N) {
    const int64_t N = full_n, DH = s.D * s.H;
    d.x = memory::desc({s.T, s.N, s.C}, dt::f32, memory::dims{N * s.C, s.C, 1});
    d.y = memory::desc({s.T, s.N, DH}, dt::f32, memory::dims{N * DH, DH, 1});
    d.state = memory::desc({1, s.D, s.N, s.H}, dt::f32, memory::dims{s.D * N * s.H, N * s.H, s.H, 1});
  } else {
    d.x = memory::desc({s.T, s.N, s.C}, dt::f32, tag::tnc);
    d.y = memory::desc({s.T, s.N, s.D * s.H}, dt::f32, tag::tnc);
    d.state = memory::desc({1, s.D, s.N, s.H}, dt::f32, tag::ldnc);
  }
  if (s.cell == RnnCell::LSTM) d.state_c = d.state;
  // oneDNN 2.6 rejects a zero bias descriptor, so a layer without bias runs with zero bias.
  d.bias = memory::desc({1, s.D, bias_gates(s.cell), s.H}, dt::f32, tag::ldgo);
  return d;
}

dnnl::rnn_direction direction(const RnnShape& s) {
  return s.D == 2 ? dnnl::rnn_direction::bidirectional_concat
                  : dnnl::rnn_direction::unidirectional_left2right;
}
dnnl::algorithm activation(const RnnShape& s) {
  return s.cell == RnnCell::ReluRNN ? dnnl::algorithm::eltwise_relu : dnnl::algorithm::eltwise_tanh;
}

dnnl_rnn_desc_t forward_op(const RnnShape& s, dnnl::prop_kind pk, int64_t full_n) {
  const Descs d = descs(s, full_n);
  const auto wl = d.weights_layer(tag::ldigo), wi = d.weights_iter(tag::ldigo);
  switch (s.cell) {
    case RnnCell::LSTM:
      return dnnl::lstm_forward::desc(pk, direction(s), d.x, d.state, d.state_c, wl, wi, d.bias, d.y, d.state,
                                      d.state_c)
          .data;
    case RnnCell::GRU:
      return dnnl::lbr_gru_forward::desc(pk, direction(s), d.x, d.state, wl, wi, d.bias, d.y, d.state).data;
    default:
      return dnnl::vanilla_rnn_forward::desc(pk, activation(s), direction(s), d.x, d.state, wl, wi, d.bias,
                                             d.y, d.state)
          .data;
  }
}

// The backward's diff descriptors equal the forward ones, except diff weights (ldigo) vs weights (ldgoi).
dnnl_rnn_desc_t backward_op(const RnnShape& s, int64_t full_n) {
  const Descs d = descs(s, full_n);
  const auto pk = dnnl::prop_kind::backward;
  const auto wl = d.weights_layer(tag::ldgoi), wi = d.weights_iter(tag::ldgoi);
  const auto dwl = d.weights_layer(tag::ldigo), dwi = d.weights_iter(tag::ldigo);
  switch (s.cell) {
    case RnnCell::LSTM:
      return dnnl::lstm_backward::desc(pk, direction(s), d.x, d.state, d.state_c, wl, wi, d.bias, d.y,
                                       d.state, d.state_c, d.x, d.state, d.state_c, dwl, dwi, d.bias, d.y,
                                       d.state, d.state_c)
          .data;
    case RnnCell::GRU:
      return dnnl::lbr_gru_backward::desc(pk, direction(s), d.x, d.state, wl, wi, d.bias, d.y, d.state, d.x,
                                          d.state, dwl, dwi, d.bias, d.y, d.state)
          .data;
    default:
      return dnnl::vanilla_rnn_backward::desc(pk, activation(s), direction(s), d.x, d.state, wl, wi, d.bias,
                                              d.y, d.state, d.x, d.state, dwl, dwi, d.bias, d.y, d.state)
          .data;
  }
}

// oneDNN's recurrent primitives meet their OpenMP team at every time step. With OMP_WAIT_POLICY=passive
// (how nabla runs on shared machines, and what the `nabla` tool sets) each meeting is a futex round
// trip: gru_train ran at 314 samples/s on 2 threads against 328 on one (575 with spinning threads), so
// under that policy the primitives run on the calling thread.
bool recurrent_on_one_thread() {
  static const bool passive = [] {
    const char* policy = std::getenv("OMP_WAIT_POLICY");
    return policy && (std::strcmp(policy, "passive") == 0 || std::strcmp(policy, "PASSIVE") == 0);
  }();
  return passive;
}

std::array<int64_t, 9> cache_key(const RnnShape& s, int64_t kind, int64_t full_n) {
  return {static_cast<int64_t>(s.cell), s.T, s.N, s.C, s.H, s.D, s.bias, kind, full_n};
}

// ---- weights between PyTorch's layout and oneDNN's (Note [oneDNN RNN layouts]) ----

using cpu::transpose;

// PyTorch w [G*H, K] -> ldigo block [K, G, H].
void to_ldigo(float* dst, const Tensor& w, RnnCell c, int64_t H) {
  const int64_t G = gate_count(c), K = w.size(1);
  for (int64_t g = 0; g < G; ++g)
    transpose(dst + g * H, G * H, w.data_ptr<float>() + torch_gate(c, g) * H * K, K, H, K);
}
// ldigo block [K, G, H] -> PyTorch gradient gw [G*H, K].
void from_ldigo(const Tensor& gw, const float* src, RnnCell c, int64_t H) {
  const int64_t G = gate_count(c), K = gw.size(1);
  for (int64_t g = 0; g < G; ++g)
    transpose(gw.data_ptr<float>() + torch_gate(c, g) * H * K, K, src + g * H, G * H, K, H);
}
// PyTorch w [G*H, K] -> ldgoi block [G, H, K]: PyTorch's rows with oneDNN's gate order.
void to_ldgoi(float* dst, const Tensor& w, RnnCell c, int64_t H) {
  const int64_t G = gate_count(c), K = w.size(1);
  for (int64_t g = 0; g < G; ++g)
    std::memcpy(dst + g * H * K, w.data_ptr<float>() + torch_gate(c, g) * H * K, sizeof(float) * H * K);
}

// Weights of all directions in one oneDNN tensor [D, K, G*H] (ldigo) or [D, G*H, K] (ldgoi).
// `which` is 0 for w_ih, 1 for w_hh.
Tensor pack_weights(const RnnShape& s, const TensorList& w, int which, bool ldgoi) {
  const int64_t K = which == 0 ? s.C : s.H, GH = gate_count(s.cell) * s.H;
  Tensor out = raw::empty({s.D, K, GH}, DType::Float32);
  for (int64_t d = 0; d < s.D; ++d) {
    float* dst = out.data_ptr<float>() + d * K * GH;
    if (ldgoi)
      to_ldgoi(dst, w[4 * d + which], s.cell, s.H);
    else
      to_ldigo(dst, w[4 * d + which], s.cell, s.H);
  }
  return out;
}

Tensor zeros_f32(IntArrayRef sizes) {
  Tensor t = raw::empty(sizes, DType::Float32);
  std::fill_n(t.data_ptr<float>(), t.numel(), 0.f);
  return t;
}

// ldgo [D, Gb, H] from b_ih and b_hh (zeros without bias).
Tensor pack_bias(const RnnShape& s, const TensorList& w) {
  const int64_t G = gate_count(s.cell), Gb = bias_gates(s.cell), H = s.H;
  if (!s.bias) return zeros_f32({s.D, Gb * H});
  Tensor out = raw::empty({s.D, Gb * H}, DType::Float32);
  for (int64_t d = 0; d < s.D; ++d) {
    const float *b_ih = w[4 * d + 2].data_ptr<float>(), *b_hh = w[4 * d + 3].data_ptr<float>();
    float* dst = out.data_ptr<float>() + d * Gb * H;
    for (int64_t g = 0; g < G; ++g) {
      const int64_t tg = torch_gate(s.cell, g);
      const bool split = s.cell == RnnCell::GRU && g == 2;  // b_hh_n goes to u'
      for (int64_t o = 0; o < H; ++o) dst[g * H + o] = b_ih[tg * H + o] + (split ? 0.f : b_hh[tg * H + o]);
    }
    if (s.cell == RnnCell::GRU) std::memcpy(dst + 3 * H, b_hh + 2 * H, sizeof(float) * H);
  }
  return out;
}

// Gradients of b_ih and b_hh (direction d) from oneDNN's diff bias.
void unpack_bias_grad(const RnnShape& s, const float* db, const Tensor& g_ih, const Tensor& g_hh) {
  const int64_t G = gate_count(s.cell), H = s.H;
  float *gi = g_ih.data_ptr<float>(), *gh = g_hh.data_ptr<float>();
  for (int64_t g = 0; g < G; ++g) {
    const int64_t tg = torch_gate(s.cell, g), hg = s.cell == RnnCell::GRU && g == 2 ? 3 : g;
    std::memcpy(gi + tg * H, db + g * H, sizeof(float) * H);
    std::memcpy(gh + tg * H, db + hg * H, sizeof(float) * H);
  }
}

memory mem(const memory::desc& d, const Tensor& t) { return memory(d, engine(), t.data_ptr()); }

struct Prim {
  dnnl::primitive prim;
  memory::desc workspace;
  memory::desc scratchpad;  // zero unless made with a user scratchpad (the split halves)
};

}  // namespace

namespace {

// Note [Recurrent layers split over the helper thread]
// Under passive waiting a recurrent primitive runs on one thread (recurrent_on_one_thread). With two
// threads, a batch of kSplitFromBatch+ is cut in two and the spinning helper thread (Note [Spinning
// helper thread]) runs the second half: two 1-thread primitives on strided descriptors of the same
// tensors, with no OpenMP meeting per step. The samples are independent, so each output element still comes
// from its own sample alone; the weight gradients of the halves are added (a different order of the batch
// sum than one primitive's, within float32 rounding). If the helper misses its part, the caller runs it.
constexpr int64_t kSplitFromBatch = 16;

// From this many time steps the backward flushes subnormals (Note [Recurrent layers flush subnormals]).
constexpr int64_t kFlushFromSteps = 16;

// A slice's primitives (full_n > 0) take their scratchpad from the caller: made on one thread and run
// on another, at the same time as their twin, they must not share their maker's (Note [Primitives
// stay on their thread]).
dnnl::primitive_attr attr_for(int64_t full_n) {
  dnnl::primitive_attr attr;
  if (full_n > 0) attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

Prim forward_prim(const RnnShape& s, bool training, int64_t full_n) {
  static PrimitiveCache<9, Prim> cache;
  return cache.get(cache_key(s, training, full_n), [&] {
    const auto op = forward_op(
        s, training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference, full_n);
    const dnnl::primitive_attr attr = attr_for(full_n);
    dnnl::primitive_desc pd(&op, &attr, engine(), nullptr);
    return Prim{dnnl::primitive(pd), pd.workspace_desc(), full_n > 0 ? pd.scratchpad_desc() : memory::desc()};
  });
}

Prim backward_prim(const RnnShape& s, int64_t full_n) {
  static PrimitiveCache<9, Prim> cache;
  return cache.get(cache_key(s, 2, full_n), [&] {
    const auto fop = forward_op(s, dnnl::prop_kind::forward_training, full_n);
    const auto bop = backward_op(s, full_n);
    const dnnl::primitive_attr attr = attr_for(full_n);
    dnnl::primitive_desc fpd(&fop, &attr, engine(), nullptr);
    dnnl::primitive_desc pd(&bop, &attr, engine(), fpd.get());
    return Prim{dnnl::primitive(pd), pd.workspace_desc(), full_n > 0 ? pd.scratchpad_desc() : memory::desc()};
  });
}

// Runs a primitive, with a scratchpad of its own when it was made for one.
void execute(const Prim& p, std::unordered_map<int, memory>& args) {
  const Tensor scratch = attach_scratchpad(args, p.scratchpad);
  p.prim.execute(stream(), args);
  stream().wait();
}

// A batch slice [begin, begin + n) of every batch-major tensor of a layer (full batch full_n).
struct Slice {
  int64_t begin, n, full_n;
};

// The address of a slice's first sample in a [.., full_n, width] tensor whose batch stride is width.
void* at(const Tensor& t, const Slice& sl, int64_t width) {
  return t.defined() ? static_cast<void*>(t.data_ptr<float>() + sl.begin * width) : nullptr;
}

// Everything one forward (or backward) primitive call reads and writes, for one slice.
struct Call {
  RnnShape s;  // s.N is the slice's
  Slice sl;
  Prim prim;
  void* workspace;
};

memory mem_at(const memory::desc& d, void* p) { return memory(d, engine(), p); }

void run_forward(const Call& c, const kernels::RnnTensors& t, const Tensor& wl, const Tensor& wi,
                 const Tensor& bias) {
  const RnnShape& s = c.s;
  const Descs d = descs(s, c.sl.full_n);
  const int64_t DH = s.D * s.H;
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC_LAYER, mem_at(d.x, at(t.x, c.sl, s.C))},
                                          {DNNL_ARG_SRC_ITER, mem_at(d.state, at(t.h0, c.sl, s.H))},
                                          {DNNL_ARG_WEIGHTS_LAYER, mem(d.weights_layer(tag::ldigo), wl)},
                                          {DNNL_ARG_WEIGHTS_ITER, mem(d.weights_iter(tag::ldigo), wi)},
                                          {DNNL_ARG_BIAS, mem(d.bias, bias)},
                                          {DNNL_ARG_DST_LAYER, mem_at(d.y, at(t.y, c.sl, DH))},
                                          {DNNL_ARG_DST_ITER, mem_at(d.state, at(t.hy, c.sl, s.H))}};
  if (s.cell == RnnCell::LSTM) {
    args.insert({DNNL_ARG_SRC_ITER_C, mem_at(d.state_c, at(t.c0, c.sl, s.H))});
    args.insert({DNNL_ARG_DST_ITER_C, mem_at(d.state_c, at(t.cy, c.sl, s.H))});
  }
  if (c.workspace) args.insert({DNNL_ARG_WORKSPACE, mem_at(c.prim.workspace, c.workspace)});
  execute(c.prim, args);
}

// The weight gradients oneDNN accumulates into, for one slice (zeroed).
struct WeightGrads {
  Tensor dwl, dwi, db;
  explicit WeightGrads(const RnnShape& s)
      : dwl(zeros_f32({s.D, s.C, gate_count(s.cell) * s.H})),
        dwi(zeros_f32({s.D, s.H, gate_count(s.cell) * s.H})),
        db(zeros_f32({s.D, bias_gates(s.cell) * s.H})) {}
  // Adds the other half's gradients into these.
  void add(const WeightGrads& other) const {
    for (auto [acc, add] : {std::pair{&dwl, &other.dwl}, {&dwi, &other.dwi}, {&db, &other.db}}) {
      float* a = acc->data_ptr<float>();
      const float* b = add->data_ptr<float>();
      for (int64_t i = 0; i < acc->numel(); ++i) a[i] += b[i];
    }
  }
};

void run_backward(const Call& c, const kernels::RnnTensors& t, const Tensor& wl, const Tensor& wi,
                  const Tensor& bias, const kernels::RnnGrads& g, const WeightGrads& w, const Tensor& gy,
                  const Tensor& ghy, const Tensor& gcy, bool flush_here) {
  const RnnShape& s = c.s;
  const Descs d = descs(s, c.sl.full_n);
  const int64_t DH = s.D * s.H;
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC_LAYER, mem_at(d.x, at(t.x, c.sl, s.C))},
      {DNNL_ARG_SRC_ITER, mem_at(d.state, at(t.h0, c.sl, s.H))},
      {DNNL_ARG_WEIGHTS_LAYER, mem(d.weights_layer(tag::ldgoi), wl)},
      {DNNL_ARG_WEIGHTS_ITER, mem(d.weights_iter(tag::ldgoi), wi)},
      {DNNL_ARG_BIAS, mem(d.bias, bias)},
      {DNNL_ARG_DST_LAYER, mem_at(d.y, at(t.y, c.sl, DH))},
      {DNNL_ARG_DST_ITER, mem_at(d.state, at(t.hy, c.sl, s.H))},
      {DNNL_ARG_WORKSPACE, mem_at(c.prim.workspace, c.workspace)},
      {DNNL_ARG_DIFF_SRC_LAYER, mem_at(d.x, at(g.gx, c.sl, s.C))},
      {DNNL_ARG_DIFF_SRC_ITER, mem_at(d.state, at(g.gh0, c.sl, s.H))},
      {DNNL_ARG_DIFF_WEIGHTS_LAYER, mem(d.weights_layer(tag::ldigo), w.dwl)},
      {DNNL_ARG_DIFF_WEIGHTS_ITER, mem(d.weights_iter(tag::ldigo), w.dwi)},
      {DNNL_ARG_DIFF_BIAS, mem(d.bias, w.db)},
      {DNNL_ARG_DIFF_DST_LAYER, mem_at(d.y, at(gy, c.sl, DH))},
      {DNNL_ARG_DIFF_DST_ITER, mem_at(d.state, at(ghy, c.sl, s.H))}};
  if (s.cell == RnnCell::LSTM) {
    args.insert({DNNL_ARG_SRC_ITER_C, mem_at(d.state_c, at(t.c0, c.sl, s.H))});
    args.insert({DNNL_ARG_DST_ITER_C, mem_at(d.state_c, at(t.cy, c.sl, s.H))});
    args.insert({DNNL_ARG_DIFF_SRC_ITER_C, mem_at(d.state_c, at(g.gc0, c.sl, s.H))});
    args.insert({DNNL_ARG_DIFF_DST_ITER_C, mem_at(d.state_c, at(gcy, c.sl, s.H))});
  }
  // Note [Recurrent layers flush subnormals]; a short sequence (a decoder's single step) neither
  // vanishes nor pays for the two OpenMP regions. A half on one thread flushes that thread only.
  const bool flush = s.T >= kFlushFromSteps;
  std::optional<cpu::FlushSubnormalsEverywhere> everywhere;
  if (flush && flush_here) everywhere.emplace();
  const cpu::FlushSubnormalsScope scope(flush && !flush_here);
  execute(c.prim, args);
}

// The two halves' calls; false when oneDNN refuses the strided descriptors.
bool half_calls(const RnnShape& s, bool backward, bool training, Call (&calls)[2]) {
  try {
    ThreadLimit one(true);  // the halves' primitives are planned for, and run on, one thread
    const int64_t n0 = s.N / 2;
    for (int part = 0; part < 2; ++part) {
      RnnShape h = s;
      h.N = part == 0 ? n0 : s.N - n0;
      const Slice sl{part == 0 ? 0 : n0, h.N, s.N};
      calls[part] = Call{h, sl, backward ? backward_prim(h, s.N) : forward_prim(h, training, s.N), nullptr};
    }
  } catch (const dnnl::error&) {
    return false;
  }
  return true;
}

// Bytes per row of a split layer's 2-D state: the larger half's workspace, rounded up to a cache line.
int64_t half_workspace_bytes(const Call (&halves)[2]) {
  const size_t most = std::max(halves[0].prim.workspace.get_size(), halves[1].prim.workspace.get_size());
  return static_cast<int64_t>((most + 63) / 64 * 64);
}

}  // namespace

void rnn_layer_forward(const RnnShape& s, kernels::RnnTensors& t, bool training) {
  Tensor wl = pack_weights(s, t.weights, 0, false), wi = pack_weights(s, t.weights, 1, false);
  Tensor bias = pack_bias(s, t.weights);
  t.y = raw::empty({s.T, s.N, s.D * s.H}, DType::Float32);
  t.hy = raw::empty({s.D, s.N, s.H}, DType::Float32);
  if (s.cell == RnnCell::LSTM) t.cy = raw::empty({s.D, s.N, s.H}, DType::Float32);
  Call halves[2];
  if (s.N >= kSplitFromBatch && cpu::helper_responsive() && half_calls(s, false, training, halves)) {
    // The halves' workspaces as the two rows of a 2-D state: that is how the backward knows.
    if (training) {
      t.state = raw::empty({2, half_workspace_bytes(halves)}, DType::UInt8);
      for (int i = 0; i < 2; ++i)
        halves[i].workspace = static_cast<uint8_t*>(t.state.data_ptr()) + i * t.state.size(1);
    }
    run_halves([&](int i) { run_forward(halves[i], t, wl, wi, bias); });
    return;
  }
  ThreadLimit limit(recurrent_on_one_thread());
  Call whole{s, Slice{0, s.N, s.N}, forward_prim(s, training, 0), nullptr};
  if (training) {
    t.state = raw::empty({static_cast<int64_t>(whole.prim.workspace.get_size())}, DType::UInt8);
    whole.workspace = t.state.data_ptr();
  }
  run_forward(whole, t, wl, wi, bias);
}

kernels::RnnGrads rnn_layer_backward(const RnnShape& s, const kernels::RnnTensors& t, const Tensor& gy,
                                     const Tensor& ghy, const Tensor& gcy) {
  const int64_t GH = gate_count(s.cell) * s.H;
  Tensor wl = pack_weights(s, t.weights, 0, true), wi = pack_weights(s, t.weights, 1, true);
  Tensor bias = pack_bias(s, t.weights);
  kernels::RnnGrads g{raw::empty_like(t.x), raw::empty_like(t.h0), Tensor(), TensorList(t.weights.size())};
  if (s.cell == RnnCell::LSTM) g.gc0 = raw::empty_like(t.c0);
  WeightGrads w(s);
  Call halves[2];
  // The backward splits the batch exactly when the forward did (its state holds two workspaces).
  if (t.state.dim() == 2) {
    NABLA_ASSERT(half_calls(s, true, true, halves), "rnn_layer_backward: no primitive for the batch halves");
    for (int i = 0; i < 2; ++i)
      halves[i].workspace = static_cast<uint8_t*>(t.state.data_ptr()) + i * t.state.size(1);
    WeightGrads w1(s);
    const WeightGrads* ws[2] = {&w, &w1};
    run_halves([&](int i) { run_backward(halves[i], t, wl, wi, bias, g, *ws[i], gy, ghy, gcy, false); });
    w.add(w1);
  } else {
    ThreadLimit limit(recurrent_on_one_thread());
    Call whole{s, Slice{0, s.N, s.N}, backward_prim(s, 0), t.state.data_ptr()};
    run_backward(whole, t, wl, wi, bias, g, w, gy, ghy, gcy, true);
  }
  for (int64_t dir = 0; dir < s.D; ++dir) {
    TensorList gw(t.weights.begin() + 4 * dir, t.weights.begin() + 4 * dir + 4);
    for (Tensor& wt : gw)
      if (wt.defined()) wt = raw::empty_like(wt);
    from_ldigo(gw[0], w.dwl.data_ptr<float>() + dir * s.C * GH, s.cell, s.H);
    from_ldigo(gw[1], w.dwi.data_ptr<float>() + dir * s.H * GH, s.cell, s.H);
    if (s.bias) unpack_bias_grad(s, w.db.data_ptr<float>() + dir * bias_gates(s.cell) * s.H, gw[2], gw[3]);
    std::copy(gw.begin(), gw.end(), g.gweights.begin() + 4 * dir);
  }
  return g;
}

}  // namespace dnnl_backend
}  // namespace nabla
