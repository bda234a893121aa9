// batch_norm_loops.cpp — see Note [Batch norm off oneDNN's barriers] in batch_norm_loops.h.
#include "ops/cpu/batch_norm_loops.h"

#include <bit>
#include <cmath>
#include <cstdint>
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

// y = (x - mean) * scale + shift per channel. The forward, the inference pass and the fused ReLU's
// backward (which recomputes the mask from x instead of reading y) all go through these two, so the
// mask the backward sees is the sign the forward wrote, bit for bit.
struct ChannelAffine {
  std::vector<float> scale, shift;
};
ChannelAffine channel_affine(int64_t C, const float* var, const float* W, const float* B, double eps) {
  ChannelAffine a{std::vector<float>(C), std::vector<float>(C)};
  for (int64_t c = 0; c < C; ++c) {
    a.scale[c] = static_cast<float>((W ? W[c] : 1.0) / std::sqrt(static_cast<double>(var[c]) + eps));
    a.shift[c] = B ? B[c] : 0.0f;
  }
  return a;
}
inline float normalized(float x, float mean, float scale, float shift) { return (x - mean) * scale + shift; }
// As nabla's relu: !(v <= 0) keeps NaN.
inline float relu_of(float v) { return !(v <= 0.0f) ? v : 0.0f; }

// relu's backward at output relu_of(y): g where !(y <= 0), else +0 (threshold_backward). As a bit
// mask: written as a ?: with a float compare, GCC left a branch in the loops and did not vectorise.
inline float gradient_through_relu(float g, float y) {
  const uint32_t keep = 0u - static_cast<uint32_t>(!(y <= 0.0f));
  return std::bit_cast<float>(std::bit_cast<uint32_t>(g) & keep);
}

// Writes y = normalized(x), through relu_of when relu.
void normalize_pass(const Layout& L, float* Y, const float* X, const float* M, const ChannelAffine& a,
                    bool relu) {
  const float *sc = a.scale.data(), *sh = a.shift.data();
  if (relu)
    for_each_element(L, [=](int64_t i, int64_t c) { Y[i] = relu_of(normalized(X[i], M[c], sc[c], sh[c])); });
  else
    for_each_element(L, [=](int64_t i, int64_t c) { Y[i] = normalized(X[i], M[c], sc[c], sh[c]); });
}

}  // namespace

bool batch_norm_loops_applies(const Tensor& x) {
  if (x.dtype() != DType::Float32 || x.dim() < 3 || x.numel() == 0) return false;
  return x.is_contiguous() || (x.dim() == 4 && raw::is_strictly_channels_last(x));
}

void batch_norm_loops_forward(const Tensor& y, const Tensor& mean, const Tensor& var, const Tensor& x,
                              const Tensor& weight, const Tensor& bias, double eps, bool relu) {
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
  float* M = static_cast<float*>(mean.data_ptr());
  float* V = static_cast<float*>(var.data_ptr());
  for (int64_t c = 0; c < C; ++c) {
    const double m = s[c] / count, v = std::max(0.0, s[C + c] / count - m * m);
    M[c] = static_cast<float>(m);
    V[c] = static_cast<float>(v);
  }
  normalize_pass(L, Y, X, M, channel_affine(C, V, floats(weight), floats(bias), eps), relu);
}

void batch_norm_loops_inference(const Tensor& y, const Tensor& x, const Tensor& running_mean,
                                const Tensor& running_var, const Tensor& weight, const Tensor& bias,
                                double eps, bool relu) {
  const Layout L = layout_of(x);
  normalize_pass(L, static_cast<float*>(y.data_ptr()), floats(x), floats(running_mean),
                 channel_affine(L.C, floats(running_var), floats(weight), floats(bias), eps), relu);
}

namespace {
// The two backward passes, on the gradient G(i, c) of element i (channel c) of the output: gy itself,
// or gy through the fused ReLU's mask.
template <typename G>
void backward_passes(const Layout& L, const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& x,
                     const Tensor& mean, const Tensor& var, const Tensor& weight, double eps, G grad) {
  const int64_t C = L.C, count = L.N * L.S;
  const float *X = floats(x), *M = floats(mean), *V = floats(var), *W = floats(weight);
  float* GX = static_cast<float*>(gx.data_ptr());
  // sum(g) and sum(g * (x - mean)) per channel.
  std::vector<double> s = channel_sums(
      L,
      [=](int64_t i, int64_t c, double& a, double& q) {
        const double g = grad(i, c);
        a += g;
        q += g * (static_cast<double>(X[i]) - M[c]);
      },
      [=](int64_t i, int64_t c, int64_t n, double& a, double& q) {
        const double m = M[c];
        double sa = 0, sq = 0;
#pragma omp simd reduction(+ : sa, sq)
        for (int64_t k = 0; k < n; ++k) {
          const double g = grad(i + k, c);
          sa += g;
          sq += g * (static_cast<double>(X[i + k]) - m);
        }
        a += sa;
        q += sq;
      });
  // gx = a (g - sum(g)/R - xhat sum(g xhat)/R), a = w invstd, xhat = (x - mean) invstd:
  // gx = k_g g + k_x (x - mean) + k_1 per channel.
  std::vector<float> k_g(C), k_x(C), k_1(C);
  float* GW = gw.defined() ? static_cast<float*>(gw.data_ptr()) : nullptr;
  float* GB = gb.defined() ? static_cast<float*>(gb.data_ptr()) : nullptr;
  for (int64_t c = 0; c < C; ++c) {
    const double invstd = 1.0 / std::sqrt(static_cast<double>(V[c]) + eps), a = (W ? W[c] : 1.0) * invstd;
    const double dgamma = s[C + c] * invstd;  // sum(g * xhat)
    if (GW) GW[c] = static_cast<float>(dgamma);
    if (GB) GB[c] = static_cast<float>(s[c]);
    k_g[c] = static_cast<float>(a);
    k_x[c] = static_cast<float>(-a * invstd * dgamma / count);
    k_1[c] = static_cast<float>(-a * s[c] / count);
  }
  const float *kg = k_g.data(), *kx = k_x.data(), *k1 = k_1.data();
  for_each_element(L,
                   [=](int64_t i, int64_t c) { GX[i] = kg[c] * grad(i, c) + kx[c] * (X[i] - M[c]) + k1[c]; });
}
}  // namespace

void batch_norm_loops_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gy,
                               const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& weight,
                               const Tensor& bias, double eps, bool relu) {
  const Layout L = layout_of(x);
  const float *X = floats(x), *GY = floats(gy), *M = floats(mean);
  if (!relu)
    return backward_passes(L, gx, gw, gb, x, mean, var, weight, eps,
                           [=](int64_t i, int64_t) { return GY[i]; });
  // The ReLU's backward folded in: gy where the output was not <= 0 (as threshold_backward), the
  // output recomputed from x.
  const ChannelAffine a = channel_affine(L.C, floats(var), floats(weight), floats(bias), eps);
  const float *sc = a.scale.data(), *sh = a.shift.data();
  backward_passes(L, gx, gw, gb, x, mean, var, weight, eps, [=](int64_t i, int64_t c) {
    return gradient_through_relu(GY[i], normalized(X[i], M[c], sc[c], sh[c]));
  });
}

}  // namespace nabla::cpu
