// transforms_functional.cpp — nabla::data::functional: the image kernels behind the transforms,
// written to follow torchvision 0.14's tensor code (F_t) step by step; tests/golden checks them
// against PyTorch.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "data/image_ops.h"
#include "nabla/data/transforms.h"
#include "nabla/ops/ops.h"
#include "ops/nn_kernels.h"
#include "util/check.h"

namespace nabla::data {

namespace detail {

Layout layout_of(const Tensor& image, const char* op) {
  NABLA_CHECK(image.defined(), ValueError, "{}: undefined image", op);
  Layout l;
  l.dtype = image.dtype();
  NABLA_CHECK(l.dtype == kUInt8 || image.is_floating_point(), DTypeError,
              "{}: expected a uint8 [H, W, C] or floating [C, H, W] image, got {}", op, image.toString());
  NABLA_CHECK(image.dim() == 2 || image.dim() == 3, ShapeError,
              "{}: expected an image of shape [H, W, C] (uint8), [C, H, W] (float) or [H, W], got {}", op,
              image.toString());
  l.hwc = l.dtype == kUInt8;
  l.two_d = image.dim() == 2;
  return l;
}

Img load(const Tensor& image, const Layout& layout) {
  Img img;
  if (layout.two_d) {
    img.C = 1, img.H = image.size(0), img.W = image.size(1);
  } else if (layout.hwc) {
    img.C = image.size(2), img.H = image.size(0), img.W = image.size(1);
  } else {
    img.C = image.size(0), img.H = image.size(1), img.W = image.size(2);
  }
  const int64_t n = img.C * img.H * img.W, hw = img.H * img.W;
  img.px.resize(n);
  if (layout.dtype == kUInt8) {
    Tensor c = image.contiguous();
    const uint8_t* p = c.data_ptr<uint8_t>();
    for (int64_t i = 0; i < hw; ++i)
      for (int64_t ch = 0; ch < img.C; ++ch) img.px[ch * hw + i] = p[i * img.C + ch];
  } else {
    Tensor c = image.to(kFloat32).contiguous();
    std::memcpy(img.px.data(), c.data_ptr<float>(), n * sizeof(float));
  }
  return img;
}

Tensor store(const Img& img, const Layout& layout, Rounding rounding) {
  const bool flat = layout.two_d && img.C == 1;
  const int64_t hw = img.H * img.W;
  if (layout.dtype != kUInt8) {
    Tensor out = from_buffer(img.px.data(), {img.C, img.H, img.W}, kFloat32);
    if (flat) out = out.view({img.H, img.W});
    return layout.dtype == kFloat32 ? out : out.to(layout.dtype);
  }
  Tensor out = empty({img.H, img.W, img.C}, {.dtype = kUInt8});
  uint8_t* q = out.data_ptr<uint8_t>();
  for (int64_t i = 0; i < hw; ++i) {
    for (int64_t ch = 0; ch < img.C; ++ch) {
      float v = img.px[ch * hw + i];
      v = rounding == Rounding::Round ? std::nearbyint(v) : std::trunc(v);
      q[i * img.C + ch] = static_cast<uint8_t>(std::clamp(v, 0.f, 255.f));
    }
  }
  return flat ? out.view({img.H, img.W}) : out;
}

float max_value(const Layout& layout) { return layout.dtype == kUInt8 ? 255.f : 1.f; }

}  // namespace detail

namespace functional {

using detail::Img;
using detail::Layout;
using detail::Rounding;

std::array<int64_t, 2> image_size(const Tensor& image) {
  Layout l = detail::layout_of(image, "image_size");
  if (l.two_d || l.hwc) return {image.size(0), image.size(1)};
  return {image.size(1), image.size(2)};
}

Tensor to_tensor(const Tensor& image) {
  NABLA_CHECK(image.defined() && image.dtype() == kUInt8 && (image.dim() == 2 || image.dim() == 3),
              DTypeError, "ToTensor: expected a uint8 image [H, W, C] or [H, W], got {}",
              image.defined() ? image.toString() : "undefined");
  const int64_t H = image.size(0), W = image.size(1), C = image.dim() == 3 ? image.size(2) : 1, hw = H * W;
  Tensor src = image.contiguous();
  Tensor out = empty({C, H, W}, {.dtype = kFloat32});
  const uint8_t* p = src.data_ptr<uint8_t>();
  float* q = out.data_ptr<float>();
  if (C == 1) {
    for (int64_t i = 0; i < hw; ++i) q[i] = p[i] / 255.f;
  } else {
    for (int64_t i = 0; i < hw; ++i)
      for (int64_t c = 0; c < C; ++c) q[c * hw + i] = p[i * C + c] / 255.f;
  }
  return out;
}

Tensor normalize(const Tensor& image, const std::vector<double>& mean, const std::vector<double>& std) {
  NABLA_CHECK(image.defined() && image.is_floating_point(), DTypeError,
              "Normalize: expected a floating image [C, H, W] (apply ToTensor first), got {}",
              image.defined() ? image.toString() : "undefined");
  NABLA_CHECK(image.dim() == 3, ShapeError, "Normalize: expected an image [C, H, W], got {}",
              image.toString());
  const int64_t C = image.size(0), hw = image.size(1) * image.size(2);
  NABLA_CHECK(mean.size() == std.size() && (mean.size() == 1 || static_cast<int64_t>(mean.size()) == C),
              ShapeError, "Normalize: {} means and {} stds for an image with {} channels", mean.size(),
              std.size(), C);
  for (double s : std)
    NABLA_CHECK(s != 0, ValueError, "Normalize: std evaluated to zero, leading to division by zero");
  if (image.dtype() != kFloat32) {
    Tensor m = from_buffer(mean.data(), {static_cast<int64_t>(mean.size()), 1, 1}, kFloat64);
    Tensor s = from_buffer(std.data(), {static_cast<int64_t>(std.size()), 1, 1}, kFloat64);
    return (image - m.to(image.dtype())) / s.to(image.dtype());
  }
  Tensor src = image.contiguous();
  Tensor out = empty({C, image.size(1), image.size(2)}, {.dtype = kFloat32});
  const float* p = src.data_ptr<float>();
  float* q = out.data_ptr<float>();
  for (int64_t c = 0; c < C; ++c) {
    size_t k = mean.size() == 1 ? 0 : c;
    const float m = static_cast<float>(mean[k]), s = static_cast<float>(std[k]);
    for (int64_t i = 0; i < hw; ++i) q[c * hw + i] = (p[c * hw + i] - m) / s;
  }
  return out;
}

Tensor resize(const Tensor& image, int64_t height, int64_t width, InterpolationMode mode) {
  Layout l = detail::layout_of(image, "resize");
  NABLA_CHECK(height > 0 && width > 0, ValueError, "resize: output size must be positive, got [{}, {}]",
              height, width);
  Img in = detail::load(image, l);
  NABLA_CHECK(in.H > 0 && in.W > 0, ShapeError, "resize: empty image {}", image.toString());
  // torchvision resizes with F.interpolate (nearest, or bilinear without align_corners): its kernels.
  Tensor x = from_blob(in.px.data(), {1, in.C, in.H, in.W}, kFloat32);
  Img out = Img::zeros(in.C, height, width);
  Tensor y = from_blob(out.px.data(), {1, in.C, height, width}, kFloat32);
  kernels::InterpGeometry g;
  g.mode = mode == InterpolationMode::Nearest ? kernels::InterpMode::Nearest : kernels::InterpMode::Linear;
  kernels::interpolate_forward(y, x, g);
  return detail::store(out, l, Rounding::Round);
}

namespace {
Img crop_img(const Img& in, int64_t top, int64_t left, int64_t height, int64_t width, float fill) {
  Img out{in.C, height, width, std::vector<float>(in.C * height * width, fill)};
  for (int64_t c = 0; c < in.C; ++c)
    for (int64_t y = 0; y < height; ++y) {
      int64_t sy = top + y;
      if (sy < 0 || sy >= in.H) continue;
      for (int64_t x = 0; x < width; ++x) {
        int64_t sx = left + x;
        if (sx >= 0 && sx < in.W) out.at(c, y, x) = in.at(c, sy, sx);
      }
    }
  return out;
}
}  // namespace

Tensor crop(const Tensor& image, int64_t top, int64_t left, int64_t height, int64_t width) {
  Layout l = detail::layout_of(image, "crop");
  NABLA_CHECK(height > 0 && width > 0, ValueError, "crop: size must be positive, got [{}, {}]", height,
              width);
  return detail::store(crop_img(detail::load(image, l), top, left, height, width, 0.f), l,
                       Rounding::Truncate);
}

Tensor pad(const Tensor& image, int64_t left, int64_t top, int64_t right, int64_t bottom, double fill) {
  Layout l = detail::layout_of(image, "pad");
  NABLA_CHECK(left >= 0 && top >= 0 && right >= 0 && bottom >= 0, ValueError,
              "pad: padding must be non-negative, got [{}, {}, {}, {}]", left, top, right, bottom);
  Img in = detail::load(image, l);
  Img out = crop_img(in, -top, -left, in.H + top + bottom, in.W + left + right, static_cast<float>(fill));
  return detail::store(out, l, Rounding::Truncate);
}

Tensor center_crop(const Tensor& image, int64_t height, int64_t width) {
  NABLA_CHECK(height > 0 && width > 0, ValueError, "center_crop: size must be positive, got [{}, {}]", height,
              width);
  auto [H, W] = image_size(image);
  Tensor img = image;
  if (height > H || width > W) {  // torchvision pads first, then crops
    int64_t pl = width > W ? (width - W) / 2 : 0, pt = height > H ? (height - H) / 2 : 0;
    int64_t pr = width > W ? (width - W + 1) / 2 : 0, pb = height > H ? (height - H + 1) / 2 : 0;
    img = pad(image, pl, pt, pr, pb, 0);
    std::tie(H, W) = std::pair(H + pt + pb, W + pl + pr);
    if (height == H && width == W) return img;
  }
  // int(round((H - h) / 2.0)) with Python's round-half-to-even.
  auto half = [](int64_t d) { return static_cast<int64_t>(std::nearbyint(d / 2.0)); };
  return crop(img, half(H - height), half(W - width), height, width);
}

Tensor hflip(const Tensor& image) {
  Layout l = detail::layout_of(image, "hflip");
  Img in = detail::load(image, l);
  for (int64_t c = 0; c < in.C; ++c)
    for (int64_t y = 0; y < in.H; ++y) std::reverse(&in.at(c, y, 0), &in.at(c, y, 0) + in.W);
  return detail::store(in, l, Rounding::Truncate);
}

Tensor vflip(const Tensor& image) {
  Layout l = detail::layout_of(image, "vflip");
  Img in = detail::load(image, l);
  Img out = in;
  for (int64_t c = 0; c < in.C; ++c)
    for (int64_t y = 0; y < in.H; ++y)
      std::memcpy(&out.at(c, y, 0), &in.at(c, in.H - 1 - y, 0), in.W * sizeof(float));
  return detail::store(out, l, Rounding::Truncate);
}

}  // namespace functional
}  // namespace nabla::data
