// image_ops.h — the working image of the transforms: float32 planes [C, H, W] plus how to turn the
// result back into the caller's layout and dtype (uint8 HWC/HW or floating CHW/HW).
#pragma once
#include <cstdint>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::data::detail {

struct Img {
  int64_t C = 0, H = 0, W = 0;
  std::vector<float> px;  // C x H x W
  float& at(int64_t c, int64_t y, int64_t x) { return px[(c * H + y) * W + x]; }
  float at(int64_t c, int64_t y, int64_t x) const { return px[(c * H + y) * W + x]; }
  static Img zeros(int64_t C, int64_t H, int64_t W) { return {C, H, W, std::vector<float>(C * H * W, 0.f)}; }
};

struct Layout {
  DType dtype = kFloat32;
  bool hwc = false;    // uint8 images are HWC, floating ones CHW
  bool two_d = false;  // [H, W] input: a 1-channel result is returned as [H, W] again
};

// How uint8 results are converted back (torchvision rounds after interpolation, truncates after blends).
enum class Rounding { Round, Truncate };

Layout layout_of(const Tensor& image, const char* op);
Img load(const Tensor& image, const Layout& layout);
Tensor store(const Img& img, const Layout& layout, Rounding rounding);
float max_value(const Layout& layout);  // 255 for uint8, 1 for floating images

}  // namespace nabla::data::detail
