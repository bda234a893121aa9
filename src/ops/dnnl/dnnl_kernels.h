// dnnl_kernels.h — the oneDNN backend (float32), as the dispatchers in src/ops/*dispatch.cpp call it.
// Contracts are those of the backend-neutral entry points of the same name unless said otherwise;
// which cases reach these (dtype, layout, NaN, dilation) is the dispatchers' business.
#pragma once
#include "ops/nn_kernels.h"
#include "ops/norm_kernels.h"
#include "ops/rnn_kernels.h"

namespace nabla::dnnl_backend {

// Called from a catch (...) block: rethrows a dnnl::error or std::bad_alloc as the nabla Error naming
// `op` (no third-party exception leaves the public API); anything else is rethrown as is.
[[noreturn]] void rethrow_as_nabla_error(const char* op);

// f() with oneDNN's exceptions turned into nabla errors naming `op`.
template <typename F>
decltype(auto) guarded(const char* op, F&& f) {
  try {
    return f();
  } catch (...) {
    rethrow_as_nabla_error(op);
  }
}

void matmul(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& bias);  // dnnl/matmul.cpp
void linear(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias);

// Convolution (dnnl/conv.cpp); each part of the backward skipped when its output is undefined.
void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b,
                    const kernels::ConvGeometry& g);
void conv2d_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gy, const Tensor& x,
                     const Tensor& w, const kernels::ConvGeometry& g);

// Pooling (dnnl/pool.cpp): x[N, C, H, W] and y[N, C, OH, OW] (gx and gy) both contiguous, or both
// channels-last when x (gx) is.
// Max pooling keeps its argmax in oneDNN's workspace (a uint8 tensor, returned) instead of indices.
// Returns an undefined tensor, leaving y unwritten, when x holds NaN or -inf, which oneDNN pools
// unlike PyTorch (Note [oneDNN max pooling vs PyTorch]).
Tensor max_pool2d_forward(const Tensor& y, const Tensor& x, const kernels::PoolGeometry& g);
// indices [N, C, OH, OW] (contiguous, PyTorch's convention) decoded from the workspace of an input of
// x_sizes in x_format.
void max_pool2d_workspace_indices(const Tensor& indices, const Tensor& workspace, IntArrayRef x_sizes,
                                  MemoryFormat x_format, const kernels::PoolGeometry& g);
void max_pool2d_backward(const Tensor& gx, const Tensor& gy, const Tensor& workspace,
                         const kernels::PoolGeometry& g);
// Divides by the whole window, padding included (count_include_pad), or by its elements inside x; a
// ceil_mode window hanging past the padding is clipped by neither.
void avg_pool2d_forward(const Tensor& y, const Tensor& x, const kernels::PoolGeometry& g,
                        bool count_include_pad);
void avg_pool2d_backward(const Tensor& gx, const Tensor& gy, const kernels::PoolGeometry& g,
                         bool count_include_pad);

// Batch norm (dnnl/batch_norm.cpp), on the calling thread. Training writes mean and biased variance.
void batch_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& var, const Tensor& x,
                        const Tensor& weight, const Tensor& bias, double eps, bool training);
void batch_norm_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gy,
                         const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& weight,
                         const Tensor& bias, double eps);

// One recurrent layer (dnnl/rnn.cpp, Note [oneDNN RNN layouts]); t.state is oneDNN's workspace.
void rnn_layer_forward(const kernels::RnnShape& s, kernels::RnnTensors& t, bool training);
kernels::RnnGrads rnn_layer_backward(const kernels::RnnShape& s, const kernels::RnnTensors& t,
                                     const Tensor& gy, const Tensor& ghy, const Tensor& gcy);

}  // namespace nabla::dnnl_backend
