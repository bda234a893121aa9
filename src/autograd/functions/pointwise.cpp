// pointwise.cpp — isnan/isinf/isfinite, nan_to_num, lerp, addcmul and addcdiv: compositions of
// elementwise ops, so their derivatives (and double backward) follow from those.
#include <cfloat>
#include <cmath>

#include "autograd/functions/common.h"

namespace nabla {

Tensor isnan(const Tensor& x) {
  check_defined("isnan", x);
  NoGradGuard ng;
  return x != x;
}
Tensor isinf(const Tensor& x) {
  check_defined("isinf", x);
  NoGradGuard ng;
  if (!is_floating(x.dtype())) return zeros(x.sizes(), {.dtype = kBool});
  return abs(x) == INFINITY;
}
Tensor isfinite(const Tensor& x) {
  check_defined("isfinite", x);
  NoGradGuard ng;
  if (!is_floating(x.dtype())) return ones(x.sizes(), {.dtype = kBool});
  return logical_and(x == x, abs(x) != INFINITY);
}

// The gradient passes where x is finite and is 0 where it was replaced (PyTorch's grad * isfinite(x)).
Tensor nan_to_num(const Tensor& x, double nan, std::optional<double> posinf, std::optional<double> neginf) {
  check_defined("nan_to_num", x);
  if (!is_floating(x.dtype())) return x.clone();  // integers have nothing to replace
  // torch.finfo(dtype).max
  const double big = x.dtype() == DType::Float16    ? 65504.0
                     : x.dtype() == DType::BFloat16 ? static_cast<double>(BFloat16::from_bits(0x7f7f))
                     : x.dtype() == DType::Float32  ? FLT_MAX
                                                    : DBL_MAX;
  auto value = [&](double v) { return full({}, v, {.dtype = x.dtype()}); };
  return where(x != x, value(nan),
               where(x == INFINITY, value(posinf.value_or(big)),
                     where(x == -INFINITY, value(neginf.value_or(-big)), x)));
}

namespace {
void check_lerp(const Tensor& self, const Tensor& other, const char* name) {
  NABLA_CHECK(is_floating(self.dtype()), DTypeError,
              "lerp: not implemented for {} (expected a floating-point input)", dtype_name(self.dtype()));
  NABLA_CHECK(other.dtype() == self.dtype(), DTypeError, "lerp: expected dtype {} for `{}` but got dtype {}",
              dtype_name(self.dtype()), name, dtype_name(other.dtype()));
}
}  // namespace

// PyTorch 1.13's two-sided formula, exact at weight 0 (self) and at weight 1 (end); the branch test is
// weight < 0.5 (not |weight|), which decides the result when an input is infinite.
Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight) {
  check_defined("lerp", self, end, weight);
  check_lerp(self, end, "end");
  check_lerp(self, weight, "weight");
  Tensor out;
  {
    NoGradGuard ng;
    Tensor diff = end - self;
    out = where(weight < 0.5, self + weight * diff, end - diff * (1.0 - weight));
  }
  // PyTorch's derivatives, written out: through the where() above, the unused branch's zero gradient
  // times an infinite input would be NaN.
  if (should_record({&self, &end, &weight}))
    record(OpId::lerp, {self, end, weight}, {out}, {.inputs = {0, 1, 2}},
           [](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor &a = ctx.input(0), &b = ctx.input(1), &w = ctx.input(2);
             return {ctx.needs_grad[0] ? sum_to(g[0] * (1.0 - w), a.sizes()) : Tensor(),
                     ctx.needs_grad[1] ? sum_to(g[0] * w, b.sizes()) : Tensor(),
                     ctx.needs_grad[2] ? sum_to(g[0] * (b - a), w.sizes()) : Tensor()};
           });
  return out;
}
Tensor lerp(const Tensor& self, const Tensor& end, Scalar weight) {
  check_defined("lerp", self, end);
  check_lerp(self, end, "end");
  const double w = weight.to_double();
  Tensor diff = end - self;
  return w < 0.5 ? self + diff * w : end - diff * (1.0 - w);
}
Tensor Tensor::lerp(const Tensor& end, Scalar weight) const { return nabla::lerp(*this, end, weight); }
Tensor& Tensor::lerp_(const Tensor& end, Scalar weight) {
  return lerp_(end, full({}, weight, {.dtype = dtype()}));
}

// PyTorch computes self + value * t1 * t2 (or / t2) in the promoted dtype of the three, with value
// converted to it first (an integer result truncates a floating value).
namespace {
Scalar value_in(DType dt, Scalar value) { return is_floating(dt) ? value : Scalar(value.to_int()); }
}  // namespace

Tensor addcmul(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2, Scalar value) {
  check_defined("addcmul", self, tensor1, tensor2);
  const DType dt = result_type(self, tensor1, tensor2);
  Tensor out;
  {
    NoGradGuard ng;
    out = to_dtype(self, dt) + to_dtype(tensor1, dt) * value_in(dt, value) * to_dtype(tensor2, dt);
  }
  // PyTorch's derivatives: grad * (tensor2 * value) at the output's shape, then summed to tensor1's
  // (likewise for tensor2), with tensor2 * value in tensor2's own dtype (a uint8 tensor2 wraps). As a
  // composite, a broadcast operand's gradient was sum(grad) * inf where PyTorch sums grad * inf
  // terms (+-inf instead of NaN), and NaN * 0 instead of 0 where the output is empty.
  if (should_record({&self, &tensor1, &tensor2}))
    record(OpId::addcmul, {self, tensor1, tensor2}, {out}, {.inputs = {0, 1, 2}},
           [value](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor &x = ctx.input(0), &t1 = ctx.input(1), &t2 = ctx.input(2);
             return {ctx.needs_grad[0] ? sum_to(g[0], x.sizes()) : Tensor(),
                     ctx.needs_grad[1] ? sum_to(g[0] * (t2 * value), t1.sizes()) : Tensor(),
                     ctx.needs_grad[2] ? sum_to(g[0] * (t1 * value), t2.sizes()) : Tensor()};
           });
  return out;
}

Tensor addcdiv(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2, Scalar value) {
  check_defined("addcdiv", self, tensor1, tensor2);
  NABLA_CHECK(is_floating(tensor1.dtype()) || is_floating(tensor2.dtype()), DTypeError,
              "addcdiv: Integer division with addcdiv is no longer supported (tensor1 {}, tensor2 {}); use "
              "(input + value * trunc(tensor1 / tensor2)).to(input.dtype) or a floating tensor1",
              dtype_name(tensor1.dtype()), dtype_name(tensor2.dtype()));
  const DType dt = result_type(self, tensor1, tensor2);
  Tensor a = to_dtype(self, dt), t1 = to_dtype(tensor1, dt), t2 = to_dtype(tensor2, dt);
  Tensor out;
  {
    NoGradGuard ng;
    out = a + t1 * value / t2;
  }
  // PyTorch's derivatives, in its order of operations: composing mul and div's gives other roundings
  // at the extremes (inf instead of NaN at t1 = 0 where t2 * t2 underflows).
  if (should_record({&a, &t1, &t2}))
    record(OpId::addcdiv, {a, t1, t2}, {out}, {.inputs = {0, 1, 2}},
           [value](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor &x = ctx.input(0), &t1 = ctx.input(1), &t2 = ctx.input(2);
             return {ctx.needs_grad[0] ? sum_to(g[0], x.sizes()) : Tensor(),
                     ctx.needs_grad[1] ? sum_to(g[0] * (value / t2), t1.sizes()) : Tensor(),
                     ctx.needs_grad[2] ? sum_to(-g[0] * (t1 * value / (t2 * t2)), t2.sizes()) : Tensor()};
           });
  return out;
}

}  // namespace nabla
