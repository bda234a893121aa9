// init.cpp — nn::init, following torch/nn/init.py.
#include "nabla/nn/init.h"

#include <cmath>

#include "nabla/autograd/grad_mode.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::nn::init {

double calculate_gain(const std::string& nl, double param) {
  if (nl == "linear" || nl == "conv1d" || nl == "conv2d" || nl == "conv3d" || nl == "sigmoid" ||
      nl == "conv_transpose2d")
    return 1.0;
  if (nl == "tanh") return 5.0 / 3;
  if (nl == "relu") return std::sqrt(2.0);
  if (nl == "leaky_relu") return std::sqrt(2.0 / (1 + param * param));
  if (nl == "selu") return 3.0 / 4;
  throw ValueError(fmt::format("calculate_gain: unsupported nonlinearity {}", nl));
}

std::tuple<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  NABLA_CHECK(t.dim() >= 2, ValueError,
              "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape {})",
              shape_str(t.sizes()));
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

Tensor& uniform_(Tensor& t, double a, double b, RandomGenerator* gen) {
  NoGradGuard ng;
  return t.uniform_(a, b, gen);
}
Tensor& normal_(Tensor& t, double mean, double std, RandomGenerator* gen) {
  NoGradGuard ng;
  return t.normal_(mean, std, gen);
}
Tensor& constant_(Tensor& t, double v) {
  NoGradGuard ng;
  return t.fill_(v);
}
Tensor& zeros_(Tensor& t) { return constant_(t, 0); }
Tensor& ones_(Tensor& t) { return constant_(t, 1); }

Tensor& xavier_uniform_(Tensor& t, double gain, RandomGenerator* gen) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  double a = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)) * std::sqrt(3.0);
  return uniform_(t, -a, a, gen);
}
Tensor& xavier_normal_(Tensor& t, double gain, RandomGenerator* gen) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return normal_(t, 0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)), gen);
}

namespace {
double kaiming_std(const Tensor& t, double a, FanMode mode, const std::string& nl) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  int64_t fan = mode == FanMode::FanIn ? fan_in : fan_out;
  NABLA_CHECK(fan > 0, ValueError, "kaiming init: tensor of shape {} has zero fan", shape_str(t.sizes()));
  return calculate_gain(nl, a) / std::sqrt(static_cast<double>(fan));
}
}  // namespace

Tensor& kaiming_uniform_(Tensor& t, double a, FanMode mode, const std::string& nl, RandomGenerator* gen) {
  double bound = std::sqrt(3.0) * kaiming_std(t, a, mode, nl);
  return uniform_(t, -bound, bound, gen);
}
Tensor& kaiming_normal_(Tensor& t, double a, FanMode mode, const std::string& nl, RandomGenerator* gen) {
  return normal_(t, 0, kaiming_std(t, a, mode, nl), gen);
}

Tensor& orthogonal_(Tensor& t, double gain, RandomGenerator* gen) {
  NABLA_CHECK(t.dim() >= 2, ValueError,
              "orthogonal_: only tensors with 2 or more dimensions are supported (shape {})",
              shape_str(t.sizes()));
  NoGradGuard ng;
  const int64_t rows = t.size(0), cols = t.numel() / rows;
  // QR of a Gaussian matrix by modified Gram-Schmidt (in float64), with the sign fix of torch.
  const bool transpose = rows < cols;
  const int64_t m = transpose ? cols : rows, n = transpose ? rows : cols;
  Tensor a = randn({m, n}, {.dtype = kFloat64}, gen).contiguous();
  double* A = a.data_ptr<double>();
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t k = 0; k < j; ++k) {
      double dotp = 0;
      for (int64_t i = 0; i < m; ++i) dotp += A[i * n + j] * A[i * n + k];
      for (int64_t i = 0; i < m; ++i) A[i * n + j] -= dotp * A[i * n + k];
    }
    double norm = 0;
    for (int64_t i = 0; i < m; ++i) norm += A[i * n + j] * A[i * n + j];
    norm = std::sqrt(norm);
    for (int64_t i = 0; i < m; ++i) A[i * n + j] /= norm;
  }
  Tensor q = transpose ? a.t() : a;
  t.copy_((q * gain).reshape(t.sizes()));
  return t;
}

}  // namespace nabla::nn::init
