// conv_pool.cpp — direct-loop 2-d convolution for dtypes oneDNN lacks (float64: gradcheck) and
// max pooling with indices (all floating dtypes). Shapes as in ops/nn_kernels.h.
#include <limits>

#include "ops/cpu/cpu_kernels.h"
#include "ops/cpu/loops.h"
#include "ops/dispatch_dtype.h"

namespace nabla::cpu {

namespace {

// Visits every (n, o, oy, ox, c, ky, kx) tap with valid input position: f(x_index, w_index, y_index).
template <typename F>
void for_each_tap(IntArrayRef x, IntArrayRef w, IntArrayRef y, const kernels::ConvGeometry& g, F&& f) {
  const int64_t N = x[0], C = x[1], H = x[2], W = x[3], O = w[0], Cg = w[1], KH = w[2], KW = w[3];
  const int64_t OH = y[2], OW = y[3], Og = O / g.groups;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o) {
      const int64_t grp = o / Og;
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          const int64_t yi = ((n * O + o) * OH + oy) * OW + ox;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t ky = 0; ky < KH; ++ky) {
              const int64_t iy = oy * g.stride[0] - g.padding[0] + ky * g.dilation[0];
              if (iy < 0 || iy >= H) continue;
              for (int64_t kx = 0; kx < KW; ++kx) {
                const int64_t ix = ox * g.stride[1] - g.padding[1] + kx * g.dilation[1];
                if (ix < 0 || ix >= W) continue;
                f(((n * C + grp * Cg + c) * H + iy) * W + ix, ((o * Cg + c) * KH + ky) * KW + kx, yi);
              }
            }
        }
    }
}

}  // namespace

void conv2d_reference_forward(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b,
                              const kernels::ConvGeometry& g) {
  dispatch_floating(x.dtype(), "conv2d", [&]<typename T>() {
    T* Y = y.data_ptr<T>();
    const T *X = x.data_ptr<T>(), *Wt = w.data_ptr<T>();
    const int64_t O = y.size(1), plane = y.size(2) * y.size(3);
    for (int64_t i = 0; i < y.numel(); ++i) Y[i] = b.defined() ? b.data_ptr<T>()[(i / plane) % O] : T(0);
    for_each_tap(x.sizes(), w.sizes(), y.sizes(), g,
                 [&](int64_t xi, int64_t wi, int64_t yi) { Y[yi] += X[xi] * Wt[wi]; });
  });
}

void conv2d_reference_backward_data(const Tensor& gx, const Tensor& gy, const Tensor& w,
                                    const kernels::ConvGeometry& g) {
  dispatch_floating(gx.dtype(), "conv2d_backward", [&]<typename T>() {
    T* GX = gx.data_ptr<T>();
    const T *GY = gy.data_ptr<T>(), *Wt = w.data_ptr<T>();
    for (int64_t i = 0; i < gx.numel(); ++i) GX[i] = T(0);
    for_each_tap(gx.sizes(), w.sizes(), gy.sizes(), g,
                 [&](int64_t xi, int64_t wi, int64_t yi) { GX[xi] += GY[yi] * Wt[wi]; });
  });
}

void conv2d_reference_backward_weight(const Tensor& gw, const Tensor& gb, const Tensor& gy, const Tensor& x,
                                      const kernels::ConvGeometry& g) {
  dispatch_floating(gw.dtype(), "conv2d_backward", [&]<typename T>() {
    T* GW = gw.data_ptr<T>();
    const T *GY = gy.data_ptr<T>(), *X = x.data_ptr<T>();
    for (int64_t i = 0; i < gw.numel(); ++i) GW[i] = T(0);
    for_each_tap(x.sizes(), gw.sizes(), gy.sizes(), g,
                 [&](int64_t xi, int64_t wi, int64_t yi) { GW[wi] += GY[yi] * X[xi]; });
    if (gb.defined()) {
      T* GB = gb.data_ptr<T>();
      const int64_t O = gy.size(1), plane = gy.size(2) * gy.size(3);
      for (int64_t o = 0; o < O; ++o) GB[o] = T(0);
      for (int64_t i = 0; i < gy.numel(); ++i) GB[(i / plane) % O] += GY[i];
    }
  });
}

void max_pool2d_forward(const Tensor& y, const Tensor& indices, const Tensor& x,
                        const kernels::PoolGeometry& g) {
  const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3), OH = y.size(2), OW = y.size(3);
  dispatch_floating(x.dtype(), "max_pool2d", [&]<typename T>() {
    const T* X = x.data_ptr<T>();
    T* Y = y.data_ptr<T>();
    int64_t* I = indices.data_ptr<int64_t>();
    parallel_for(planes, OH * OW * g.kernel[0] * g.kernel[1], [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const T* xp = X + p * H * W;
        for (int64_t oy = 0; oy < OH; ++oy)
          for (int64_t ox = 0; ox < OW; ++ox) {
            T best = -std::numeric_limits<T>::infinity();
            int64_t bi = -1;
            for (int64_t ky = 0; ky < g.kernel[0]; ++ky) {
              const int64_t iy = oy * g.stride[0] - g.padding[0] + ky * g.dilation[0];
              if (iy < 0 || iy >= H) continue;
              for (int64_t kx = 0; kx < g.kernel[1]; ++kx) {
                const int64_t ix = ox * g.stride[1] - g.padding[1] + kx * g.dilation[1];
                if (ix < 0 || ix >= W) continue;
                const T v = xp[iy * W + ix];
                // PyTorch's test: every NaN takes over, so the window's last NaN is the index.
                if (v > best || bi < 0 || v != v) {
                  best = v;
                  bi = iy * W + ix;
                }
              }
            }
            Y[(p * OH + oy) * OW + ox] = best;
            I[(p * OH + oy) * OW + ox] = bi;
          }
      }
    });
  });
}

void max_pool2d_backward(const Tensor& gx, const Tensor& gy, const Tensor& indices) {
  const int64_t planes = gx.size(0) * gx.size(1), HW = gx.size(2) * gx.size(3), OHW = gy.size(2) * gy.size(3);
  dispatch_floating(gx.dtype(), "max_pool2d_backward", [&]<typename T>() {
    T* GX = gx.data_ptr<T>();
    const T* GY = gy.data_ptr<T>();
    const int64_t* I = indices.data_ptr<int64_t>();
    parallel_for(planes, HW + OHW, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        for (int64_t i = 0; i < HW; ++i) GX[p * HW + i] = T(0);
        for (int64_t i = 0; i < OHW; ++i) GX[p * HW + I[p * OHW + i]] += GY[p * OHW + i];
      }
    });
  });
}

}  // namespace nabla::cpu
