// nn_kernels.h — backend-neutral entry points for the nn layers' heavy ops. Layout NCHW (conv1d is
// conv2d with H = 1), weights [O, I/groups, KH, KW]; all tensors contiguous (float32 activations may
// also be channels-last, and the results then are too), dtypes equal.
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
// y[N, O, OH, OW] = conv(x[N, C, H, W], w[O, C/g, KH, KW]) + b[O] (b may be undefined).
void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b, const ConvGeometry& g);
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
// y, indices [N, C, OH, OW]; indices are flat positions within each H*W plane (PyTorch's convention).
void max_pool2d_forward(const Tensor& y, const Tensor& indices, const Tensor& x, const PoolGeometry& g);
void max_pool2d_backward(const Tensor& gx, const Tensor& gy, const Tensor& indices);  // gx zero-filled here

// Pooling on oneDNN (see src/ops/dnnl/pool.cpp): float32; x[N, C, H, W] and y[N, C, OH, OW] (gx and
// gy) both contiguous, or both channels-last when x (gx) is.
// Max pooling keeps its argmax in an opaque workspace (a uint8 tensor) instead of indices. Returns an
// undefined tensor, leaving y unwritten, when x holds NaN or -inf, which oneDNN pools unlike PyTorch
// (Note [oneDNN max pooling vs PyTorch]): use max_pool2d_forward then.
Tensor max_pool2d_forward_workspace(const Tensor& y, const Tensor& x, const PoolGeometry& g);
// indices [N, C, OH, OW] (contiguous) as max_pool2d_forward writes them, decoded from the workspace of
// an input of x_sizes in x_format.
void max_pool2d_workspace_indices(const Tensor& indices, const Tensor& workspace, IntArrayRef x_sizes,
                                  MemoryFormat x_format, const PoolGeometry& g);
void max_pool2d_backward_workspace(const Tensor& gx, const Tensor& gy, const Tensor& workspace, const PoolGeometry& g);
// Divides by the whole window, padding included (count_include_pad), or by its elements inside x; a
// ceil_mode window hanging past the padding is clipped by neither (the caller routes that case elsewhere).
void avg_pool2d_forward(const Tensor& y, const Tensor& x, const PoolGeometry& g, bool count_include_pad);
void avg_pool2d_backward(const Tensor& gx, const Tensor& gy, const PoolGeometry& g, bool count_include_pad);

}  // namespace nabla::kernels
