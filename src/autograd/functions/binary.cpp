// binary.cpp — elementwise binary ops: forward (broadcast + promotion + kernel) and derivative.
#include <cmath>
#include <iterator>

#include "autograd/functions/common.h"

namespace nabla {

using kernels::Binary;

namespace {

// Op names by Binary kernel, from the op table's kernel column (as kernels::Binary itself), so a new
// binary row can't shift them; then the backward-only helpers.
#define NABLA_BINARY_NAME_ROW(name, arity, diff, dbl, forms, kernel, ...) NABLA_KBN_##kernel(#name)
#define NABLA_KBN_none NABLA_KBN_DROP
#define NABLA_KBN_U(e) NABLA_KBN_DROP
#define NABLA_KBN_UF(e) NABLA_KBN_DROP
#define NABLA_KBN_B(e) NABLA_KBN_KEEP
#define NABLA_KBN_BC(e) NABLA_KBN_KEEP
#define NABLA_KBN_DROP(n)
#define NABLA_KBN_KEEP(n) n,
constexpr const char* kBinaryNames[] = {NABLA_FOREACH_OP(NABLA_BINARY_NAME_ROW) "threshold_grad"};
static_assert(std::size(kBinaryNames) == static_cast<size_t>(Binary::ThresholdGrad) + 1,
              "a name for every kernels::Binary");

const char* binary_name(Binary op) { return kBinaryNames[static_cast<int>(op)]; }

// The dtype the kernel computes in: the promoted type, except true division of integers -> float32.
DType compute_dtype(Binary op, const Tensor& a, const Tensor& b) {
  DType t = result_type(a, b);
  if (op == Binary::Div && !is_floating(t)) return DType::Float32;
  return t;
}

void check_binary_dtypes(Binary op, DType t) {
  NABLA_CHECK(!(op == Binary::Sub && t == DType::Bool), DTypeError,
              "sub: subtraction, the `-` operator, with two bool tensors is not supported; use logical_xor");
}

}  // namespace

// Out-of-place forward with no autograd. Exposed for in-place variants.
Tensor binary_forward(Binary op, const Tensor& a, const Tensor& b, double alpha) {
  check_defined(binary_name(op), a, b);
  // Fast path (the eager hot path): same shape and dtype, so no broadcasting and no conversion.
  if (a.dtype() == b.dtype() && a.sizes() == b.sizes() && (op != Binary::Div || is_floating(a.dtype()))) {
    check_binary_dtypes(op, a.dtype());
    // The result takes a channels-last layout from either operand (the other may be a broadcast).
    const Tensor& like = raw::is_strictly_channels_last(b) ? b : a;
    Tensor out = raw::empty_like_layout(like, kernels::binary_is_comparison(op) ? DType::Bool : a.dtype());
    kernels::binary(op, out, a, b, alpha);
    return out;
  }
  std::vector<int64_t> shape;
  if (a.sizes() == b.sizes())
    shape = a.sizes().vec();
  else {
    try {
      shape = broadcast_shapes(a.sizes(), b.sizes());
    } catch (const ShapeError&) {
      throw ShapeError(fmt::format("{}: shapes {} and {} are not broadcastable", binary_name(op),
                                   shape_str(a.sizes()), shape_str(b.sizes())));
    }
  }
  const DType ct = compute_dtype(op, a, b);
  check_binary_dtypes(op, ct);
  const DType out_dt = kernels::binary_is_comparison(op) ? DType::Bool : ct;
  Tensor out = a.sizes() == shape   ? raw::empty_like_layout(a, out_dt)
               : b.sizes() == shape ? raw::empty_like_layout(b, out_dt)
                                    : raw::empty(shape, out_dt, a.device());
  Tensor ac = convert(a, ct), bc = convert(b, ct);
  kernels::binary(op, out, a.sizes() == shape ? ac : raw::expand(ac, shape),
                  b.sizes() == shape ? bc : raw::expand(bc, shape), alpha);
  return out;
}

Tensor add(const Tensor& a, const Tensor& b, Scalar alpha) {
  Tensor out = binary_forward(Binary::Add, a, b, alpha.to_double());
  if (should_record({&a, &b}))
    record(OpId::add, {a, b}, {out}, {},
           [sa = DimVec(a.sizes()), sb = DimVec(b.sizes()), al = alpha.to_double()](
               const BackwardContext& ctx, const TensorList& g) -> TensorList {
             return {ctx.needs_grad[0] ? sum_to(g[0], sa) : Tensor(),
                     ctx.needs_grad[1] ? sum_to(al == 1 ? g[0] : g[0] * al, sb) : Tensor()};
           });
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha) {
  Tensor out = binary_forward(Binary::Sub, a, b, alpha.to_double());
  if (should_record({&a, &b}))
    record(OpId::sub, {a, b}, {out}, {},
           [sa = DimVec(a.sizes()), sb = DimVec(b.sizes()), al = alpha.to_double()](
               const BackwardContext& ctx, const TensorList& g) -> TensorList {
             return {ctx.needs_grad[0] ? sum_to(g[0], sa) : Tensor(),
                     ctx.needs_grad[1] ? sum_to(g[0] * -al, sb) : Tensor()};
           });
  return out;
}

// Like PyTorch, mul saves a factor only when the other factor's gradient needs it (and div its
// numerator only for the denominator's): x * 2 keeps no alias of x, so x may be written in place later.
namespace {
autograd::Slots saved_factors(const Tensor& a, const Tensor& b) {
  const bool ga = a.requires_grad(), gb = b.requires_grad();
  return ga && gb ? autograd::Slots{0, 1} : ga ? autograd::Slots{1} : autograd::Slots{0};
}
}  // namespace

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(Binary::Mul, a, b, 1);
  if (should_record({&a, &b}))
    record(OpId::mul, {a, b}, {out}, {.inputs = saved_factors(a, b)},
           [sa = DimVec(a.sizes()), sb = DimVec(b.sizes())](const BackwardContext& ctx,
                                                            const TensorList& g) -> TensorList {
             return {ctx.needs_grad[0] ? sum_to(g[0] * ctx.input(1), sa) : Tensor(),
                     ctx.needs_grad[1] ? sum_to(g[0] * ctx.input(0), sb) : Tensor()};
           });
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(Binary::Div, a, b, 1);
  if (should_record({&a, &b}))
    record(OpId::div, {a, b}, {out},
           {.inputs = b.requires_grad() ? autograd::Slots{0, 1} : autograd::Slots{1}},
           [sa = DimVec(a.sizes())](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor& b = ctx.input(1);
             return {ctx.needs_grad[0] ? sum_to(g[0] / b, sa) : Tensor(),
                     // PyTorch's -g * (a / b) / b: b * b would underflow to 0 for |b| < 1e-19.
                     ctx.needs_grad[1] ? sum_to(-g[0] * (ctx.input(0) / b) / b, b.sizes()) : Tensor()};
           });
  return out;
}

Tensor pow(const Tensor& a, const Tensor& e) {
  Tensor out = binary_forward(Binary::Pow, a, e, 1);
  if (should_record({&a, &e}))
    record(OpId::pow, {a, e}, {out}, {.inputs = {0, 1}},
           [](const BackwardContext& ctx, const TensorList& gs) -> TensorList {
             // float16/bfloat16 in float32, rounded once (e * a^(e-1) overflowed float16 at 1.2e5
             // where the gradient, 4.3e4, fits: Note [float16 and bfloat16]).
             const Tensor a = float32_if_reduced(ctx.input(0)), e = float32_if_reduced(ctx.input(1));
             const TensorList g = {float32_if_reduced(gs[0])};
             Tensor ga, ge;
             if (ctx.needs_grad[0]) {
               // d/da a^e = e * a^(e-1), defined as 0 where e == 0 (PyTorch's convention).
               Tensor d = where(e == 0.0, zeros_like(a), e * pow(a, e - 1.0));
               ga = sum_to(g[0] * d, a.sizes());
             }
             if (ctx.needs_grad[1]) {
               // d/de a^e = a^e * log(a), defined as 0 where a == 0 and e >= 0.
               Tensor d = pow(a, e) * log(a);
               d = where(logical_and(a == 0.0, e >= 0.0), zeros_like(d), d);
               ge = sum_to(g[0] * d, e.sizes());
             }
             return {ga, ge};
           });
  return out;
}

Tensor pow(Scalar a, const Tensor& e) { return pow(wrap_scalar(a), e); }

namespace {
// minimum/maximum: the gradient goes to the chosen input; ties split it in half (PyTorch 1.13).
TensorList min_max_backward(const BackwardContext& ctx, const TensorList& g, bool is_max) {
  const Tensor &a = ctx.input(0), &b = ctx.input(1);
  Tensor half = g[0] * 0.5;
  // As PyTorch: a side loses its gradient only when the other strictly wins, so with a NaN (no order)
  // both sides get all of it.
  Tensor a_wins = is_max ? gt(a, b) : lt(a, b), b_wins = is_max ? lt(a, b) : gt(a, b);
  Tensor tie = eq(a, b);
  Tensor zero = zeros_like(g[0]);
  Tensor ga = where(tie, half, where(b_wins, zero, g[0]));
  Tensor gb = where(tie, half, where(a_wins, zero, g[0]));
  return {ctx.needs_grad[0] ? sum_to(ga, a.sizes()) : Tensor(),
          ctx.needs_grad[1] ? sum_to(gb, b.sizes()) : Tensor()};
}
}  // namespace

Tensor minimum(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(Binary::Minimum, a, b, 1);
  if (should_record({&a, &b}))
    record(OpId::minimum, {a, b}, {out}, {.inputs = {0, 1}},
           [](const BackwardContext& ctx, const TensorList& g) { return min_max_backward(ctx, g, false); });
  return out;
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(Binary::Maximum, a, b, 1);
  if (should_record({&a, &b}))
    record(OpId::maximum, {a, b}, {out}, {.inputs = {0, 1}},
           [](const BackwardContext& ctx, const TensorList& g) { return min_max_backward(ctx, g, true); });
  return out;
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  check_defined("where", cond, a, b);
  NABLA_CHECK(cond.dtype() == DType::Bool, DTypeError,
              "where: expected condition to be a bool tensor, got {}", dtype_name(cond.dtype()));
  std::vector<int64_t> shape;
  try {
    shape = broadcast_shapes(broadcast_shapes(cond.sizes(), a.sizes()), b.sizes());
  } catch (const ShapeError&) {
    throw ShapeError(fmt::format("where: shapes {}, {} and {} are not broadcastable", shape_str(cond.sizes()),
                                 shape_str(a.sizes()), shape_str(b.sizes())));
  }
  const DType dt = result_type(a, b);
  Tensor out = raw::empty(shape, dt);
  kernels::where(out, raw::expand(cond, shape), raw::expand(convert(a, dt), shape),
                 raw::expand(convert(b, dt), shape));
  if (should_record({&a, &b}))
    record(OpId::where, {cond, a, b}, {out}, {.inputs = {0}},
           [sa = DimVec(a.sizes()), sb = DimVec(b.sizes())](const BackwardContext& ctx,
                                                            const TensorList& g) -> TensorList {
             const Tensor& c = ctx.input(0);
             Tensor zero = zeros_like(g[0]);
             return {Tensor(), ctx.needs_grad[1] ? sum_to(where(c, g[0], zero), sa) : Tensor(),
                     ctx.needs_grad[2] ? sum_to(where(c, zero, g[0]), sb) : Tensor()};
           });
  return out;
}

// Comparisons and logical ops: not differentiable, bool results.
Tensor eq(const Tensor& a, const Tensor& b) { return binary_forward(Binary::Eq, a, b, 1); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary_forward(Binary::Ne, a, b, 1); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_forward(Binary::Lt, a, b, 1); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_forward(Binary::Le, a, b, 1); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_forward(Binary::Gt, a, b, 1); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_forward(Binary::Ge, a, b, 1); }
Tensor logical_and(const Tensor& a, const Tensor& b) { return binary_forward(Binary::LogicalAnd, a, b, 1); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return binary_forward(Binary::LogicalOr, a, b, 1); }
Tensor logical_xor(const Tensor& a, const Tensor& b) { return binary_forward(Binary::LogicalXor, a, b, 1); }

// Scalar operands are wrapped numbers.
Tensor add(const Tensor& a, Scalar b) { return add(a, wrap_scalar(b)); }
Tensor sub(const Tensor& a, Scalar b) { return sub(a, wrap_scalar(b)); }
Tensor mul(const Tensor& a, Scalar b) { return mul(a, wrap_scalar(b)); }
Tensor div(const Tensor& a, Scalar b) { return div(a, wrap_scalar(b)); }

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, Scalar b) { return add(a, b); }
Tensor operator-(const Tensor& a, Scalar b) { return sub(a, b); }
Tensor operator*(const Tensor& a, Scalar b) { return mul(a, b); }
Tensor operator/(const Tensor& a, Scalar b) { return div(a, b); }
Tensor operator+(Scalar a, const Tensor& b) { return add(wrap_scalar(a), b); }
Tensor operator-(Scalar a, const Tensor& b) { return sub(wrap_scalar(a), b); }
Tensor operator*(Scalar a, const Tensor& b) { return mul(wrap_scalar(a), b); }
Tensor operator/(Scalar a, const Tensor& b) { return div(wrap_scalar(a), b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator==(const Tensor& a, Scalar b) { return eq(a, wrap_scalar(b)); }
Tensor operator!=(const Tensor& a, Scalar b) { return ne(a, wrap_scalar(b)); }
Tensor operator<(const Tensor& a, Scalar b) { return lt(a, wrap_scalar(b)); }
Tensor operator<=(const Tensor& a, Scalar b) { return le(a, wrap_scalar(b)); }
Tensor operator>(const Tensor& a, Scalar b) { return gt(a, wrap_scalar(b)); }
Tensor operator>=(const Tensor& a, Scalar b) { return ge(a, wrap_scalar(b)); }
Tensor operator&&(const Tensor& a, const Tensor& b) { return logical_and(a, b); }
Tensor operator||(const Tensor& a, const Tensor& b) { return logical_or(a, b); }
Tensor operator!(const Tensor& a) { return logical_not(a); }

}  // namespace nabla
