// batch_norm_rows.cpp — see Note [Batch norm off oneDNN's barriers] in batch_norm_rows.h.
#include "ops/cpu/batch_norm_rows.h"

#include <cmath>
#include <vector>

#include "ops/cpu/loops.h"
#include "tensor/raw.h"

namespace nabla::cpu {

namespace {

constexpr int64_t kRowsPerBlock = 256;

// sums[0..C) and sums[C..2C) over all rows, from body(row_begin, row_end, acc) which adds one block's
// two per-channel sums into acc (2C doubles, zeroed).
template <typename Body>
std::vector<double> channel_sums(int64_t rows, int64_t C, Body body) {
  const int64_t blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  std::vector<double> partial(static_cast<size_t>(blocks * 2 * C), 0.0);
  parallel_for(blocks, kRowsPerBlock * C, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b)
      body(b * kRowsPerBlock, std::min(rows, (b + 1) * kRowsPerBlock), partial.data() + b * 2 * C);
  });
  std::vector<double> sums(static_cast<size_t>(2 * C), 0.0);
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t c = 0; c < 2 * C; ++c) sums[c] += partial[b * 2 * C + c];
  return sums;
}

const float* floats(const Tensor& t) {
  return t.defined() ? static_cast<const float*>(t.data_ptr()) : nullptr;
}

}  // namespace

bool batch_norm_rows_applies(const Tensor& x) {
  return x.dtype() == DType::Float32 && x.dim() == 4 && x.size(1) > 0 && x.numel() > 0 &&
         raw::is_strictly_channels_last(x);
}

void batch_norm_rows_forward(const Tensor& y, const Tensor& mean, const Tensor& var, const Tensor& x,
                             const Tensor& weight, const Tensor& bias, double eps) {
  const int64_t C = x.size(1), rows = x.numel() / C;
  const float* X = floats(x);
  float* Y = static_cast<float*>(y.data_ptr());
  std::vector<double> s = channel_sums(rows, C, [&](int64_t r0, int64_t r1, double* acc) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = X + r * C;
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) {
        const double v = xr[c];
        acc[c] += v;
        acc[C + c] += v * v;
      }
    }
  });
  const float *W = floats(weight), *B = floats(bias);
  float* M = static_cast<float*>(mean.data_ptr());
  float* V = static_cast<float*>(var.data_ptr());
  std::vector<float> scale(C), shift(C);  // y = (x - mean) scale + shift
  for (int64_t c = 0; c < C; ++c) {
    const double m = s[c] / rows, v = std::max(0.0, s[C + c] / rows - m * m);
    M[c] = static_cast<float>(m);
    V[c] = static_cast<float>(v);
    const double sc = (W ? W[c] : 1.0) / std::sqrt(v + eps);
    scale[c] = static_cast<float>(sc);
    shift[c] = B ? B[c] : 0.0f;
  }
  const float *sc = scale.data(), *sh = shift.data();
  parallel_for(rows, C, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = X + r * C;
      float* yr = Y + r * C;
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) yr[c] = (xr[c] - M[c]) * sc[c] + sh[c];
    }
  });
}

void batch_norm_rows_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gy,
                              const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& weight,
                              double eps) {
  const int64_t C = x.size(1), rows = x.numel() / C;
  const float *X = floats(x), *GY = floats(gy), *M = floats(mean), *V = floats(var), *W = floats(weight);
  float* GX = static_cast<float*>(gx.data_ptr());
  // sum(gy) and sum(gy * (x - mean)) per channel.
  std::vector<double> s = channel_sums(rows, C, [&](int64_t r0, int64_t r1, double* acc) {
    for (int64_t r = r0; r < r1; ++r) {
      const float *xr = X + r * C, *gr = GY + r * C;
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) {
        const double g = gr[c];
        acc[c] += g;
        acc[C + c] += g * (static_cast<double>(xr[c]) - M[c]);
      }
    }
  });
  // gx = a (gy - sum(gy)/R - xhat sum(gy xhat)/R), a = w invstd, xhat = (x - mean) invstd:
  // gx = k_gy gy + k_x (x - mean) + k_1 per channel.
  std::vector<float> k_gy(C), k_x(C), k_1(C);
  float* GW = gw.defined() ? static_cast<float*>(gw.data_ptr()) : nullptr;
  float* GB = gb.defined() ? static_cast<float*>(gb.data_ptr()) : nullptr;
  for (int64_t c = 0; c < C; ++c) {
    const double invstd = 1.0 / std::sqrt(static_cast<double>(V[c]) + eps), a = (W ? W[c] : 1.0) * invstd;
    const double dgamma = s[C + c] * invstd;  // sum(gy * xhat)
    if (GW) GW[c] = static_cast<float>(dgamma);
    if (GB) GB[c] = static_cast<float>(s[c]);
    k_gy[c] = static_cast<float>(a);
    k_x[c] = static_cast<float>(-a * invstd * dgamma / rows);
    k_1[c] = static_cast<float>(-a * s[c] / rows);
  }
  const float *kg = k_gy.data(), *kx = k_x.data(), *k1 = k_1.data();
  parallel_for(rows, C, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float *xr = X + r * C, *gr = GY + r * C;
      float* out = GX + r * C;
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) out[c] = kg[c] * gr[c] + kx[c] * (xr[c] - M[c]) + k1[c];
    }
  });
}

}  // namespace nabla::cpu
