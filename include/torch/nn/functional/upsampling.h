// torch/nn/functional/upsampling.h — F::interpolate with LibTorch's InterpolateFuncOptions.
// nabla covers 3-D and 4-D inputs (modes nearest, nearest-exact, linear, bilinear, bicubic, area);
// trilinear and antialias are rejected.
#pragma once
#include <optional>
#include <variant>
#include <vector>

#include "torch/nn/functional/impl.h"

namespace torch::nn::functional {

struct InterpolateFuncOptions {
  using mode_t = std::variant<enumtype::kNearest, enumtype::kLinear, enumtype::kBilinear, enumtype::kBicubic,
                              enumtype::kTrilinear, enumtype::kArea, enumtype::kNearestExact>;
  TORCH_ARG(std::optional<std::vector<int64_t>>, size) = std::nullopt;
  TORCH_ARG(std::optional<std::vector<double>>, scale_factor) = std::nullopt;
  TORCH_ARG(mode_t, mode) = torch::kNearest;
  TORCH_ARG(std::optional<bool>, align_corners) = std::nullopt;
  TORCH_ARG(std::optional<bool>, recompute_scale_factor) = std::nullopt;
  TORCH_ARG(bool, antialias) = false;
};

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options = {});

}  // namespace torch::nn::functional
