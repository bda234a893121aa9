// batch_norm_loops.cpp — see Note [Batch norm off oneDNN's barriers] in batch_norm_loops.h.
#include "ops/cpu/batch_norm_loops.h"

#include <cmath>
#include <vector>

#include "ops/cpu/loops.h"
#include "tensor/raw.h"

namespace nabla::cpu {

namespace {

// The two float32 layouts taken: rows (channels-last: N*S rows of C channels) and planes (contiguous
// [N, C, S], S the product of the spatial sizes).
struct Layout {
  int64_t N, C, S;
  bool rows;
};

constexpr int64_t kRowsPerBlock = 256;
// Channels-last sums go 16 channels at a time with the running sums in locals: summed straight into
// the block's slots in memory, every row waited on the previous row's store (a store-to-load chain
// per row), and the sums pass ran at a third of the memory's speed. Each channel's terms are still
// added row by row from 0, so the bits are the same.
constexpr int64_t kChannelTile = 16;

// Per-channel sums of two terms, sums[c] and sums[C + c], over every element; terms(i, c, a, b) adds
// element i's terms (channel c) into a and b, and plane(i, c, n, a, b) those of the n elements from i,
// all of channel c (the planes layout: a loop over contiguous floats, which GCC vectorised with
// gathers when it went through terms' index: a fifth of a FashionCNN step). Taken per block (256 rows,
// or one sample's planes), blocks added in order: the same bits for any number of threads.
template <typename Terms, typename Plane>
std::vector<double> channel_sums(const Layout& L, Terms terms, Plane plane) {
  const int64_t C = L.C, rows = L.N * L.S;
  const int64_t blocks = L.rows ? (rows + kRowsPerBlock - 1) / kRowsPerBlock : L.N;
  const int64_t block_elems = L.rows ? kRowsPerBlock * C : C * L.S;
  std::vector<double> partial(static_cast<size_t>(blocks * 2 * C), 0.0);
  parallel_for(blocks, block_elems, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      double* acc = partial.data() + b * 2 * C;
      if (L.rows) {
        const int64_t r0 = b * kRowsPerBlock, r1 = std::min(rows, r0 + kRowsPerBlock);
        int64_t c0 = 0;
        for (; c0 + kChannelTile <= C; c0 += kChannelTile) {
          double a[kChannelTile] = {}, q[kChannelTile] = {};  // in registers, unlike acc
          for (int64_t r = r0; r < r1; ++r)
#pragma omp simd
            for (int64_t c = 0; c < kChannelTile; ++c) terms(r * C + c0 + c, c0 + c, a[c], q[c]);
          for (int64_t c = 0; c < kChannelTile; ++c) acc[c0 + c] = a[c], acc[C + c0 + c] = q[c];
        }
        for (int64_t r = r0; r < r1; ++r)  // the channels after the last whole tile
#pragma omp simd
          for (int64_t c = c0; c < C; ++c) terms(r * C + c, c, acc[c], acc[C + c]);
      } else {
        for (int64_t c = 0; c < C; ++c) plane((b * C + c) * L.S, c, L.S, acc[c], acc[C + c]);
      }
    }
  });
  std::vector<double> sums(static_cast<size_t>(2 * C), 0.0);
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t c = 0; c < 2 * C; ++c) sums[c] += partial[b * 2 * C + c];
  return sums;
}

// f(i, c) for every element i (channel c), split across threads.
template <typename F>
void for_each_element(const Layout& L, F f) {
  const int64_t C = L.C;
  if (L.rows) {
    parallel_for(L.N * L.S, C, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r)
#pragma omp simd
        for (int64_t c = 0; c < C; ++c) f(r * C + c, c);
    });
  } else {
    parallel_for(L.N * C, L.S, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t c = p % C;
#pragma omp simd
        for (int64_t s = 0; s < L.S; ++s) f(p * L.S + s, c);
      }
    });
  }
}

Layout layout_of(const Tensor& x) {
  const int64_t N = x.size(0), C = x.size(1);
  return {N, C, x.numel() / (N * C), x.dim() == 4 && !x.is_contiguous()};
}

const float* floats(const Tensor& t) {
  return t.defined() ? static_cast<const float*>(t.data_ptr()) : nullptr;
}

}  // namespace

bool batch_norm_loops_applies(const Tensor& x) {
  if (x.dtype() != DType::Float32 || x.dim() < 3 || x.numel() == 0) return false;
  return x.is_contiguous() || (x.dim() == 4 && raw::is_strictly_channels_last(x));
}

void batch_norm_loops_forward(const Tensor& y, const Tensor& mean, const Tensor& var, const Tensor& x,
                              const Tensor& weight, const Tensor& bias, double eps) {
  const Layout L = layout_of(x);
  const int64_t C = L.C, count = L.N * L.S;
  const float* X = floats(x);
  float* Y = static_cast<float*>(y.data_ptr());
  std::vector<double> s = channel_sums(
      L,
      [X](int64_t i, int64_t, double& a, double& q) {
        const double v = X[i];
        a += v;
        q += v * v;
      },
      [X](int64_t i, int64_t, int64_t n, double& a, double& q) {
        const float* x = X + i;
        double sa = 0, sq = 0;
#pragma omp simd reduction(+ : sa, sq)
        for (int64_t k = 0; k < n; ++k) {
          const double v = x[k];
          sa += v;
          sq += v * v;
        }
        a += sa;
        q += sq;
      });
  const float *W = floats(weight), *B = floats(bias);
  float* M = static_cast<float*>(mean.data_ptr());
  float* V = static_cast<float*>(var.data_ptr());
  std::vector<float> scale(C), shift(C);  // y = (x - mean) scale + shift
  for (int64_t c = 0; c < C; ++c) {
    const double m = s[c] / count, v = std::max(0.0, s[C + c] / count - m * m);
    M[c] = static_cast<float>(m);
    V[c] = static_cast<float>(v);
    scale[c] = static_cast<float>((W ? W[c] : 1.0) / std::sqrt(v + eps));
    shift[c] = B ? B[c] : 0.0f;
  }
  const float *sc = scale.data(), *sh = shift.data();
  for_each_element(L, [=](int64_t i, int64_t c) { Y[i] = (X[i] - M[c]) * sc[c] + sh[c]; });
}

void batch_norm_loops_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gy,
                               const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& weight,
                               double eps) {
  const Layout L = layout_of(x);
  const int64_t C = L.C, count = L.N * L.S;
  const float *X = floats(x), *GY = floats(gy), *M = floats(mean), *V = floats(var), *W = floats(weight);
  float* GX = static_cast<float*>(gx.data_ptr());
  // sum(gy) and sum(gy * (x - mean)) per channel.
  std::vector<double> s = channel_sums(
      L,
      [=](int64_t i, int64_t c, double& a, double& q) {
        const double g = GY[i];
        a += g;
        q += g * (static_cast<double>(X[i]) - M[c]);
      },
      [=](int64_t i, int64_t c, int64_t n, double& a, double& q) {
        const float *x = X + i, *gy = GY + i;
        const double m = M[c];
        double sa = 0, sq = 0;
#pragma omp simd reduction(+ : sa, sq)
        for (int64_t k = 0; k < n; ++k) {
          const double g = gy[k];
          sa += g;
          sq += g * (static_cast<double>(x[k]) - m);
        }
        a += sa;
        q += sq;
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
    k_x[c] = static_cast<float>(-a * invstd * dgamma / count);
    k_1[c] = static_cast<float>(-a * s[c] / count);
  }
  const float *kg = k_gy.data(), *kx = k_x.data(), *k1 = k_1.data();
  for_each_element(L, [=](int64_t i, int64_t c) { GX[i] = kg[c] * GY[i] + kx[c] * (X[i] - M[c]) + k1[c]; });
}

}  // namespace nabla::cpu
