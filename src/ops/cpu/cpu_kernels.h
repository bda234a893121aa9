// cpu_kernels.h — nabla's own CPU kernels (OpenMP loops), as the dispatchers in src/ops/*dispatch.cpp
// call them. Contracts are those of the backend-neutral entry points of the same name
// (ops/kernels.h, nn_kernels.h, norm_kernels.h, optim_kernels.h); op definitions never call these.
#pragma once
#include <cstdint>

#include "ops/cpu/batch_norm_loops.h"
#include "ops/kernels.h"
#include "ops/nn_kernels.h"
#include "ops/optim_kernels.h"

namespace nabla::cpu {

// Elementwise, reductions, indexing (cpu/elementwise.cpp, reduce.cpp, index.cpp).
void binary(kernels::Binary op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha);
// The same for float32 operands of at most 16 elements laid out alike (flat_walkable), and alpha 1:
// returns false (and does nothing) for anything else.
bool binary_small_float(kernels::Binary op, const Tensor& out, const Tensor& a, const Tensor& b,
                        double alpha);
void unary(kernels::Unary op, const Tensor& out, const Tensor& x, const kernels::UnaryArgs& args);
void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
void copy(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, Scalar value);
void reduce(kernels::Reduce op, const Tensor& out, const Tensor& x);
void arg_reduce(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim);
void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log);
void logsumexp(const Tensor& out, const Tensor& x, int64_t dim);
void cumsum(const Tensor& out, const Tensor& x, int64_t dim);
void cumprod(const Tensor& out, const Tensor& x, int64_t dim);
void sort(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool descending,
          int64_t k);
void searchsorted(const Tensor& out, const Tensor& sorted, const Tensor& values, bool right);
void index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index);
void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src);
void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index);
void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate);
void masked_select(const Tensor& out, const Tensor& x, const Tensor& mask);
void masked_scatter(const Tensor& out, const Tensor& mask, const Tensor& src);
int64_t count_nonzero(const Tensor& x);
void nonzero(const Tensor& out, const Tensor& x);

// Direct-loop convolution for dtypes oneDNN lacks (float64), and max pooling with PyTorch's indices
// (any floating dtype; NaN and -inf as PyTorch pools them) (cpu/conv_pool.cpp). NCHW, contiguous.
void conv2d_reference_forward(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b,
                              const kernels::ConvGeometry& g);
void conv2d_reference_backward_data(const Tensor& gx, const Tensor& gy, const Tensor& w,
                                    const kernels::ConvGeometry& g);
void conv2d_reference_backward_weight(const Tensor& gw, const Tensor& gb, const Tensor& gy, const Tensor& x,
                                      const kernels::ConvGeometry& g);
// y, indices [N, C, OH, OW]; indices are flat positions within each H*W plane.
void max_pool2d_forward(const Tensor& y, const Tensor& indices, const Tensor& x,
                        const kernels::PoolGeometry& g);
void max_pool2d_backward(const Tensor& gx, const Tensor& gy, const Tensor& indices);  // gx zero-filled here

// F.interpolate's nearest/linear/cubic loops (cpu/upsample.cpp); y and gx contiguous, gx filled here.
void interpolate_forward(const Tensor& y, const Tensor& x, const kernels::InterpGeometry& g);
void interpolate_backward(const Tensor& gx, const Tensor& gy, const kernels::InterpGeometry& g);

// Fused optimizer steps and gradient-clipping helpers (cpu/optim_kernels.cpp).
void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& buf, const kernels::SgdArgs& args);
void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const Tensor& max_exp_avg_sq, const kernels::AdamArgs& args);
void rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                  const Tensor& momentum_buf, const kernels::RmspropArgs& args);
void adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& state_sum,
                  const kernels::AdagradArgs& args);
double vector_norm(const Tensor& x, double p);
void scale_(const Tensor& x, double factor);

}  // namespace nabla::cpu
