// conv.cpp — 2-d convolution on oneDNN (float32): forward, backward data, backward weights, with
// primitives cached by geometry. Other dtypes (float64 for gradcheck) use cpu::conv2d_reference_*.
//
// Padding is symmetric (padding_l = padding_r = PyTorch's padding): oneDNN, like PyTorch, floors
// (in + pl + pr - extent) / stride, so the output sizes agree and unused trailing rows just get zero
// gradient. (Describing a cropped input instead makes the strides non-dense, and oneDNN then falls
// back to its reference kernel — 100x slower on ResNet's stride-2 1x1 shortcuts.)
#include "ops/dnnl/engine.h"
#include "ops/kernels.h"
#include "ops/nn_kernels.h"
#include "util/check.h"

namespace nabla {
namespace cpu {
void conv2d_reference_forward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const kernels::ConvGeometry&);
void conv2d_reference_backward_data(const Tensor&, const Tensor&, const Tensor&, const kernels::ConvGeometry&);
void conv2d_reference_backward_weight(const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                                      const kernels::ConvGeometry&);
}  // namespace cpu

namespace dnnl_backend {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct ConvShapes {
  memory::dims src, wei, bias, dst, strides, dilates, pad_l, pad_r;
  std::array<int64_t, 20> key;
};

// Geometry in oneDNN's terms.
ConvShapes conv_shapes(IntArrayRef x, IntArrayRef w, IntArrayRef y, const kernels::ConvGeometry& g) {
  ConvShapes s;
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
  s.key = {x[0], x[1], x[2], x[3], w[0], w[1], w[2], w[3], y[2], y[3], g.stride[0], g.stride[1], g.padding[0],
           g.padding[1], g.dilation[0], g.dilation[1], G, 0, 0, 0};
  return s;
}

// Plain NCHW descriptor of a contiguous tensor (`dims` may differ from `full` only in the batch).
memory::desc nchw(const memory::dims& dims, IntArrayRef full) {
  return memory::desc(dims, dt::f32, memory::dims{full[1] * full[2] * full[3], full[2] * full[3], full[3], 1});
}
memory::desc weights_desc(const ConvShapes& s) {
  return memory::desc(s.wei, dt::f32, s.wei.size() == 4 ? tag::oihw : tag::goihw);
}

dnnl::convolution_forward::primitive_desc forward_pd(const ConvShapes& s, IntArrayRef x, bool bias) {
  auto src = nchw(s.src, x);
  auto dst = memory::desc(s.dst, dt::f32, tag::nchw);
  auto d = bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                                  src, weights_desc(s), memory::desc(s.bias, dt::f32, tag::x), dst,
                                                  s.strides, s.dilates, s.pad_l, s.pad_r)
                : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                                  src, weights_desc(s), dst, s.strides, s.dilates, s.pad_l, s.pad_r);
  return dnnl::convolution_forward::primitive_desc(d, engine());
}

}  // namespace

void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b, const kernels::ConvGeometry& g) {
  static PrimitiveCache<20, dnnl::convolution_forward> cache;
  ConvShapes s = conv_shapes(x.sizes(), w.sizes(), y.sizes(), g);
  s.key[17] = b.defined();
  auto prim = cache.get(s.key, [&] { return dnnl::convolution_forward(forward_pd(s, x.sizes(), b.defined())); });
  memory src(nchw(s.src, x.sizes()), engine(), x.data_ptr()), wei(weights_desc(s), engine(), w.data_ptr());
  memory dst(memory::desc(s.dst, dt::f32, tag::nchw), engine(), y.data_ptr());
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
  if (b.defined()) args.insert({DNNL_ARG_BIAS, memory(memory::desc(s.bias, dt::f32, tag::x), engine(), b.data_ptr())});
  prim.execute(stream(), args);
  stream().wait();
}

void conv2d_backward_data(const Tensor& gx, const Tensor& gy, const Tensor& w, const kernels::ConvGeometry& g) {
  static PrimitiveCache<20, dnnl::convolution_backward_data> cache;
  ConvShapes s = conv_shapes(gx.sizes(), w.sizes(), gy.sizes(), g);
  auto prim = cache.get(s.key, [&] {
    auto d = dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, nchw(s.src, gx.sizes()),
                                                   weights_desc(s), memory::desc(s.dst, dt::f32, tag::nchw), s.strides,
                                                   s.dilates, s.pad_l, s.pad_r);
    return dnnl::convolution_backward_data(
        dnnl::convolution_backward_data::primitive_desc(d, engine(), forward_pd(s, gx.sizes(), false)));
  });
  memory diff_src(nchw(s.src, gx.sizes()), engine(), gx.data_ptr()), wei(weights_desc(s), engine(), w.data_ptr());
  memory diff_dst(memory::desc(s.dst, dt::f32, tag::nchw), engine(), gy.data_ptr());
  prim.execute(stream(), {{DNNL_ARG_DIFF_SRC, diff_src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_DST, diff_dst}});
  stream().wait();
}

void conv2d_backward_weight(const Tensor& gw, const Tensor& gb, const Tensor& gy, const Tensor& x,
                            const kernels::ConvGeometry& g) {
  static PrimitiveCache<20, dnnl::convolution_backward_weights> cache;
  ConvShapes s = conv_shapes(x.sizes(), gw.sizes(), gy.sizes(), g);
  s.key[17] = gb.defined();
  auto prim = cache.get(s.key, [&] {
    auto src = nchw(s.src, x.sizes());
    auto dst = memory::desc(s.dst, dt::f32, tag::nchw);
    auto d = gb.defined()
                 ? dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, src, weights_desc(s),
                                                            memory::desc(s.bias, dt::f32, tag::x), dst, s.strides,
                                                            s.dilates, s.pad_l, s.pad_r)
                 : dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, src, weights_desc(s),
                                                            dst, s.strides, s.dilates, s.pad_l, s.pad_r);
    return dnnl::convolution_backward_weights(
        dnnl::convolution_backward_weights::primitive_desc(d, engine(), forward_pd(s, x.sizes(), gb.defined())));
  });
  memory src(nchw(s.src, x.sizes()), engine(), x.data_ptr()), diff_wei(weights_desc(s), engine(), gw.data_ptr());
  memory diff_dst(memory::desc(s.dst, dt::f32, tag::nchw), engine(), gy.data_ptr());
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_WEIGHTS, diff_wei}, {DNNL_ARG_DIFF_DST, diff_dst}};
  if (gb.defined())
    args.insert({DNNL_ARG_DIFF_BIAS, memory(memory::desc(s.bias, dt::f32, tag::x), engine(), gb.data_ptr())});
  prim.execute(stream(), args);
  stream().wait();
}

}  // namespace dnnl_backend

namespace kernels {
void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b, const ConvGeometry& g) {
  if (x.dtype() == DType::Float32) return dnnl_backend::conv2d_forward(y, x, w, b, g);
  cpu::conv2d_reference_forward(y, x, w, b, g);
}
void conv2d_backward_data(const Tensor& gx, const Tensor& gy, const Tensor& w, const ConvGeometry& g) {
  if (gx.dtype() == DType::Float32) return dnnl_backend::conv2d_backward_data(gx, gy, w, g);
  cpu::conv2d_reference_backward_data(gx, gy, w, g);
}
void conv2d_backward_weight(const Tensor& gw, const Tensor& gb, const Tensor& gy, const Tensor& x, const ConvGeometry& g) {
  if (gw.dtype() == DType::Float32) return dnnl_backend::conv2d_backward_weight(gw, gb, gy, x, g);
  cpu::conv2d_reference_backward_weight(gw, gb, gy, x, g);
}
}  // namespace kernels
}  // namespace nabla
