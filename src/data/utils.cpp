// utils.cpp — make_grid and save_image, following torchvision.utils step by step.
#include "nabla/data/utils.h"

#include <algorithm>
#include <cmath>

#include "nabla/autograd/grad_mode.h"
#include "nabla/io/image.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::data {

namespace {
// Clamp to [low, high] and map it to [0, 1] in place (torchvision's norm_ip).
void norm_range(Tensor& t, const std::optional<std::pair<double, double>>& range) {
  double low = range ? range->first : t.min().item<double>();
  double high = range ? range->second : t.max().item<double>();
  t.clamp_(low, high);
  t.sub_(low).div_(std::max(high - low, 1e-5));
}

// Any accepted input -> [B, C, H, W] with C == 3 for gray images.
Tensor as_batch(const Tensor& images) {
  NABLA_CHECK(images.defined(), ValueError, "make_grid: undefined tensor");
  NABLA_CHECK(images.dim() >= 2 && images.dim() <= 4, ShapeError,
              "make_grid: expected [B, C, H, W], [C, H, W] or [H, W], got {}", images.toString());
  Tensor t = images;
  if (t.dim() == 2) t = t.unsqueeze(0);
  if (t.dim() == 3) t = (t.size(0) == 1 ? cat({t, t, t}, 0) : t).unsqueeze(0);
  if (t.size(1) == 1) t = cat({t, t, t}, 1);
  return t;
}
}  // namespace

Tensor make_grid(const Tensor& images, const GridOptions& o) {
  NABLA_CHECK(o.nrow >= 1 && o.padding >= 0, ValueError,
              "make_grid: nrow ({}) must be >= 1 and padding ({}) >= 0", o.nrow, o.padding);
  NoGradGuard no_grad;
  Tensor t = as_batch(images);
  if (o.normalize) {
    t = t.to(t.is_floating_point() ? t.dtype() : kFloat32, /*copy=*/true);
    if (o.scale_each) {
      for (int64_t i = 0; i < t.size(0); ++i) {
        Tensor img = t[i];
        norm_range(img, o.value_range);
      }
    } else {
      norm_range(t, o.value_range);
    }
  }
  if (t.size(0) == 1) return t.squeeze(0);
  const int64_t n = t.size(0), xmaps = std::min(o.nrow, n), ymaps = (n + xmaps - 1) / xmaps;
  const int64_t height = t.size(2) + o.padding, width = t.size(3) + o.padding;
  Tensor grid = full({t.size(1), height * ymaps + o.padding, width * xmaps + o.padding}, o.pad_value,
                     {.dtype = t.dtype()});
  for (int64_t k = 0; k < n; ++k) {
    int64_t y = k / xmaps, x = k % xmaps;
    grid.narrow(1, y * height + o.padding, height - o.padding)
        .narrow(2, x * width + o.padding, width - o.padding)
        .copy_(t[k]);
  }
  return grid;
}

void save_image(const Tensor& images, const std::string& path, const GridOptions& options) {
  NoGradGuard no_grad;
  Tensor grid = make_grid(images, options);
  if (grid.dim() == 2) grid = grid.unsqueeze(0);
  // torchvision: grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(uint8)
  Tensor scaled = grid.to(kFloat32) * 255.0;
  scaled.add_(0.5).clamp_(0.0, 255.0);
  Tensor hwc = scaled.permute({1, 2, 0}).to(kUInt8);
  io::write_png(path, hwc);
}

}  // namespace nabla::data
