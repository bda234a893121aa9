// elementwise.cpp — CPU kernels for unary, binary and ternary elementwise ops, copy and fill.
// Each op is a scalar lambda; run_* instantiate the strided loop once per (op, dtype), so the
// contiguous inner run is a plain loop the compiler vectorises.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/cpu/loops.h"
#include "ops/dispatch_dtype.h"
#include "ops/kernels.h"

namespace nabla::cpu {

namespace {

template <typename Out, typename In, typename F>
void run_unary(const Tensor& out, const Tensor& x, F f) {
  if (flat_walkable(out, {&x})) {
    Out* o = static_cast<Out*>(out.data_ptr());
    const In* a = static_cast<const In*>(x.data_ptr());
    parallel_for(out.numel(), 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) o[i] = f(a[i]);
    });
    return;
  }
  auto plan = make_plan<2>(out.sizes(), {&out, &x}, {out.strides().data(), x.strides().data()}, true);
  for_each_strided<2>(plan, true, [&](char** p, const int64_t* s, int64_t n) {
    auto* o = reinterpret_cast<Out*>(p[0]);
    const auto* a = reinterpret_cast<const In*>(p[1]);
    if (s[0] == sizeof(Out) && s[1] == sizeof(In)) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<Out*>(p[0] + i * s[0]) = f(*reinterpret_cast<const In*>(p[1] + i * s[1]));
    }
  });
}

template <typename Out, typename In, typename F>
void run_binary(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  if (flat_walkable(out, {&a, &b})) {
    Out* o = static_cast<Out*>(out.data_ptr());
    const In* x = static_cast<const In*>(a.data_ptr());
    const In* y = static_cast<const In*>(b.data_ptr());
    parallel_for(out.numel(), 1, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) o[i] = f(x[i], y[i]);
    });
    return;
  }
  auto plan = make_plan<3>(out.sizes(), {&out, &a, &b},
                           {out.strides().data(), a.strides().data(), b.strides().data()}, true);
  for_each_strided<3>(plan, true, [&](char** p, const int64_t* s, int64_t n) {
    auto* o = reinterpret_cast<Out*>(p[0]);
    const auto* x = reinterpret_cast<const In*>(p[1]);
    const auto* y = reinterpret_cast<const In*>(p[2]);
    if (s[0] == sizeof(Out) && s[1] == sizeof(In) && s[2] == sizeof(In)) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
    } else if (s[0] == sizeof(Out) && s[1] == sizeof(In) && s[2] == 0) {
      const In yv = *y;
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
    } else if (s[0] == sizeof(Out) && s[1] == 0 && s[2] == sizeof(In)) {
      const In xv = *x;
      for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<Out*>(p[0] + i * s[0]) =
            f(*reinterpret_cast<const In*>(p[1] + i * s[1]), *reinterpret_cast<const In*>(p[2] + i * s[2]));
    }
  });
}

template <typename T>
T int_pow(T base, T exp) {
  if (exp < 0) return base == 1 ? 1 : (base == -1 ? ((exp & 1) ? -1 : 1) : 0);  // like PyTorch
  T result = 1;
  while (exp) {
    if (exp & 1) result *= base;
    base *= base;
    exp >>= 1;
  }
  return result;
}

template <typename T>
void binary_typed(kernels::Binary op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  using B = kernels::Binary;
  const T al = static_cast<T>(alpha);
  switch (op) {
    case B::Add:
      if (alpha == 1) return run_binary<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x + y); });
      return run_binary<T, T>(out, a, b, [al](T x, T y) { return static_cast<T>(x + al * y); });
    case B::Sub:
      if (alpha == 1) return run_binary<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x - y); });
      return run_binary<T, T>(out, a, b, [al](T x, T y) { return static_cast<T>(x - al * y); });
    case B::Mul:
      return run_binary<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x * y); });
    case B::Div:
      return run_binary<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x / y); });
    case B::Pow:
      if constexpr (std::is_floating_point_v<T>)
        return run_binary<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(std::pow(x, y)); });
      else if constexpr (std::is_same_v<T, bool>)
        return run_binary<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x || !y); });
      else
        return run_binary<T, T>(out, a, b, [](T x, T y) { return int_pow<T>(x, y); });
    case B::Minimum:
      return run_binary<T, T>(out, a, b, [](T x, T y) {
        if constexpr (std::is_floating_point_v<T>)
          if (std::isnan(x) || std::isnan(y)) return x + y;
        return x < y ? x : y;
      });
    case B::Maximum:
      return run_binary<T, T>(out, a, b, [](T x, T y) {
        if constexpr (std::is_floating_point_v<T>)
          if (std::isnan(x) || std::isnan(y)) return x + y;
        return x > y ? x : y;
      });
    case B::Eq:
      return run_binary<bool, T>(out, a, b, [](T x, T y) { return x == y; });
    case B::Ne:
      return run_binary<bool, T>(out, a, b, [](T x, T y) { return x != y; });
    case B::Lt:
      return run_binary<bool, T>(out, a, b, [](T x, T y) { return x < y; });
    case B::Le:
      return run_binary<bool, T>(out, a, b, [](T x, T y) { return x <= y; });
    case B::Gt:
      return run_binary<bool, T>(out, a, b, [](T x, T y) { return x > y; });
    case B::Ge:
      return run_binary<bool, T>(out, a, b, [](T x, T y) { return x >= y; });
    case B::LogicalAnd:
      return run_binary<bool, T>(out, a, b, [](T x, T y) { return x != T(0) && y != T(0); });
    case B::LogicalOr:
      return run_binary<bool, T>(out, a, b, [](T x, T y) { return x != T(0) || y != T(0); });
    case B::LogicalXor:
      return run_binary<bool, T>(out, a, b, [](T x, T y) { return (x != T(0)) != (y != T(0)); });
    case B::ThresholdGrad:
      // As PyTorch's threshold_backward: only y <= 0 blocks, so NaN outputs pass the gradient.
      return run_binary<T, T>(out, a, b, [](T g, T y) { return y <= T(0) ? T(0) : g; });
  }
}

template <typename T>
void unary_typed(kernels::Unary op, const Tensor& out, const Tensor& x, const kernels::UnaryArgs& args) {
  using U = kernels::Unary;
  if constexpr (std::is_floating_point_v<T>) {
    const T a = static_cast<T>(args.a), b = static_cast<T>(args.b);
    switch (op) {
      case U::Exp:
        return run_unary<T, T>(out, x, [](T v) { return std::exp(v); });
      case U::Log:
        return run_unary<T, T>(out, x, [](T v) { return std::log(v); });
      case U::Log1p:
        return run_unary<T, T>(out, x, [](T v) { return std::log1p(v); });
      case U::Sqrt:
        return run_unary<T, T>(out, x, [](T v) { return std::sqrt(v); });
      case U::Rsqrt:
        return run_unary<T, T>(out, x, [](T v) { return T(1) / std::sqrt(v); });
      case U::Sin:
        return run_unary<T, T>(out, x, [](T v) { return std::sin(v); });
      case U::Cos:
        return run_unary<T, T>(out, x, [](T v) { return std::cos(v); });
      case U::Tanh:
        return run_unary<T, T>(out, x, [](T v) { return std::tanh(v); });
      case U::Sigmoid:
        return run_unary<T, T>(out, x, [](T v) { return T(1) / (T(1) + std::exp(-v)); });
      case U::Gelu:
        return run_unary<T, T>(out, x, [](T v) { return T(0.5) * v * (T(1) + std::erf(v * T(M_SQRT1_2))); });
      case U::GeluTanh:
        return run_unary<T, T>(out, x, [](T v) {
          const T k = T(0.7978845608028654);  // sqrt(2/pi)
          return T(0.5) * v * (T(1) + std::tanh(k * (v + T(0.044715) * v * v * v)));
        });
      case U::Softplus:  // a = beta, b = threshold
        return run_unary<T, T>(out, x,
                               [a, b](T v) { return v * a > b ? v : std::log1p(std::exp(v * a)) / a; });
      case U::Erf:
        return run_unary<T, T>(out, x, [](T v) { return std::erf(v); });
      case U::Expm1:
        return run_unary<T, T>(out, x, [](T v) { return std::expm1(v); });
      case U::Floor:
        return run_unary<T, T>(out, x, [](T v) { return std::floor(v); });
      case U::Ceil:
        return run_unary<T, T>(out, x, [](T v) { return std::ceil(v); });
      case U::Round:
        return run_unary<T, T>(out, x, [](T v) { return std::nearbyint(v); });
      case U::PowScalar:
        // PyTorch's specializations (PowKernel.cpp); sqrt and rsqrt differ from std::pow at -inf (NaN,
        // not inf or 0) and rsqrt at -0 (-inf).
        if (args.a == 0.5) return run_unary<T, T>(out, x, [](T v) { return std::sqrt(v); });
        if (args.a == -0.5) return run_unary<T, T>(out, x, [](T v) { return T(1) / std::sqrt(v); });
        if (args.a == -1) return run_unary<T, T>(out, x, [](T v) { return T(1) / v; });
        if (args.a == 2) return run_unary<T, T>(out, x, [](T v) { return v * v; });
        if (args.a == 3) return run_unary<T, T>(out, x, [](T v) { return v * v * v; });
        if (args.a == -2) return run_unary<T, T>(out, x, [](T v) { return T(1) / (v * v); });
        return run_unary<T, T>(out, x, [a](T v) { return std::pow(v, a); });
      case U::RPowScalar:
        return run_unary<T, T>(out, x, [a](T v) { return std::pow(a, v); });
      case U::LeakyRelu:
        return run_unary<T, T>(out, x, [a](T v) { return v > T(0) ? v : v * a; });
      // ---- torch.nn.functional activations (ops-nn block), in PyTorch's forms (NaN propagates) ----
      case U::Selu:
        return run_unary<T, T>(out, x, [](T v) {
          const T scale = T(1.0507009873554804934193349852946), alpha = T(1.6732632423543772848170429916717);
          return v > T(0) ? scale * v : scale * alpha * std::expm1(v);
        });
      case U::Celu:  // a = alpha
        return run_unary<T, T>(out, x, [a](T v) { return v > T(0) ? v : a * std::expm1(v / a); });
      case U::Mish:
        return run_unary<T, T>(out, x, [](T v) { return v * std::tanh(std::log1p(std::exp(v))); });
      case U::Hardswish:
        return run_unary<T, T>(out, x,
                               [](T v) { return v * std::min(std::max(v + T(3), T(0)), T(6)) / T(6); });
      case U::Hardsigmoid:
        return run_unary<T, T>(out, x, [](T v) { return std::min(std::max(v + T(3), T(0)), T(6)) / T(6); });
      case U::LogSigmoid:  // log(sigmoid(v)) without overflow for large |v|
        return run_unary<T, T>(out, x,
                               [](T v) { return std::min(v, T(0)) - std::log1p(std::exp(-std::abs(v))); });
      case U::Softsign:
        return run_unary<T, T>(out, x, [](T v) { return v / (T(1) + std::abs(v)); });
      default:
        break;
    }
  }
  if constexpr (!std::is_same_v<T, bool>) {
    switch (op) {
      case U::Neg:
        return run_unary<T, T>(out, x, [](T v) { return static_cast<T>(-v); });
      case U::Abs:
        return run_unary<T, T>(out, x, [](T v) {
          if constexpr (std::is_unsigned_v<T>)
            return v;
          else
            return static_cast<T>(v < T(0) ? -v : v);
        });
      case U::Sign:
        return run_unary<T, T>(out, x, [](T v) { return static_cast<T>((T(0) < v) - (v < T(0))); });
      case U::Relu:
        // !(v <= 0) keeps NaN (PyTorch's relu(NaN) is NaN) at the cost of the same compare-select.
        return run_unary<T, T>(out, x, [](T v) { return !(v <= T(0)) ? v : T(0); });
      case U::Clamp: {
        const T lo = static_cast<T>(args.a), hi = static_cast<T>(args.b);
        const bool has_lo = args.has_a, has_hi = args.has_b;
        return run_unary<T, T>(out, x, [=](T v) {
          if constexpr (std::is_floating_point_v<T>)
            if (std::isnan(v)) return v;
          if (has_lo && v < lo) v = lo;
          if (has_hi && v > hi) v = hi;
          return v;
        });
      }
      case U::Floor:
      case U::Ceil:
      case U::Round:
        return run_unary<T, T>(out, x, [](T v) { return v; });
      case U::PowScalar:
        if constexpr (std::is_integral_v<T>) {
          const T e = static_cast<T>(args.a);
          return run_unary<T, T>(out, x, [e](T v) { return int_pow<T>(v, e); });
        }
        break;
      default:
        break;
    }
  }
  if (op == U::LogicalNot) return run_unary<bool, T>(out, x, [](T v) { return v == T(0); });
  throw DTypeError(
      fmt::format("unary op {} has no kernel for dtype {}", static_cast<int>(op), dtype_name(x.dtype())));
}

}  // namespace

// Note [Small float ops skip the kernel machinery]
// A one-element add spent a third of its 60 ns choosing a loop: the reduced-precision staging, the
// dtype switch, and parallel_for's size test. Scalar-sized float32 operands of the four
// arithmetic ops (the losses, metrics and RL updates of the curriculum) take run_binary's flat loop
// directly, with binary_typed's expressions, so results are bit for bit the same.
bool binary_small_float(kernels::Binary op, const Tensor& out, const Tensor& a, const Tensor& b,
                        double alpha) {
  using B = kernels::Binary;
  constexpr int64_t kMaxElements = 16;
  const int64_t n = out.numel();
  if (n > kMaxElements || alpha != 1 || out.dtype() != DType::Float32 || a.dtype() != DType::Float32 ||
      b.dtype() != DType::Float32 || !flat_walkable(out, {&a, &b}))
    return false;
  float* po = static_cast<float*>(out.impl()->data());
  const float* px = static_cast<const float*>(a.impl()->data());
  const float* py = static_cast<const float*>(b.impl()->data());
  switch (op) {
    case B::Add:
      for (int64_t i = 0; i < n; ++i) po[i] = px[i] + py[i];
      return true;
    case B::Sub:
      for (int64_t i = 0; i < n; ++i) po[i] = px[i] - py[i];
      return true;
    case B::Mul:
      for (int64_t i = 0; i < n; ++i) po[i] = px[i] * py[i];
      return true;
    case B::Div:
      for (int64_t i = 0; i < n; ++i) po[i] = px[i] / py[i];
      return true;
    default:
      return false;
  }
}

void binary(kernels::Binary op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  dispatch_dtype(a.dtype(), "binary", [&]<typename T>() { binary_typed<T>(op, out, a, b, alpha); });
}

void unary(kernels::Unary op, const Tensor& out, const Tensor& x, const kernels::UnaryArgs& args) {
  dispatch_dtype(x.dtype(), "unary", [&]<typename T>() { unary_typed<T>(op, out, x, args); });
}

void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  auto plan = make_plan<4>(
      out.sizes(), {&out, &cond, &a, &b},
      {out.strides().data(), cond.strides().data(), a.strides().data(), b.strides().data()}, true);
  dispatch_dtype(out.dtype(), "where", [&]<typename T>() {
    for_each_strided<4>(plan, true, [&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const bool*>(p[1] + i * s[1])
                                                     ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                     : *reinterpret_cast<const T*>(p[3] + i * s[3]);
    });
  });
}

void copy(const Tensor& dst, const Tensor& src) {
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous() &&
      dst.sizes() == src.sizes()) {
    const size_t nbytes = dst.numel() * dtype_size(dst.dtype());
    char* d = static_cast<char*>(dst.data_ptr());
    const char* s = static_cast<const char*>(src.data_ptr());
    parallel_for(static_cast<int64_t>(nbytes), 1,
                 [&](int64_t b, int64_t e) { std::memcpy(d + b, s + b, e - b); });
    return;
  }
  dispatch_storage_dtype(dst.dtype(), "copy", [&]<typename Out>() {
    dispatch_storage_dtype(src.dtype(), "copy", [&]<typename In>() {
      run_unary<Out, In>(dst, src, [](In v) {
        if constexpr (std::is_same_v<Out, bool>)
          return v != In(0);
        else
          return static_cast<Out>(v);
      });
    });
  });
}

void fill(const Tensor& dst, Scalar value) {
  dispatch_storage_dtype(dst.dtype(), "fill", [&]<typename T>() {
    const T v = value.to<T>();
    auto plan = make_plan<1>(dst.sizes(), {&dst}, {dst.strides().data()}, true);
    for_each_strided<1>(plan, true, [&](char** p, const int64_t* s, int64_t n) {
      if (s[0] == sizeof(T)) {
        T* o = reinterpret_cast<T*>(p[0]);
        for (int64_t i = 0; i < n; ++i) o[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
      }
    });
  });
}

}  // namespace nabla::cpu
