// upsampling.cpp — the bodies of torch/nn/functional/upsampling.h's wrappers, compiled once here rather than
// in every program that includes <torch/torch.h> (docs/libtorch.md, "Compile time").
#include "torch/nn/functional/upsampling.h"

namespace torch::nn::functional {

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options) {
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
