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

inline Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options = {}) {
  impl::check<nabla::NotImplementedError>(!options.antialias(),
                                          "interpolate: antialias is not supported by nabla");
  nabla::nn::functional::InterpolateOptions o;
  if (options.size()) o.size = *options.size();
  if (options.scale_factor()) o.scale_factor = *options.scale_factor();
  o.mode = impl::tag_name(options.mode());
  o.align_corners = options.align_corners();
  o.recompute_scale_factor = options.recompute_scale_factor();
  return nabla::nn::functional::interpolate(input, o);
}

}  // namespace torch::nn::functional
