// transforms_color.cpp — rotate and the colour kernels (brightness, contrast, saturation, grayscale),
// following torchvision 0.14's tensor implementations, in float32 like them.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "data/image_ops.h"
#include "nabla/data/transforms.h"
#include "util/check.h"

namespace nabla::data::functional {

using detail::Img;
using detail::Layout;
using detail::Rounding;

namespace {
// Rotation through the inverse affine map and grid_sample(align_corners=False), as torchvision's
// F.rotate -> _gen_affine_grid -> _apply_grid_transform. Fill uses the mask channel trick: nearest
// takes `fill` where the mask is < 0.5, bilinear blends v * m + (1 - m) * fill.
Img rotate_img(const Img& in, double degrees, InterpolationMode mode, float fill) {
  const double r = -degrees * std::numbers::pi / 180.0;
  const float m[6] = {static_cast<float>(std::cos(r)),  static_cast<float>(std::sin(r)), 0.f,
                      static_cast<float>(-std::sin(r)), static_cast<float>(std::cos(r)), 0.f};
  const float hw = 0.5f * static_cast<float>(in.W), hh = 0.5f * static_cast<float>(in.H);
  Img out = Img::zeros(in.C, in.H, in.W);
  auto inside = [&](int64_t y, int64_t x) { return y >= 0 && y < in.H && x >= 0 && x < in.W; };
  for (int64_t i = 0; i < in.H; ++i) {
    const float y = static_cast<float>(i) + 0.5f - hh;
    for (int64_t j = 0; j < in.W; ++j) {
      const float x = static_cast<float>(j) + 0.5f - hw;
      const float gx = x * (m[0] / hw) + y * (m[1] / hw) + m[2] / hw;
      const float gy = x * (m[3] / hh) + y * (m[4] / hh) + m[5] / hh;
      const float ix = ((gx + 1.f) * static_cast<float>(in.W) - 1.f) / 2.f;
      const float iy = ((gy + 1.f) * static_cast<float>(in.H) - 1.f) / 2.f;
      if (mode == InterpolationMode::Nearest) {
        const int64_t sx = static_cast<int64_t>(std::nearbyint(ix)),
                      sy = static_cast<int64_t>(std::nearbyint(iy));
        for (int64_t c = 0; c < in.C; ++c) out.at(c, i, j) = inside(sy, sx) ? in.at(c, sy, sx) : fill;
        continue;
      }
      const int64_t x0 = static_cast<int64_t>(std::floor(ix)), y0 = static_cast<int64_t>(std::floor(iy));
      const float wx1 = ix - static_cast<float>(x0), wy1 = iy - static_cast<float>(y0);
      const float w[4] = {(1 - wx1) * (1 - wy1), wx1 * (1 - wy1), (1 - wx1) * wy1, wx1 * wy1};
      const int64_t ys[4] = {y0, y0, y0 + 1, y0 + 1}, xs[4] = {x0, x0 + 1, x0, x0 + 1};
      float mask = 0;
      for (int k = 0; k < 4; ++k) mask += inside(ys[k], xs[k]) ? w[k] : 0.f;
      for (int64_t c = 0; c < in.C; ++c) {
        float v = 0;
        for (int k = 0; k < 4; ++k) v += inside(ys[k], xs[k]) ? w[k] * in.at(c, ys[k], xs[k]) : 0.f;
        out.at(c, i, j) = v * mask + (1.f - mask) * fill;
      }
    }
  }
  return out;
}

// torchvision's _rgb2gray: 0.2989 R + 0.587 G + 0.114 B, truncated to uint8 for uint8 images.
std::vector<float> gray_plane(const Img& img, const Layout& l) {
  const int64_t hw = img.H * img.W;
  std::vector<float> g(hw);
  for (int64_t i = 0; i < hw; ++i) {
    float v =
        img.C == 1 ? img.px[i] : 0.2989f * img.px[i] + 0.587f * img.px[hw + i] + 0.114f * img.px[2 * hw + i];
    g[i] = l.dtype == kUInt8 ? std::trunc(v) : v;
  }
  return g;
}

void check_rgb_or_gray(const Img& img, const char* op) {
  NABLA_CHECK(img.C == 1 || img.C == 3, ShapeError, "{}: expected an image with 1 or 3 channels, got {}", op,
              img.C);
}

// _blend(img1, img2, ratio): (ratio * img1 + (1 - ratio) * img2).clamp(0, bound), img2 per pixel.
void blend(Img& img, const std::vector<float>& other, bool per_pixel, double ratio, float bound) {
  const float r = static_cast<float>(ratio), r1 = static_cast<float>(1.0 - ratio);
  const int64_t hw = img.H * img.W;
  for (int64_t c = 0; c < img.C; ++c)
    for (int64_t i = 0; i < hw; ++i) {
      float& v = img.px[c * hw + i];
      v = std::clamp(r * v + r1 * other[per_pixel ? i : 0], 0.f, bound);
    }
}

void check_factor(double factor, const char* op) {
  NABLA_CHECK(factor >= 0 && std::isfinite(factor), ValueError, "{}: factor ({}) is not non-negative.", op,
              factor);
}
}  // namespace

Tensor rotate(const Tensor& image, double degrees, InterpolationMode mode, double fill) {
  Layout l = detail::layout_of(image, "rotate");
  return detail::store(rotate_img(detail::load(image, l), degrees, mode, static_cast<float>(fill)), l,
                       Rounding::Round);
}

Tensor adjust_brightness(const Tensor& image, double factor) {
  check_factor(factor, "adjust_brightness");
  Layout l = detail::layout_of(image, "adjust_brightness");
  Img img = detail::load(image, l);
  blend(img, {0.f}, false, factor, detail::max_value(l));
  return detail::store(img, l, Rounding::Truncate);
}

Tensor adjust_contrast(const Tensor& image, double factor) {
  check_factor(factor, "adjust_contrast");
  Layout l = detail::layout_of(image, "adjust_contrast");
  Img img = detail::load(image, l);
  check_rgb_or_gray(img, "adjust_contrast");
  std::vector<float> g = gray_plane(img, l);
  double sum = 0;
  for (float v : g) sum += v;
  float mean = static_cast<float>(sum / static_cast<double>(g.size()));
  blend(img, {mean}, false, factor, detail::max_value(l));
  return detail::store(img, l, Rounding::Truncate);
}

Tensor adjust_saturation(const Tensor& image, double factor) {
  check_factor(factor, "adjust_saturation");
  Layout l = detail::layout_of(image, "adjust_saturation");
  Img img = detail::load(image, l);
  check_rgb_or_gray(img, "adjust_saturation");
  if (img.C == 1) return image.clone();  // torchvision returns gray images unchanged
  blend(img, gray_plane(img, l), true, factor, detail::max_value(l));
  return detail::store(img, l, Rounding::Truncate);
}

Tensor rgb_to_grayscale(const Tensor& image, int num_output_channels) {
  NABLA_CHECK(num_output_channels == 1 || num_output_channels == 3, ValueError,
              "rgb_to_grayscale: num_output_channels should be either 1 or 3, got {}", num_output_channels);
  Layout l = detail::layout_of(image, "rgb_to_grayscale");
  Img img = detail::load(image, l);
  check_rgb_or_gray(img, "rgb_to_grayscale");
  std::vector<float> g = gray_plane(img, l);
  Img out = Img::zeros(num_output_channels, img.H, img.W);
  for (int c = 0; c < num_output_channels; ++c) std::copy(g.begin(), g.end(), out.px.begin() + c * g.size());
  return detail::store(out, l, Rounding::Truncate);
}

}  // namespace nabla::data::functional
