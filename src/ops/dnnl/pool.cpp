// pool.cpp — 2-d max and average pooling on oneDNN (float32, NCHW or NHWC), forward and backward,
// with primitives cached by geometry. ops/nn_dispatch.cpp decides when these apply; float64
// (gradcheck), dilated max pooling (oneDNN has only a slow reference kernel for it) and the inputs of
// the Note below keep cpu/conv_pool.cpp's max pooling, and the composite average.
//
// Note [oneDNN max pooling vs PyTorch]
// Both keep the first maximum in window order (oneDNN replaces only on a strictly greater value), so
// outputs, gradients and the indices decoded from the workspace agree, ties included. They differ on
// non-finite inputs: oneDNN skips NaN (PyTorch propagates it) and gives -FLT_MAX for a window of
// -inf (PyTorch: -inf). So an input holding NaN or -inf is refused, found by one vectorised scan.
//
// The tensors are described as they lie, plain NCHW or channels-last NHWC (x's layout decides):
// oneDNN's jit kernels take either directly. For NCHW that measured as fast as or faster than
// reordering to nChw16c or NHWC and back around the pooling.
#include <atomic>
#include <limits>
#include <unordered_map>
#include <vector>

#include "ops/cpu/loops.h"
#include "ops/dnnl/dnnl_kernels.h"
#include "ops/dnnl/engine.h"
#include "tensor/raw.h"
#include "util/check.h"

namespace nabla::dnnl_backend {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;
using Geometry = kernels::PoolGeometry;

struct PoolShapes {
  memory::dims src, dst, kernel, strides, dilation, pad_l, pad_r;
  tag layout;
  std::array<int64_t, 16> key;
};

// Geometry in oneDNN's terms for x[N, C, H, W] -> y[N, C, OH, OW], in memory format f.
PoolShapes pool_shapes(IntArrayRef x, IntArrayRef y, const Geometry& g, dnnl::algorithm alg, MemoryFormat f) {
  PoolShapes s;
  s.layout = f == MemoryFormat::ChannelsLast ? tag::nhwc : tag::nchw;
  s.src = {x[0], x[1], x[2], x[3]};
  s.dst = {y[0], y[1], y[2], y[3]};
  for (int i = 0; i < 2; ++i) {
    const int64_t extent = (g.kernel[i] - 1) * g.dilation[i] + 1;
    s.kernel.push_back(g.kernel[i]);
    s.strides.push_back(g.stride[i]);
    s.dilation.push_back(g.dilation[i] - 1);
    s.pad_l.push_back(g.padding[i]);
    // oneDNN floors like PyTorch; a ceil_mode window hanging over the far edge becomes extra padding.
    s.pad_r.push_back(
        std::max(g.padding[i], (y[2 + i] - 1) * g.stride[i] + extent - x[2 + i] - g.padding[i]));
  }
  s.key = {x[0],
           x[1],
           x[2],
           x[3],
           y[2],
           y[3],
           g.kernel[0],
           g.kernel[1],
           g.stride[0],
           g.stride[1],
           g.padding[0],
           g.padding[1],
           g.dilation[0],
           g.dilation[1],
           static_cast<int64_t>(alg),
           static_cast<int64_t>(f)};
  return s;
}

memory::desc desc(const memory::dims& dims, const PoolShapes& s) {
  return memory::desc(dims, dt::f32, s.layout);
}

// The operands are wrapped as they are, so each must already be dense in the chosen layout.
void check_layout(const Tensor& t, MemoryFormat f) {
  NABLA_ASSERT(t.is_contiguous(f), "pooling: operand {} is not dense in the layout of the input",
               shape_str(t.sizes()));
}

using Forward = WithPd<dnnl::pooling_v2_forward>;
using Backward = WithPd<dnnl::pooling_v2_backward>;

// forward_training: for max pooling it also writes the workspace (argmax per output) backward needs.
Forward forward(const PoolShapes& s, dnnl::algorithm alg) {
  static PrimitiveCache<16, Forward> cache;
  return cache.get(s.key, [&] {
    dnnl::pooling_v2_forward::desc d(dnnl::prop_kind::forward_training, alg, desc(s.src, s), desc(s.dst, s),
                                     s.strides, s.kernel, s.dilation, s.pad_l, s.pad_r);
    return Forward(dnnl::pooling_v2_forward::primitive_desc(d, engine()));
  });
}

Backward backward(const PoolShapes& s, dnnl::algorithm alg) {
  static PrimitiveCache<16, Backward> cache;
  return cache.get(s.key, [&] {
    dnnl::pooling_v2_backward::desc d(alg, desc(s.src, s), desc(s.dst, s), s.strides, s.kernel, s.dilation,
                                      s.pad_l, s.pad_r);
    return Backward(dnnl::pooling_v2_backward::primitive_desc(d, engine(), forward(s, alg).pd));
  });
}

void run_forward(const Tensor& y, const Tensor& x, const PoolShapes& s, dnnl::algorithm alg,
                 const Tensor& ws) {
  check_layout(x, raw::memory_format_of(x));
  check_layout(y, raw::memory_format_of(x));
  auto [pd, prim] = forward(s, alg);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, memory(pd.src_desc(), engine(), x.data_ptr())},
                                          {DNNL_ARG_DST, memory(pd.dst_desc(), engine(), y.data_ptr())}};
  if (ws.defined()) args.insert({DNNL_ARG_WORKSPACE, memory(pd.workspace_desc(), engine(), ws.data_ptr())});
  prim.execute(stream(), args);
  stream().wait();
}

void run_backward(const Tensor& gx, const Tensor& gy, const PoolShapes& s, dnnl::algorithm alg,
                  const Tensor& ws) {
  check_layout(gx, raw::memory_format_of(gx));
  check_layout(gy, raw::memory_format_of(gx));
  auto [pd, prim] = backward(s, alg);
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_DIFF_DST, memory(pd.diff_dst_desc(), engine(), gy.data_ptr())},
      {DNNL_ARG_DIFF_SRC, memory(pd.diff_src_desc(), engine(), gx.data_ptr())}};
  if (ws.defined()) {
    NABLA_ASSERT(static_cast<size_t>(ws.numel()) == pd.workspace_desc().get_size(),
                 "max_pool2d: workspace size");
    args.insert({DNNL_ARG_WORKSPACE, memory(pd.workspace_desc(), engine(), ws.data_ptr())});
  }
  prim.execute(stream(), args);
  stream().wait();
}

// True when some element is NaN or -inf (both fail x > -inf): the inputs oneDNN's max pooling treats
// unlike PyTorch. A plain branch-free loop, which the compiler vectorises.
bool has_nan_or_neg_inf(const float* x, int64_t n) {
  int bad = 0;
  for (int64_t i = 0; i < n; ++i) bad |= !(x[i] > -std::numeric_limits<float>::infinity());
  return bad != 0;
}

bool has_nan_or_neg_inf(const Tensor& x) {
  check_layout(x, raw::memory_format_of(x));  // dense: its numel() elements follow data_ptr()
  const float* X = x.data_ptr<float>();
  std::atomic<bool> found{false};
  cpu::parallel_for(x.numel(), 1, [&](int64_t i0, int64_t i1) {
    if (has_nan_or_neg_inf(X + i0, i1 - i0)) found = true;
  });
  return found;
}

dnnl::algorithm avg_algorithm(bool count_include_pad) {
  return count_include_pad ? dnnl::algorithm::pooling_avg_include_padding
                           : dnnl::algorithm::pooling_avg_exclude_padding;
}

}  // namespace

Tensor max_pool2d_forward(const Tensor& y, const Tensor& x, const kernels::PoolGeometry& g) {
  if (has_nan_or_neg_inf(x)) return Tensor();
  constexpr auto alg = dnnl::algorithm::pooling_max;
  const PoolShapes s = pool_shapes(x.sizes(), y.sizes(), g, alg, raw::memory_format_of(x));
  const size_t bytes = forward(s, alg).pd.workspace_desc().get_size();
  Tensor ws = raw::empty({static_cast<int64_t>(bytes)}, DType::UInt8);
  run_forward(y, x, s, alg, ws);
  return ws;
}

// The workspace holds, per output, the window position ky * KW + kx of its maximum (uint8, or int32
// for windows of 256 or more), laid out like the output.
void max_pool2d_workspace_indices(const Tensor& indices, const Tensor& workspace, IntArrayRef x_sizes,
                                  MemoryFormat x_format, const kernels::PoolGeometry& g) {
  const PoolShapes s = pool_shapes(x_sizes, indices.sizes(), g, dnnl::algorithm::pooling_max, x_format);
  const memory::desc have = forward(s, dnnl::algorithm::pooling_max).pd.workspace_desc();
  const memory::desc want(s.dst, have.data_type(), tag::nchw);
  Tensor ws = workspace;
  if (have != want) {  // channels-last (or a layout of oneDNN's choosing): into the indices' NCHW
    ws = raw::empty({static_cast<int64_t>(want.get_size())}, DType::UInt8);
    reorder(have, workspace.data_ptr(), want, ws.data_ptr());
  }
  // Offset of each window position from the window's origin, so decoding needs no division.
  const int64_t W = x_sizes[3], OH = indices.size(2), OW = indices.size(3);
  std::vector<int64_t> offset;
  for (int64_t ky = 0; ky < g.kernel[0]; ++ky)
    for (int64_t kx = 0; kx < g.kernel[1]; ++kx)
      offset.push_back(ky * g.dilation[0] * W + kx * g.dilation[1]);
  const int64_t planes = indices.size(0) * indices.size(1);
  int64_t* I = indices.data_ptr<int64_t>();
  auto decode = [&]<typename T>(const T* pos) {
    cpu::parallel_for(planes, OH * OW, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p)
        for (int64_t oy = 0; oy < OH; ++oy)
          for (int64_t ox = 0; ox < OW; ++ox) {
            const int64_t i = (p * OH + oy) * OW + ox;
            I[i] = (oy * g.stride[0] - g.padding[0]) * W + ox * g.stride[1] - g.padding[1] + offset[pos[i]];
          }
    });
  };
  if (want.data_type() == dt::u8) {
    decode(static_cast<const uint8_t*>(ws.data_ptr()));
  } else {
    NABLA_ASSERT(want.data_type() == dt::s32, "max_pool2d: unexpected workspace data type");
    decode(static_cast<const int32_t*>(ws.data_ptr()));
  }
}

void max_pool2d_backward(const Tensor& gx, const Tensor& gy, const Tensor& workspace,
                         const kernels::PoolGeometry& g) {
  constexpr auto alg = dnnl::algorithm::pooling_max;
  run_backward(gx, gy, pool_shapes(gx.sizes(), gy.sizes(), g, alg, raw::memory_format_of(gx)), alg,
               workspace);
}

void avg_pool2d_forward(const Tensor& y, const Tensor& x, const kernels::PoolGeometry& g,
                        bool count_include_pad) {
  const dnnl::algorithm alg = avg_algorithm(count_include_pad);
  run_forward(y, x, pool_shapes(x.sizes(), y.sizes(), g, alg, raw::memory_format_of(x)), alg, Tensor());
}

void avg_pool2d_backward(const Tensor& gx, const Tensor& gy, const kernels::PoolGeometry& g,
                         bool count_include_pad) {
  const dnnl::algorithm alg = avg_algorithm(count_include_pad);
  run_backward(gx, gy, pool_shapes(gx.sizes(), gy.sizes(), g, alg, raw::memory_format_of(gx)), alg, Tensor());
}

}  // namespace nabla::dnnl_backend
