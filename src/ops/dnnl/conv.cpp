// conv.cpp — 2-d convolution on oneDNN (float32): forward, backward data, backward weights, with
// primitives cached by geometry. Other dtypes (float64 for gradcheck) use cpu::conv2d_reference_*.
//
// Padding is symmetric (padding_l = padding_r = PyTorch's padding): oneDNN, like PyTorch, floors
// (in + pl + pr - extent) / stride, so the output sizes agree and unused trailing rows just get zero
// gradient. (Describing a cropped input instead makes the strides non-dense, and oneDNN then falls
// back to its reference kernel — 100x slower on ResNet's stride-2 1x1 shortcuts.)
#include <optional>
#include <unordered_map>

#include "ops/dnnl/dnnl_kernels.h"
#include "ops/dnnl/engine.h"
#include "tensor/raw.h"
#include "util/check.h"

namespace nabla {
namespace dnnl_backend {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct ConvShapes {
  memory::dims src, wei, bias, dst, strides, dilates, pad_l, pad_r;
  tag activations = tag::any;  // layout asked for src/dst (and their gradients)
  std::array<int64_t, 20> key;
};

// Geometry in oneDNN's terms.
// `channels_last`: the activations already are NHWC, so ask for NHWC (no reorders) instead of "any".
ConvShapes conv_shapes(IntArrayRef x, IntArrayRef w, IntArrayRef y, const kernels::ConvGeometry& g,
                       bool channels_last) {
  ConvShapes s;
  s.activations = channels_last ? tag::nhwc : tag::any;
  const int64_t G = g.groups;
  for (int i = 0; i < 2; ++i) {
    s.pad_l.push_back(g.padding[i]);
    s.pad_r.push_back(g.padding[i]);
    s.strides.push_back(g.stride[i]);
    s.dilates.push_back(g.dilation[i] - 1);
  }
  s.src = {x[0], x[1], x[2], x[3]};
  s.wei = G == 1 ? memory::dims{w[0], w[1], w[2], w[3]} : memory::dims{G, w[0] / G, w[1], w[2], w[3]};
  s.bias = {w[0]};
  s.dst = {y[0], y[1], y[2], y[3]};
  s.key = {x[0],
           x[1],
           x[2],
           x[3],
           w[0],
           w[1],
           w[2],
           w[3],
           y[2],
           y[3],
           g.stride[0],
           g.stride[1],
           g.padding[0],
           g.padding[1],
           g.dilation[0],
           g.dilation[1],
           G,
           0,
           channels_last,
           0};
  return s;
}

// Plain NCHW activations are left to oneDNN ("any"): it then picks its direct AVX-512 kernels with
// blocked layouts (nChw16c; plain NCHW input for few channels), 3-4x faster than im2col+gemm on
// NCHW, and the reorders at the edges cost far less than that. (Forcing NHWC on them sends 1-channel
// inputs to the reference kernel, 1000x slower.) Channels-last activations ask for NHWC: no reorders.
memory::desc act(const ConvShapes& s, const memory::dims& dims) {
  return memory::desc(dims, dt::f32, s.activations);
}
memory::desc any_weights(const ConvShapes& s) { return memory::desc(s.wei, dt::f32, tag::any); }
memory::desc bias_desc(const ConvShapes& s) { return memory::desc(s.bias, dt::f32, tag::x); }

// The user's weights as oneDNN dims (grouped convolutions add a leading G).
Tensor weights_view(const Tensor& w, const ConvShapes& s) {
  return s.wei.size() == 4 ? w : w.view(IntArrayRef(s.wei.data(), s.wei.size()));
}

dnnl::convolution_forward::primitive_desc forward_pd(const ConvShapes& s, bool bias) {
  auto d = bias ? dnnl::convolution_forward::desc(
                      dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, act(s, s.src),
                      any_weights(s), bias_desc(s), act(s, s.dst), s.strides, s.dilates, s.pad_l, s.pad_r)
                : dnnl::convolution_forward::desc(
                      dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, act(s, s.src),
                      any_weights(s), act(s, s.dst), s.strides, s.dilates, s.pad_l, s.pad_r);
  return dnnl::convolution_forward::primitive_desc(d, engine());
}

using Dir = Staged::Dir;

}  // namespace

void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b,
                    const kernels::ConvGeometry& g) {
  static PrimitiveCache<20, WithPd<dnnl::convolution_forward>> cache;
  ConvShapes s = conv_shapes(x.sizes(), w.sizes(), y.sizes(), g, raw::is_strictly_channels_last(x));
  s.key[17] = b.defined();
  auto [pd, prim] =
      cache.get(s.key, [&] { return WithPd<dnnl::convolution_forward>(forward_pd(s, b.defined())); });
  Staged src(x, pd.src_desc(), Dir::In), wei(weights_view(w, s), pd.weights_desc(), Dir::In);
  Staged dst(y, pd.dst_desc(), Dir::Out);
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, src.mem()}, {DNNL_ARG_WEIGHTS, wei.mem()}, {DNNL_ARG_DST, dst.mem()}};
  if (b.defined()) args.insert({DNNL_ARG_BIAS, memory(bias_desc(s), engine(), b.data_ptr())});
  prim.execute(stream(), args);
  stream().wait();
  dst.finish();
}

namespace {

// The gradient of the output staged into a primitive's layout, shared by the data and weight passes
// of one backward (one reorder instead of two).
class StagedGrad {
 public:
  explicit StagedGrad(const Tensor& gy) : gy_(gy) {}
  const memory& in(const memory::desc& want) {
    if (!staged_ || staged_->mem().get_desc() != want) staged_.emplace(gy_, want, Dir::In);
    return staged_->mem();
  }
  IntArrayRef gy_sizes() const { return gy_.sizes(); }
  bool channels_last() const { return raw::is_strictly_channels_last(gy_); }

 private:
  Tensor gy_;
  std::optional<Staged> staged_;
};

void backward_data(const Tensor& gx, StagedGrad& gy, const Tensor& w, const kernels::ConvGeometry& g) {
  static PrimitiveCache<20, WithPd<dnnl::convolution_backward_data>> cache;
  ConvShapes s = conv_shapes(gx.sizes(), w.sizes(), gy.gy_sizes(), g, gy.channels_last());
  auto [pd, prim] = cache.get(s.key, [&] {
    auto d = dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, act(s, s.src),
                                                   any_weights(s), act(s, s.dst), s.strides, s.dilates,
                                                   s.pad_l, s.pad_r);
    return WithPd<dnnl::convolution_backward_data>(
        dnnl::convolution_backward_data::primitive_desc(d, engine(), forward_pd(s, false)));
  });
  Staged wei(weights_view(w, s), pd.weights_desc(), Dir::In), diff_src(gx, pd.diff_src_desc(), Dir::Out);
  prim.execute(stream(), {{DNNL_ARG_DIFF_SRC, diff_src.mem()},
                          {DNNL_ARG_WEIGHTS, wei.mem()},
                          {DNNL_ARG_DIFF_DST, gy.in(pd.diff_dst_desc())}});
  stream().wait();
  diff_src.finish();
}

void backward_weight(const Tensor& gw, const Tensor& gb, StagedGrad& gy, const Tensor& x,
                     const kernels::ConvGeometry& g) {
  static PrimitiveCache<20, WithPd<dnnl::convolution_backward_weights>> cache;
  ConvShapes s = conv_shapes(x.sizes(), gw.sizes(), gy.gy_sizes(), g, gy.channels_last());
  s.key[17] = gb.defined();
  auto [pd, prim] = cache.get(s.key, [&] {
    auto d = gb.defined() ? dnnl::convolution_backward_weights::desc(
                                dnnl::algorithm::convolution_direct, act(s, s.src), any_weights(s),
                                bias_desc(s), act(s, s.dst), s.strides, s.dilates, s.pad_l, s.pad_r)
                          : dnnl::convolution_backward_weights::desc(
                                dnnl::algorithm::convolution_direct, act(s, s.src), any_weights(s),
                                act(s, s.dst), s.strides, s.dilates, s.pad_l, s.pad_r);
    return WithPd<dnnl::convolution_backward_weights>(
        dnnl::convolution_backward_weights::primitive_desc(d, engine(), forward_pd(s, gb.defined())));
  });
  Staged src(x, pd.src_desc(), Dir::In), diff_wei(weights_view(gw, s), pd.diff_weights_desc(), Dir::Out);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src.mem()},
                                          {DNNL_ARG_DIFF_WEIGHTS, diff_wei.mem()},
                                          {DNNL_ARG_DIFF_DST, gy.in(pd.diff_dst_desc())}};
  if (gb.defined()) args.insert({DNNL_ARG_DIFF_BIAS, memory(bias_desc(s), engine(), gb.data_ptr())});
  prim.execute(stream(), args);
  stream().wait();
  diff_wei.finish();
}

}  // namespace

void conv2d_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gy, const Tensor& x,
                     const Tensor& w, const kernels::ConvGeometry& g) {
  StagedGrad staged(gy);
  if (gx.defined()) backward_data(gx, staged, w, g);
  if (gw.defined()) backward_weight(gw, gb, staged, x, g);
}

}  // namespace dnnl_backend
}  // namespace nabla
