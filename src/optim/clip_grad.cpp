// clip_grad.cpp — clip_grad_norm_ and clip_grad_value_, computed the way torch.nn.utils 1.13 does:
// the total norm is the norm of the per-gradient norms, and the clip coefficient
// min(1, max_norm / (total + 1e-6)) is evaluated in the gradients' dtype.
#include "nabla/optim/clip_grad.h"

#include <cmath>

#include "nabla/autograd/grad_mode.h"
#include "nabla/ops/ops.h"
#include "ops/dispatch_dtype.h"
#include "ops/optim_kernels.h"
#include "optim/python_compat.h"
#include "util/check.h"

namespace nabla::optim {

namespace {

std::vector<Tensor> defined_grads(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> grads;
  for (const auto& p : parameters) {
    NABLA_CHECK(p.defined(), ValueError, "clip_grad: a parameter is an undefined tensor");
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  return grads;
}

// The norm of the per-gradient norms (PyTorch's definition), each accumulated in double by the fused
// kernel; non-contiguous gradients are copied first.
double total_norm_of(const std::vector<Tensor>& grads, double norm_type) {
  std::vector<double> norms;
  for (const auto& g : grads) {
    NABLA_CHECK(g.is_floating_point(), DTypeError,
                "clip_grad_norm_: gradients must be floating point, got {}", dtype_name(g.dtype()));
    norms.push_back(kernels::vector_norm(g.contiguous(), norm_type));
  }
  return kernels::vector_norm(from_buffer(norms.data(), {static_cast<int64_t>(norms.size())}, kFloat64),
                              norm_type);
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  const std::vector<Tensor> grads = defined_grads(parameters);
  if (grads.empty()) return 0.0;
  DType dtype = grads[0].dtype();
  for (const auto& g : grads) dtype = promote_types(dtype, g.dtype());
  NoGradGuard no_grad;
  const double total = total_norm_of(grads, norm_type);
  // PyTorch holds the total norm and the clip coefficient in the gradients' dtype; its
  // max_norm / (total + 1e-6) evaluates as reciprocal(total + 1e-6) * max_norm.
  double total_norm = 0, coef = 0;
  dispatch_floating(dtype, "clip_grad_norm_", [&]<typename T>() {
    const T t = static_cast<T>(total);
    const T c = (T(1) / (t + static_cast<T>(1e-6))) * static_cast<T>(max_norm);
    total_norm = static_cast<double>(t);
    coef = static_cast<double>(std::min(c, T(1)));  // clamp(max=1) keeps a NaN
  });
  NABLA_CHECK(
      !error_if_nonfinite || std::isfinite(total_norm), ValueError,
      "The total norm of order {} for gradients from `parameters` is non-finite, so it cannot be clipped. To "
      "disable this error and scale the gradients by the non-finite norm anyway, set "
      "`error_if_nonfinite=False`",
      optim::detail::py_float(norm_type));
  if (coef == 1.0) return total_norm;  // g * 1 == g: skip the pass over memory
  for (const auto& g : grads) {
    if (g.is_contiguous()) {
      kernels::scale_(g, coef);
      g.impl()->storage()->bump_version();
    } else {
      Tensor(g).mul_(coef);
    }
  }
  return total_norm;
}

double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type, bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{parameter}, max_norm, norm_type, error_if_nonfinite);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard no_grad;
  for (const auto& g : defined_grads(parameters)) Tensor(g).clamp_(-clip_value, clip_value);
}

void clip_grad_value_(const Tensor& parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor>{parameter}, clip_value);
}

}  // namespace nabla::optim
