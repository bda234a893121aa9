// modules.cpp — what the LibTorch-style modules (torch/nn/modules/) keep out of line.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "torch/nn/modules/common.h"
#include "torch/nn/modules/conv.h"

namespace torch::nn::detail {

void reset_affine(Tensor& weight, Tensor& bias) {
  nabla::NoGradGuard no_grad;
  nabla::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double fan_in =
        static_cast<double>(std::get<0>(nabla::nn::init::calculate_fan_in_and_fan_out(weight)));
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(fan_in) : 0.0;
    nabla::nn::init::uniform_(bias, -bound, bound);
  }
}

}  // namespace torch::nn::detail

namespace torch::nn {

// forward(input, output_size): the output padding giving the requested size, chosen as LibTorch does.
Tensor ConvTranspose2dImpl::forward(const Tensor& input,
                                    const std::optional<nabla::IntArrayRef>& output_size) {
  if (!output_size) return forward(Tensor(input));
  const auto& o = nabla::nn::ConvTranspose2d::options;
  const int64_t n = static_cast<int64_t>(output_size->size());
  if (n != 2 && n != 4)
    throw nabla::ValueError("ConvTranspose2d: output_size must have 2 or 4 elements, got " +
                            std::to_string(n));
  nabla::nn::functional::ConvTransposeOptions c{
      .stride = o.stride.v, .padding = o.padding.v, .dilation = o.dilation.v, .groups = o.groups};
  for (int d = 0; d < 2; ++d) {
    const int64_t in = input.size(input.dim() - 2 + d);
    const int64_t min_size =
        (in - 1) * o.stride.v[d] - 2 * o.padding.v[d] + o.dilation.v[d] * (kernel_size.v[d] - 1) + 1;
    const int64_t extra = (*output_size)[n - 2 + d] - min_size;
    if (extra < 0 || extra >= std::max(o.stride.v[d], o.dilation.v[d]))
      throw nabla::ValueError("ConvTranspose2d: requested output size " +
                              std::to_string((*output_size)[n - 2 + d]) +
                              " is not reachable: it must be in [" + std::to_string(min_size) + ", " +
                              std::to_string(min_size + std::max(o.stride.v[d], o.dilation.v[d]) - 1) + "]");
    c.output_padding[d] = extra;
  }
  return nabla::nn::functional::conv_transpose2d(input, weight, bias, c);
}

}  // namespace torch::nn
