// torch/nn/init.h — torch::nn::init: LibTorch's in-place initialisers (tensor by value — it is a handle
// — and returned), forwarding to nabla::nn::init. All run without autograd, as LibTorch's do.
#pragma once
#include <algorithm>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "nabla/autograd/grad_mode.h"
#include "nabla/nn/init.h"
#include "torch/enum.h"
#include "torch/types.h"

namespace torch::nn::init {

using NonlinearityType =
    std::variant<enumtype::kLinear, enumtype::kConv1D, enumtype::kConv2D, enumtype::kConv3D,
                 enumtype::kConvTranspose1D, enumtype::kConvTranspose2D, enumtype::kConvTranspose3D,
                 enumtype::kSigmoid, enumtype::kTanh, enumtype::kReLU, enumtype::kLeakyReLU>;
using FanModeType = std::variant<enumtype::kFanIn, enumtype::kFanOut>;

namespace detail {
// nabla's name for a nonlinearity: the convolutions (any kind) and sigmoid have gain 1, like linear.
inline std::string nonlinearity_name(const NonlinearityType& n) {
  if (std::holds_alternative<enumtype::kReLU>(n)) return "relu";
  if (std::holds_alternative<enumtype::kLeakyReLU>(n)) return "leaky_relu";
  if (std::holds_alternative<enumtype::kTanh>(n)) return "tanh";
  return "linear";
}
inline nabla::nn::init::FanMode fan_mode(const FanModeType& m) {
  return std::holds_alternative<enumtype::kFanIn>(m) ? nabla::nn::init::FanMode::FanIn
                                                     : nabla::nn::init::FanMode::FanOut;
}
}  // namespace detail

// param is leaky_relu's negative slope.
inline double calculate_gain(NonlinearityType nonlinearity, double param = 0.01) {
  return nabla::nn::init::calculate_gain(detail::nonlinearity_name(nonlinearity), param);
}
inline std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& tensor) {
  auto [fan_in, fan_out] = nabla::nn::init::calculate_fan_in_and_fan_out(tensor);
  return {fan_in, fan_out};
}

inline Tensor constant_(Tensor tensor, Scalar value) {
  nabla::NoGradGuard no_grad;
  return tensor.fill_(value);
}
inline Tensor ones_(Tensor tensor) { return nabla::nn::init::ones_(tensor); }
inline Tensor zeros_(Tensor tensor) { return nabla::nn::init::zeros_(tensor); }
inline Tensor uniform_(Tensor tensor, double low = 0, double high = 1) {
  return nabla::nn::init::uniform_(tensor, low, high);
}
inline Tensor normal_(Tensor tensor, double mean = 0, double std = 1) {
  return nabla::nn::init::normal_(tensor, mean, std);
}
// A 2-d tensor becomes the identity (ones on the diagonal of a non-square matrix too).
inline Tensor eye_(Tensor matrix) {
  if (matrix.dim() != 2) throw nabla::ValueError("eye_: only tensors with 2 dimensions are supported");
  nabla::NoGradGuard no_grad;
  return matrix.copy_(torch::eye(matrix.size(0), matrix.size(1), matrix.dtype()));
}
// Conv weights [out, in, k...] preserving the input's identity: a 1 at each kernel centre of out == in.
inline Tensor dirac_(Tensor tensor) {
  const int64_t d = tensor.dim();
  if (d < 3 || d > 5)
    throw nabla::ValueError("dirac_: only tensors with 3, 4, or 5 dimensions are supported");
  nabla::NoGradGuard no_grad;
  tensor.zero_();
  const int64_t n = std::min(tensor.size(0), tensor.size(1));
  for (int64_t i = 0; i < n; ++i) {
    std::vector<nabla::TensorIndex> at{i, i};
    for (int64_t k = 2; k < d; ++k) at.emplace_back(tensor.size(k) / 2);
    tensor.index_put_(at, 1);
  }
  return tensor;
}
inline Tensor xavier_uniform_(Tensor tensor, double gain = 1.0) {
  return nabla::nn::init::xavier_uniform_(tensor, gain);
}
inline Tensor xavier_normal_(Tensor tensor, double gain = 1.0) {
  return nabla::nn::init::xavier_normal_(tensor, gain);
}
// a: leaky_relu's negative slope (used when nonlinearity is kLeakyReLU).
inline Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanModeType mode = torch::kFanIn,
                               NonlinearityType nonlinearity = torch::kLeakyReLU) {
  return nabla::nn::init::kaiming_uniform_(tensor, a, detail::fan_mode(mode),
                                           detail::nonlinearity_name(nonlinearity));
}
inline Tensor kaiming_normal_(Tensor tensor, double a = 0, FanModeType mode = torch::kFanIn,
                              NonlinearityType nonlinearity = torch::kLeakyReLU) {
  return nabla::nn::init::kaiming_normal_(tensor, a, detail::fan_mode(mode),
                                          detail::nonlinearity_name(nonlinearity));
}
inline Tensor orthogonal_(Tensor tensor, double gain = 1.0) {
  return nabla::nn::init::orthogonal_(tensor, gain);
}

}  // namespace torch::nn::init
