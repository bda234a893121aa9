// unary.cpp — elementwise unary ops: forward and derivative side by side. Derivatives use
// differentiable ops only, so create_graph (double backward) works for all of them.
#include <cmath>

#include "autograd/functions/common.h"
#include "autograd/functions/inplace.h"
#include "autograd/observer.h"

namespace nabla {

using kernels::Unary;
using kernels::UnaryArgs;

Tensor unary_forward(Unary op, const Tensor& x, const UnaryArgs& args, const char* name) {
  check_defined(name, x);
  NABLA_CHECK(!(x.dtype() == DType::Bool && (op == Unary::Neg || op == Unary::Sign || op == Unary::Abs)),
              DTypeError, "{}: not supported on a bool tensor", name);
  DType ct = kernels::unary_needs_floating(op) ? floating_of(x.dtype()) : x.dtype();
  if (op == Unary::Relu || op == Unary::Clamp || op == Unary::Floor || op == Unary::Ceil ||
      op == Unary::Round)
    NABLA_CHECK(x.dtype() != DType::Bool, DTypeError, "{}: not supported on a bool tensor", name);
  Tensor out = raw::empty_like_layout(x, op == Unary::LogicalNot ? DType::Bool : ct);
  kernels::unary(op, out, convert(x, ct), args);
  return out;
}

namespace {
// What a unary derivative reads besides the incoming gradient: nothing, the input x or the output y.
enum class Keep { Nothing, Input, Output };

// Records a unary op whose derivative is d(kept, g) -> grad_x, `kept` being x, y or undefined.
template <typename D>
Tensor unary_op(OpId id, Unary op, const Tensor& x, const UnaryArgs& args, Keep keep, D deriv) {
  Tensor out = unary_forward(op, x, args, op_info(id).name.data());
  if (should_record({&x})) {
    autograd::Save save;
    if (keep == Keep::Input) save.inputs = {0};
    if (keep == Keep::Output) save.outputs = {0};
    record(id, {x}, {out}, save,
           [deriv, keep](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor kept = keep == Keep::Input    ? ctx.input(0)
                                 : keep == Keep::Output ? ctx.output(0)
                                                        : Tensor();
             return {deriv(kept, g[0])};
           });
  }
  return out;
}
constexpr double kSqrt2OverPi = 0.7978845608028654, kGeluCoef = 0.044715, kInvSqrt2Pi = 0.3989422804014327;
}  // namespace

Tensor neg(const Tensor& x) {
  return unary_op(OpId::neg, Unary::Neg, x, {}, Keep::Nothing,
                  [](const Tensor&, const Tensor& g) { return -g; });
}
Tensor exp(const Tensor& x) {
  return unary_op(OpId::exp, Unary::Exp, x, {}, Keep::Output,
                  [](const Tensor& y, const Tensor& g) { return g * y; });
}
Tensor log(const Tensor& x) {
  return unary_op(OpId::log, Unary::Log, x, {}, Keep::Input,
                  [](const Tensor& x, const Tensor& g) { return g / x; });
}
Tensor log1p(const Tensor& x) {
  return unary_op(OpId::log1p, Unary::Log1p, x, {}, Keep::Input,
                  [](const Tensor& x, const Tensor& g) { return g / (x + 1.0); });
}
Tensor sqrt(const Tensor& x) {
  return unary_op(OpId::sqrt, Unary::Sqrt, x, {}, Keep::Output,
                  [](const Tensor& y, const Tensor& g) { return g / (y * 2.0); });
}
Tensor rsqrt(const Tensor& x) {
  return unary_op(OpId::rsqrt, Unary::Rsqrt, x, {}, Keep::Output,
                  [](const Tensor& y, const Tensor& g) { return g * pow(y, 3.0) * -0.5; });
}
Tensor abs(const Tensor& x) {
  return unary_op(OpId::abs, Unary::Abs, x, {}, Keep::Input,
                  [](const Tensor& x, const Tensor& g) { return g * sign(x); });
}
Tensor sign(const Tensor& x) {
  if (x.defined() && x.dtype() == DType::Bool) return x.clone();  // PyTorch: sign of a bool is itself
  return unary_op(OpId::sign, Unary::Sign, x, {}, Keep::Nothing,
                  [](const Tensor&, const Tensor& g) { return zeros_like(g); });
}
Tensor sin(const Tensor& x) {
  return unary_op(OpId::sin, Unary::Sin, x, {}, Keep::Input,
                  [](const Tensor& x, const Tensor& g) { return g * cos(x); });
}
Tensor cos(const Tensor& x) {
  return unary_op(OpId::cos, Unary::Cos, x, {}, Keep::Input,
                  [](const Tensor& x, const Tensor& g) { return -g * sin(x); });
}
Tensor tanh(const Tensor& x) {
  return unary_op(OpId::tanh, Unary::Tanh, x, {}, Keep::Output,
                  [](const Tensor& y, const Tensor& g) { return g * (1.0 - y * y); });
}
Tensor sigmoid(const Tensor& x) {
  return unary_op(OpId::sigmoid, Unary::Sigmoid, x, {}, Keep::Output,
                  [](const Tensor& y, const Tensor& g) { return g * y * (1.0 - y); });
}
namespace {
Tensor relu_backward(const Tensor& y, const Tensor& g) {
  if (!is_grad_enabled() && g.sizes() == y.sizes() && g.dtype() == y.dtype()) {  // one fused pass
    Tensor out = raw::empty_like_layout(g, g.dtype());
    kernels::binary(kernels::Binary::ThresholdGrad, out, g, y);
    return out;
  }
  return g * convert(logical_not(y <= 0), g.dtype());  // differentiable form, for create_graph
}
}  // namespace
Tensor relu(const Tensor& x) { return unary_op(OpId::relu, Unary::Relu, x, {}, Keep::Output, relu_backward); }

// relu_ writes into self's storage directly. The generic in-place path (Note [In-place ops and
// autograd]) computes from a clone and copies back, so that the node's saved tensors are not the
// storage being overwritten; relu's backward saves only its output, which is what self becomes. One
// pass instead of three (clone, relu, copy): on a 128x16x32x32 activation 0.28 instead of 0.86 ms, as
// torchvision-style ReLU(inplace=True) code expects. Under a tracer (the ONNX export) it takes the
// generic path, which the tracer sees as a relu.
Tensor& Tensor::relu_() {
  if (autograd::op_observer()) return inplace("relu_", *this, {}, [](const Tensor& s) { return s.relu(); });
  check_defined("relu_", *this);
  NABLA_CHECK(dtype() != DType::Bool, DTypeError, "relu_: not supported on a bool tensor");
  const bool tracked = is_grad_enabled() && requires_grad();
  if (tracked) autograd::check_inplace_autograd("relu_", *this);
  kernels::unary(Unary::Relu, *this, *this);
  bump(*this);
  if (tracked) {
    // r: self's storage under a new handle, the relu node's output; self then takes over its history.
    Tensor r = raw::as_strided(*this, sizes(), strides(), storage_offset());
    record(OpId::relu, {*this}, {r}, {.outputs = {0}},
           [](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             return {relu_backward(ctx.output(0), g[0])};
           });
    autograd::rebase_history(*this, r);
  }
  return *this;
}
Tensor leaky_relu(const Tensor& x, double slope) {
  UnaryArgs a;
  a.a = slope;
  return unary_op(OpId::leaky_relu, Unary::LeakyRelu, x, a, Keep::Input,
                  [slope](const Tensor& x, const Tensor& g) { return where(x > 0, g, g * slope); });
}
Tensor erf(const Tensor& x) {
  return unary_op(OpId::erf, Unary::Erf, x, {}, Keep::Input, [](const Tensor& x, const Tensor& g) {
    return g * exp(-(x * x)) * (2.0 / std::sqrt(M_PI));
  });
}
Tensor expm1(const Tensor& x) {
  return unary_op(OpId::expm1, Unary::Expm1, x, {}, Keep::Output,
                  [](const Tensor& y, const Tensor& g) { return g * (y + 1.0); });
}
Tensor gelu(const Tensor& x, const std::string& approximate) {
  check_defined("gelu", x);
  NABLA_CHECK(approximate == "none" || approximate == "tanh", ValueError,
              "gelu: approximate must be 'none' or 'tanh', got '{}'", approximate);
  if (approximate == "tanh")
    return unary_op(OpId::gelu, Unary::GeluTanh, x, {}, Keep::Input, [](const Tensor& x, const Tensor& g) {
      Tensor x2 = x * x;
      Tensor t = tanh((x + x2 * x * kGeluCoef) * kSqrt2OverPi);
      Tensor d = (1.0 + t) * 0.5 + x * (1.0 - t * t) * (1.0 + x2 * (3 * kGeluCoef)) * (0.5 * kSqrt2OverPi);
      return g * d;
    });
  return unary_op(OpId::gelu, Unary::Gelu, x, {}, Keep::Input, [](const Tensor& x, const Tensor& g) {
    Tensor cdf = (1.0 + erf(x * M_SQRT1_2)) * 0.5;
    Tensor pdf = exp(x * x * -0.5) * kInvSqrt2Pi;
    return g * (cdf + x * pdf);
  });
}
Tensor softplus(const Tensor& x, double beta, double threshold) {
  UnaryArgs a;
  a.a = beta;
  a.b = threshold;
  return unary_op(OpId::softplus, Unary::Softplus, x, a, Keep::Input,
                  [beta, threshold](const Tensor& x, const Tensor& g) {
                    Tensor bx = x * beta;
                    return where(bx > threshold, g, g * sigmoid(bx));
                  });
}
Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  check_defined("clamp", x);
  NABLA_CHECK(min || max, ValueError, "clamp: at least one of 'min' or 'max' must not be None");
  // Floating bounds promote an integer tensor (PyTorch: clamp(int64, -0.5, 2.5) is float32).
  const bool float_bound = (min && min->is_floating()) || (max && max->is_floating());
  if (!is_floating(x.dtype()) && float_bound) return clamp(to_dtype(x, DType::Float32), min, max);
  // A bool tensor with integer bounds computes in int64 (PyTorch's result type of bool and an int).
  if (x.dtype() == DType::Bool) return clamp(to_dtype(x, DType::Int64), min, max);
  UnaryArgs a;
  a.has_a = min.has_value();
  a.has_b = max.has_value();
  a.a = min ? min->to_double() : 0;
  a.b = max ? max->to_double() : 0;
  return unary_op(OpId::clamp, Unary::Clamp, x, a, Keep::Input, [a](const Tensor& x, const Tensor& g) {
    Tensor keep = ones_like(x, {.dtype = kBool});
    if (a.has_a) keep = logical_and(keep, x >= a.a);
    if (a.has_b) keep = logical_and(keep, x <= a.b);
    return g * convert(keep, g.dtype());
  });
}
Tensor floor(const Tensor& x) {
  return unary_op(OpId::floor, Unary::Floor, x, {}, Keep::Nothing,
                  [](const Tensor&, const Tensor& g) { return zeros_like(g); });
}
Tensor ceil(const Tensor& x) {
  return unary_op(OpId::ceil, Unary::Ceil, x, {}, Keep::Nothing,
                  [](const Tensor&, const Tensor& g) { return zeros_like(g); });
}
Tensor round(const Tensor& x) {
  return unary_op(OpId::round, Unary::Round, x, {}, Keep::Nothing,
                  [](const Tensor&, const Tensor& g) { return zeros_like(g); });
}
Tensor logical_not(const Tensor& x) { return unary_forward(Unary::LogicalNot, x, {}, "logical_not"); }

Tensor pow(const Tensor& x, Scalar e) {
  check_defined("pow", x);
  // Integer tensors with a float exponent compute in float (the promoted type); bool with an integer
  // exponent in int64.
  DType dt = e.is_floating() && !is_floating(x.dtype()) ? DType::Float32
             : x.dtype() == DType::Bool                 ? DType::Int64
                                                        : x.dtype();
  UnaryArgs a;
  a.a = e.to_double();
  Tensor xc = dt == x.dtype() ? x : to_dtype(x, dt);
  return unary_op(
      OpId::pow_scalar, Unary::PowScalar, xc, a, Keep::Input,
      [ev = e.to_double()](const Tensor& x, const Tensor& g) {
        if (ev == 0) return zeros_like(g);
        // PyTorch's order (an overflow is the same inf); float16/bfloat16 in float32,
        // rounded once (as pow(a, e)'s).
        if (is_reduced_floating(x.dtype()))
          return (float32_if_reduced(g) * (pow(float32_if_reduced(x), ev - 1) * ev)).to(g.dtype());
        return g * (pow(x, ev - 1) * ev);
      });
}

Tensor to_dtype(const Tensor& x, DType dtype) {
  check_defined("to_dtype", x);
  Tensor out = convert(x, dtype);
  if (out.is_same(x)) return x;
  if (is_floating(dtype) && should_record({&x}))
    record(OpId::to_dtype, {x}, {out}, {},
           [src = x.dtype()](const BackwardContext&, const TensorList& g) -> TensorList {
             return {to_dtype(g[0], src)};
           });
  return out;
}

// ---- torch.nn.functional activations (ops-nn block). Gradients follow PyTorch's *_backward
// formulas at the kinks and for NaN inputs (which take the branch whose test is false).
namespace {
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
}  // namespace

Tensor hardtanh(const Tensor& x, double min_val, double max_val) {
  UnaryArgs a;
  a.a = min_val;
  a.b = max_val;
  // PyTorch's hardtanh is clamp (integer tensors stay integer); its gradient is 0 at the bounds.
  return unary_op(OpId::hardtanh, Unary::Clamp, x, a, Keep::Input, [a](const Tensor& x, const Tensor& g) {
    return where(logical_or(x <= a.a, x >= a.b), zeros_like(g), g);
  });
}
Tensor selu(const Tensor& x) {
  // y <= 0 exactly where x <= 0, and there dy/dx = scale * alpha * exp(x) = y + scale * alpha.
  return unary_op(OpId::selu, Unary::Selu, x, {}, Keep::Output, [](const Tensor& y, const Tensor& g) {
    return where(y <= 0, g * (y + kSeluScale * kSeluAlpha), g * kSeluScale);
  });
}
Tensor celu(const Tensor& x, double alpha) {
  UnaryArgs a;
  a.a = alpha;
  // As selu: on x <= 0, dy/dx = exp(x / alpha) = y / alpha + 1.
  return unary_op(OpId::celu, Unary::Celu, x, a, Keep::Output, [alpha](const Tensor& y, const Tensor& g) {
    return where(y <= 0, g * (y / alpha + 1.0), g);
  });
}
Tensor mish(const Tensor& x) {
  return unary_op(OpId::mish, Unary::Mish, x, {}, Keep::Input, [](const Tensor& x, const Tensor& g) {
    Tensor t = tanh(softplus(x));
    return g * (t + x * sigmoid(x) * (1.0 - t * t));
  });
}
Tensor hardswish(const Tensor& x) {
  return unary_op(OpId::hardswish, Unary::Hardswish, x, {}, Keep::Input,
                  [](const Tensor& x, const Tensor& g) {
                    return where(x < -3.0, zeros_like(g), where(x <= 3.0, g * (x / 3.0 + 0.5), g));
                  });
}
Tensor hardsigmoid(const Tensor& x) {
  return unary_op(
      OpId::hardsigmoid, Unary::Hardsigmoid, x, {}, Keep::Input, [](const Tensor& x, const Tensor& g) {
        // PyTorch's hardsigmoid_backward multiplies by 1/6 rounded to float, float64 included.
        return where(logical_and(x > -3.0, x < 3.0), g * static_cast<double>(1.0f / 6.0f), zeros_like(g));
      });
}
Tensor logsigmoid(const Tensor& x) {
  return unary_op(OpId::logsigmoid, Unary::LogSigmoid, x, {}, Keep::Input,
                  [](const Tensor& x, const Tensor& g) { return g * sigmoid(-x); });
}
Tensor softsign(const Tensor& x) {
  return unary_op(OpId::softsign, Unary::Softsign, x, {}, Keep::Input, [](const Tensor& x, const Tensor& g) {
    // PyTorch differentiates x / (1 + |x|) as a quotient; this form keeps its NaN at x = +-inf.
    Tensor ax = abs(x), d = ax + 1.0;
    return g / d - g * ax / (d * d);
  });
}

}  // namespace nabla
