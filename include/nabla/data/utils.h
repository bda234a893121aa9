// utils.h — pictures of tensors, like torchvision.utils.make_grid and save_image.
#pragma once
#include <optional>
#include <string>
#include <utility>

#include "nabla/tensor/tensor.h"

namespace nabla::data {

struct GridOptions {
  int64_t nrow = 8;        // images per row
  int64_t padding = 2;     // pixels between images and around the grid
  bool normalize = false;  // shift and scale to [0, 1] using value_range (or the batch's min and max)
  std::optional<std::pair<double, double>> value_range = std::nullopt;
  bool scale_each = false;  // normalize each image by its own range
  double pad_value = 0.0;
};

// A float batch [B, C, H, W] (C = 1 or 3; also a single [C, H, W] or [H, W]) laid out as one image
// [3, H', W'] (1-channel images are repeated to 3 channels, like torchvision).
Tensor make_grid(const Tensor& images, const GridOptions& options = {});
// make_grid, then clamp to [0, 1], scale to [0, 255], round and write a PNG.
void save_image(const Tensor& images, const std::string& path, const GridOptions& options = {});

}  // namespace nabla::data
