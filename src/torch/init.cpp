// init.cpp — torch::nn::init's initialisers (torch/nn/init.h), forwarding to nabla::nn::init.
#include "torch/nn/init.h"

#include <algorithm>
#include <string>
#include <vector>

#include "nabla/autograd/grad_mode.h"
#include "nabla/nn/init.h"

namespace torch::nn::init {

namespace detail {
// nabla's name for a nonlinearity: the convolutions (any kind) and sigmoid have gain 1, like linear.
std::string nonlinearity_name(const NonlinearityType& n) {
  if (std::holds_alternative<enumtype::kReLU>(n)) return "relu";
  if (std::holds_alternative<enumtype::kLeakyReLU>(n)) return "leaky_relu";
  if (std::holds_alternative<enumtype::kTanh>(n)) return "tanh";
  return "linear";
}
nabla::nn::init::FanMode fan_mode(const FanModeType& m) {
  return std::holds_alternative<enumtype::kFanIn>(m) ? nabla::nn::init::FanMode::FanIn
                                                     : nabla::nn::init::FanMode::FanOut;
}
}  // namespace detail

// param is leaky_relu's negative slope.
double calculate_gain(NonlinearityType nonlinearity, double param) {
  return nabla::nn::init::calculate_gain(detail::nonlinearity_name(nonlinearity), param);
}
std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& tensor) {
  auto [fan_in, fan_out] = nabla::nn::init::calculate_fan_in_and_fan_out(tensor);
  return {fan_in, fan_out};
}

Tensor constant_(Tensor tensor, Scalar value) {
  nabla::NoGradGuard no_grad;
  return tensor.fill_(value);
}
Tensor ones_(Tensor tensor) { return nabla::nn::init::ones_(tensor); }
Tensor zeros_(Tensor tensor) { return nabla::nn::init::zeros_(tensor); }
Tensor uniform_(Tensor tensor, double low, double high) {
  return nabla::nn::init::uniform_(tensor, low, high);
}
Tensor normal_(Tensor tensor, double mean, double std) { return nabla::nn::init::normal_(tensor, mean, std); }
// A 2-d tensor becomes the identity (ones on the diagonal of a non-square matrix too).
Tensor eye_(Tensor matrix) {
  if (matrix.dim() != 2) throw nabla::ValueError("eye_: only tensors with 2 dimensions are supported");
  nabla::NoGradGuard no_grad;
  return matrix.copy_(torch::eye(matrix.size(0), matrix.size(1), matrix.dtype()));
}
// Conv weights [out, in, k...] preserving the input's identity: a 1 at each kernel centre of out == in.
Tensor dirac_(Tensor tensor) {
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
Tensor xavier_uniform_(Tensor tensor, double gain) { return nabla::nn::init::xavier_uniform_(tensor, gain); }
Tensor xavier_normal_(Tensor tensor, double gain) { return nabla::nn::init::xavier_normal_(tensor, gain); }
// a: leaky_relu's negative slope (used when nonlinearity is kLeakyReLU).
Tensor kaiming_uniform_(Tensor tensor, double a, FanModeType mode, NonlinearityType nonlinearity) {
  return nabla::nn::init::kaiming_uniform_(tensor, a, detail::fan_mode(mode),
                                           detail::nonlinearity_name(nonlinearity));
}
Tensor kaiming_normal_(Tensor tensor, double a, FanModeType mode, NonlinearityType nonlinearity) {
  return nabla::nn::init::kaiming_normal_(tensor, a, detail::fan_mode(mode),
                                          detail::nonlinearity_name(nonlinearity));
}
Tensor orthogonal_(Tensor tensor, double gain) { return nabla::nn::init::orthogonal_(tensor, gain); }

}  // namespace torch::nn::init
