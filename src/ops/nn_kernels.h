// nn_kernels.h — backend-neutral entry points for the nn layers' heavy ops (routed in
// ops/nn_dispatch.cpp). Layout NCHW (conv1d is conv2d with H = 1), weights [O, I/groups, KH, KW].
// Convolution tensors are contiguous (float32 activations may also be channels-last, and the results
// then are too), dtypes equal; pooling takes any layout and picks the result's (Note [Pooling keeps
// channels-last]).
#pragma once
#include <cstdint>

#include "nabla/tensor/tensor.h"

namespace nabla::kernels {

struct ConvGeometry {
  int64_t stride[2] = {1, 1};
  int64_t padding[2] = {0, 0};
  int64_t dilation[2] = {1, 1};
  int64_t groups = 1;
};
// The layout conv2d_forward reads x (and writes y) in: channels-last stays channels-last where the
// kernel runs on it without conversions (float32), like PyTorch; otherwise contiguous NCHW.
MemoryFormat conv2d_input_format(const Tensor& x);
// y[N, O, OH, OW] = conv(x[N, C, H, W], w[O, C/g, KH, KW]) + b[O] (b may be undefined).
void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b,
                    const ConvGeometry& g);
// gx = d(conv)/dx applied to gy; gx arrives allocated with x's shape.
void conv2d_backward_data(const Tensor& gx, const Tensor& gy, const Tensor& w, const ConvGeometry& g);
// gw (and gb if defined) from gy and x.
void conv2d_backward_weight(const Tensor& gw, const Tensor& gb, const Tensor& gy, const Tensor& x,
                            const ConvGeometry& g);
// Both of the above in one call (each part skipped when its output is undefined); shares the staging
// of gy between the two passes.
void conv2d_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gy, const Tensor& x,
                     const Tensor& w, const ConvGeometry& g);

struct PoolGeometry {
  int64_t kernel[2] = {1, 1};
  int64_t stride[2] = {1, 1};
  int64_t padding[2] = {0, 0};
  int64_t dilation[2] = {1, 1};
};

// Note [Pooling's saved state]
// Max pooling's backward needs the argmax of each window; which form it is kept in (PyTorch's int64
// indices, or a backend's compact record) is the kernels' business. `state` is a tensor so that
// autograd saves (and frees) it like any other saved tensor; everything else is plain data that a
// backward closure may capture. The layout of y and gx (channels-last kept or not, Note [Pooling
// keeps channels-last]) is the kernels' choice too.
struct MaxPoolInfo {
  PoolGeometry g;
  DimVec x_sizes;  // [N, C, H, W]
  MemoryFormat x_format = MemoryFormat::Contiguous;
  bool compact = false;  // state is a backend's record, not indices
};
struct MaxPoolSaved {
  Tensor state;
  MaxPoolInfo info;
};
struct MaxPoolResult {
  Tensor y, indices;  // indices only when asked for: int64, contiguous, flat positions in each H*W plane
  MaxPoolSaved saved;
};
// y [N, C, OH, OW] = max over each window of x [N, C, H, W] (floating, any layout).
MaxPoolResult max_pool2d_forward(const Tensor& x, IntArrayRef y_shape, const PoolGeometry& g,
                                 bool want_indices);
// gx [N, C, H, W] from gy [N, C, OH, OW].
Tensor max_pool2d_backward(const Tensor& gy, const MaxPoolSaved& s);
// The indices [N, C, OH, OW] that max_pool2d_forward returns when asked, from its saved state.
Tensor max_pool2d_indices(const MaxPoolSaved& s, IntArrayRef y_shape);

// Average pooling with PyTorch's divisor (the window clipped to the padded input when
// count_include_pad, else to the input). Not every case has a kernel: y comes back undefined and
// the caller composes the pooling from differentiable ops. The backward is linear in gy.
struct AvgPoolSaved {
  PoolGeometry g;
  DimVec x_sizes;
  MemoryFormat x_format = MemoryFormat::Contiguous;
  bool divide_by_window = false;  // the kernel's divisor: the whole window, or its part inside x
};
struct AvgPoolResult {
  Tensor y;
  AvgPoolSaved saved;
};
AvgPoolResult avg_pool2d_forward(const Tensor& x, IntArrayRef y_shape, const PoolGeometry& g,
                                 bool count_include_pad);
Tensor avg_pool2d_backward(const Tensor& gy, const AvgPoolSaved& s);

// ---- interpolation (F.interpolate, nn.Upsample, data::Resize) ----
// Separable over the spatial dims: each output index along a dim reads a few input indices with
// weights (its "taps": 1 nearest, 2 linear, 4 cubic), computed in PyTorch's arithmetic (float for
// float32 data, double for float64; nearest always in float). The backward scatters gy through the
// same taps, so forward and backward are exact transposes.
enum class InterpMode : int8_t { Nearest, NearestExact, Linear, Cubic };
struct InterpGeometry {
  InterpMode mode = InterpMode::Nearest;
  bool align_corners = false;  // linear and cubic only
  int spatial = 2;             // 1: [N, C, W]; 2: [N, C, H, W]
  double scales[2] = {0, 0};   // the scale_factor PyTorch passes on (per spatial dim), 0: none (in/out)
};
// y [N, C, (OH,) OW] = interpolation of x [N, C, (H,) W]; same floating dtype, any layout.
void interpolate_forward(const Tensor& y, const Tensor& x, const InterpGeometry& g);
// gx [N, C, (H,) W] (filled here) from gy [N, C, (OH,) OW].
void interpolate_backward(const Tensor& gx, const Tensor& gy, const InterpGeometry& g);

}  // namespace nabla::kernels
