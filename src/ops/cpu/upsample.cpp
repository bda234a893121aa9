// upsample.cpp — F.interpolate's CPU loops (nearest, nearest-exact, linear, cubic) on contiguous
// [P, H, W] planes (P = N * C; a 1-D interpolation is H = 1 with one unit tap). Taps follow
// PyTorch 1.13's UpSample.h and UpSampleKernel.cpp arithmetic, so results match it to rounding.
#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/cpu/cpu_kernels.h"
#include "ops/cpu/loops.h"
#include "ops/dispatch_dtype.h"
#include "util/check.h"

namespace nabla::cpu {

namespace {

using kernels::InterpGeometry;
using kernels::InterpMode;

// Along one dim: output index o reads idx[o * k + j] with weight w[o * k + j], j < k.
template <typename T>
struct Taps {
  int k = 1;
  std::vector<int64_t> idx;
  std::vector<T> w;
};

// PyTorch's compute_scales_value / area_pixel_compute_scale / area_pixel_compute_source_index.
template <typename T>
T coordinate_scale(int64_t in, int64_t out, bool align_corners, double scale) {
  if (align_corners) return out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0);
  return scale > 0 ? static_cast<T>(1.0 / scale) : static_cast<T>(in) / static_cast<T>(out);
}
template <typename T>
T source_index(T scale, int64_t dst, bool align_corners, bool cubic) {
  if (align_corners) return scale * static_cast<T>(dst);
  const T src = scale * (static_cast<T>(dst) + T(0.5)) - T(0.5);
  return (!cubic && src < T(0)) ? T(0) : src;
}

// PyTorch's nearest_idx / nearest_exact_idx: always in float, with exact shortcuts for x1 and x2.
int64_t nearest_source(int64_t o, int64_t in, int64_t out, double scale, bool exact) {
  if (!exact && out == in) return o;
  if (!exact && out == 2 * in) return o >> 1;
  const float s =
      scale > 0 ? static_cast<float>(1.0 / scale) : static_cast<float>(in) / static_cast<float>(out);
  const float src =
      exact ? static_cast<float>((static_cast<double>(o) + 0.5) * s) : static_cast<float>(o) * s;
  return std::min(static_cast<int64_t>(std::floor(src)), in - 1);
}

// Keys' cubic convolution with A = -0.75 (PyTorch's get_cubic_upsample_coefficients).
template <typename T>
void cubic_coefficients(T c[4], T t) {
  const T A = T(-0.75);
  auto near = [A](T x) { return ((A + T(2)) * x - (A + T(3))) * x * x + T(1); };
  auto far = [A](T x) { return ((A * x - T(5) * A) * x + T(8) * A) * x - T(4) * A; };
  c[0] = far(t + T(1));
  c[1] = near(t);
  c[2] = near(T(1) - t);
  c[3] = far(T(2) - t);
}

template <typename T>
Taps<T> make_taps(int64_t in, int64_t out, const InterpGeometry& g, double scale) {
  Taps<T> t;
  t.k = g.mode == InterpMode::Linear ? 2 : g.mode == InterpMode::Cubic ? 4 : 1;
  t.idx.resize(out * t.k);
  t.w.resize(out * t.k);
  const T s = coordinate_scale<T>(in, out, g.align_corners, scale);
  for (int64_t o = 0; o < out; ++o) {
    int64_t* idx = &t.idx[o * t.k];
    T* w = &t.w[o * t.k];
    if (g.mode == InterpMode::Nearest || g.mode == InterpMode::NearestExact) {
      idx[0] = nearest_source(o, in, out, scale, g.mode == InterpMode::NearestExact);
      w[0] = T(1);
    } else if (g.mode == InterpMode::Linear) {
      if (in == out) {  // PyTorch copies (its weights would be 1 and 0 anyway)
        idx[0] = idx[1] = o;
        w[0] = T(1), w[1] = T(0);
        continue;
      }
      const T real = source_index(s, o, g.align_corners, false);
      const int64_t i0 = static_cast<int64_t>(real);
      idx[0] = i0;
      idx[1] = i0 + (i0 < in - 1 ? 1 : 0);
      w[1] = std::min(std::max(real - static_cast<T>(i0), T(0)), T(1));
      w[0] = T(1) - w[1];
    } else {
      const T real = source_index(s, o, g.align_corners, true);
      const int64_t i0 = static_cast<int64_t>(std::floor(real));
      cubic_coefficients<T>(w, real - static_cast<T>(i0));
      for (int j = 0; j < 4; ++j) idx[j] = std::clamp<int64_t>(i0 - 1 + j, 0, in - 1);  // borders repeat
    }
  }
  return t;
}

// Taps for H and W of a [P, H, W] view; 1-D interpolation has H = OH = 1 and one unit tap.
template <typename T>
std::pair<Taps<T>, Taps<T>> plane_taps(int64_t H, int64_t W, int64_t OH, int64_t OW,
                                       const InterpGeometry& g) {
  Taps<T> th;
  if (g.spatial == 2) {
    th = make_taps<T>(H, OH, g, g.scales[0]);
  } else {
    th.idx = {0};
    th.w = {T(1)};
  }
  return {th, make_taps<T>(W, OW, g, g.scales[g.spatial - 1])};
}

struct PlaneDims {
  int64_t P, H, W, OH, OW;
};
PlaneDims plane_dims(const Tensor& small, const Tensor& big, int spatial) {
  const int64_t d = small.dim();
  PlaneDims p;
  p.P = small.size(0) * small.size(1);
  p.H = spatial == 2 ? small.size(d - 2) : 1;
  p.OH = spatial == 2 ? big.size(d - 2) : 1;
  p.W = small.size(d - 1);
  p.OW = big.size(d - 1);
  return p;
}

// Calls f.template operator()<KH, KW>() with the tap counts as constants, so the loops unroll.
template <typename F>
void with_tap_counts(int kh, int kw, F&& f) {
  if (kh == 1 && kw == 1) return f.template operator()<1, 1>();
  if (kh == 1 && kw == 2) return f.template operator()<1, 2>();
  if (kh == 1 && kw == 4) return f.template operator()<1, 4>();
  if (kh == 2 && kw == 2) return f.template operator()<2, 2>();
  NABLA_ASSERT(kh == 4 && kw == 4, "interpolate: unexpected tap counts");
  return f.template operator()<4, 4>();
}

// Output rows [b, e) of the [P * OH, OW] result: over the H taps of (over the W taps), each sum
// starting from its first term as PyTorch's Interpolate::eval does (so nearest copies exactly).
template <typename T, int KH, int KW>
void forward_rows(const T* xp, T* yp, const Taps<T>& th, const Taps<T>& tw, const PlaneDims& d, int64_t b,
                  int64_t e) {
  for (int64_t r = b; r < e; ++r) {
    const int64_t p = r / d.OH, oy = r % d.OH;
    const T* rows[KH];
    T wy[KH];
    for (int a = 0; a < KH; ++a) {
      rows[a] = xp + (p * d.H + th.idx[oy * KH + a]) * d.W;
      wy[a] = th.w[oy * KH + a];
    }
    T* out = yp + r * d.OW;
    const int64_t* ix = tw.idx.data();
    const T* wx = tw.w.data();
    for (int64_t ox = 0; ox < d.OW; ++ox, ix += KW, wx += KW) {
      T acc{};
      for (int a = 0; a < KH; ++a) {
        T inner = rows[a][ix[0]] * wx[0];
        for (int c = 1; c < KW; ++c) inner += rows[a][ix[c]] * wx[c];
        acc = a == 0 ? inner * wy[0] : acc + inner * wy[a];
      }
      out[ox] = acc;
    }
  }
}

// Planes [b, e) of gx: gy scattered through the same taps.
template <typename T, int KH, int KW>
void backward_planes(T* gxp, const T* gyp, const Taps<T>& th, const Taps<T>& tw, const PlaneDims& d,
                     int64_t b, int64_t e) {
  std::fill(gxp + b * d.H * d.W, gxp + e * d.H * d.W, T(0));
  for (int64_t p = b; p < e; ++p) {
    T* plane = gxp + p * d.H * d.W;
    for (int64_t oy = 0; oy < d.OH; ++oy) {
      const T* grow = gyp + (p * d.OH + oy) * d.OW;
      T* rows[KH];
      T wy[KH];
      for (int a = 0; a < KH; ++a) {
        rows[a] = plane + th.idx[oy * KH + a] * d.W;
        wy[a] = th.w[oy * KH + a];
      }
      const int64_t* ix = tw.idx.data();
      const T* wx = tw.w.data();
      for (int64_t ox = 0; ox < d.OW; ++ox, ix += KW, wx += KW)
        for (int a = 0; a < KH; ++a)
          for (int c = 0; c < KW; ++c) rows[a][ix[c]] += wy[a] * wx[c] * grow[ox];
    }
  }
}

}  // namespace

void interpolate_forward(const Tensor& y, const Tensor& x, const InterpGeometry& g) {
  NABLA_ASSERT(y.is_contiguous() && x.is_contiguous(), "interpolate: kernels take contiguous tensors");
  const PlaneDims d = plane_dims(x, y, g.spatial);
  dispatch_floating(x.dtype(), "interpolate", [&]<typename T>() {
    auto [th, tw] = plane_taps<T>(d.H, d.W, d.OH, d.OW, g);
    const T* xp = x.data_ptr<T>();
    T* yp = y.data_ptr<T>();
    with_tap_counts(th.k, tw.k, [&]<int KH, int KW>() {
      parallel_for(d.P * d.OH, d.OW * KH * KW,
                   [&](int64_t b, int64_t e) { forward_rows<T, KH, KW>(xp, yp, th, tw, d, b, e); });
    });
  });
}

void interpolate_backward(const Tensor& gx, const Tensor& gy, const InterpGeometry& g) {
  NABLA_ASSERT(gx.is_contiguous() && gy.is_contiguous(), "interpolate: kernels take contiguous tensors");
  const PlaneDims d = plane_dims(gx, gy, g.spatial);
  dispatch_floating(gx.dtype(), "interpolate_backward", [&]<typename T>() {
    auto [th, tw] = plane_taps<T>(d.H, d.W, d.OH, d.OW, g);
    const T* gyp = gy.data_ptr<T>();
    T* gxp = gx.data_ptr<T>();
    // Planes are independent: each thread scatters into its own planes of gx.
    with_tap_counts(th.k, tw.k, [&]<int KH, int KW>() {
      parallel_for(d.P, d.OH * d.OW * KH * KW,
                   [&](int64_t b, int64_t e) { backward_planes<T, KH, KW>(gxp, gyp, th, tw, d, b, e); });
    });
  });
}

}  // namespace nabla::cpu
