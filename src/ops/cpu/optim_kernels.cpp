// optim_kernels.cpp — CPU loops of the fused optimizer updates declared in ops/optim_kernels.h.
// Every option that changes the arithmetic is a template flag (see with_flags), so each combination
// is one branch-free loop over restrict pointers that the compiler vectorises; large tensors are
// split across OpenMP threads with parallel_for. Formulas follow torch.optim 1.13 op by op:
//   add(a, b, alpha)      -> a + alpha * b          addcmul(s, a, b, v) -> s + v * a * b
//   addcdiv(s, a, b, v)   -> s + v * a / b          (left to right, like ATen's CPU kernels)
#include "ops/optim_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ops/cpu/float_mode.h"
#include "ops/cpu/helper_thread.h"
#include "ops/cpu/loops.h"
#include "ops/dispatch_dtype.h"

namespace nabla::cpu {

namespace {

// Calls f.template operator()<B...>() with each runtime bool turned into a template argument.
template <bool... Done, typename F>
void with_flags(F&& f) {
  f.template operator()<Done...>();
}
template <bool... Done, typename F, typename... Rest>
void with_flags(F&& f, bool first, Rest... rest) {
  if (first)
    with_flags<Done..., true>(f, rest...);
  else
    with_flags<Done..., false>(f, rest...);
}

// Below this many elements a norm runs on one thread: it takes microseconds, about what an OpenMP
// fork/join costs — and on a busy machine a region can stall waiting for a descheduled thread.
constexpr int64_t kParallelGrain = int64_t{1} << 17;

// Updates of kHelperGrain to kHelperMaxGrain elements are split with the spinning helper thread
// (Note [Spinning helper thread]) instead of OpenMP's, whose wake-up costs as much as the update,
// halves at the middle: a Linear weight's second half of rows, whose gradient the helper computed and
// whose rows it read in the forward pass (Note [Matmuls split over the helper thread]), so each core
// updates what is already in its own cache. Larger ones go to OpenMP (more cores, if there are).
constexpr int64_t kHelperGrain = int64_t{1} << 14;
constexpr int64_t kHelperMaxGrain = int64_t{1} << 21;

// Calls chunk(begin, count) over [0, n), split across threads from kHelperGrain elements.
template <typename F>
void run(int64_t n, F&& chunk) {
  if (n >= kHelperMaxGrain)
    return parallel_for(n, 1, [&](int64_t begin, int64_t end) { chunk(begin, end - begin); });
  if (n < kHelperGrain || !helper_responsive()) return chunk(int64_t{0}, n);
  const int64_t half = (n / 2 + 15) / 16 * 16;
  const F* f = &chunk;
  run_two_parts([f, n, half](int part) { part == 0 ? (*f)(int64_t{0}, half) : (*f)(half, n - half); });
}

// Note [Optimizer updates flush subnormals]
// A unit whose gradient is 0 (a dead ReLU) has its Adam state decay geometrically: m by beta1 a step,
// so it spends ~150 steps in the subnormal range on its way to 0. On Intel cores every operation on a
// subnormal takes a microcode assist: half of ae_train's step on a Xeon went to Adam's update (33k vs
// 60k samples/s with set_flush_denormal). PyTorch pays the same unless the user flushes globally.
// The updates whose denominator is sqrt(state) / scale + eps (Adam, AdamW, RMSprop, Adagrad) therefore
// run with FTZ+DAZ — subnormal state, gradient and parameter values are read and written as 0 — when
// that cannot move the denominator by half an ulp: sqrt(smallest normal) / scale <= eps * 2^-25
// (float; Adam at its default beta2 needs eps >= 1.2e-10 at step 1, so the default 1e-8 qualifies; eps = 0
// never does). The parameter then differs from IEEE arithmetic's by at most lr * 2^-126 / eps (a flushed m,
// ~1e-33 at the defaults), or 2^-126 for a subnormal parameter; a state value below 2^-126 is stored as
// 0 where PyTorch keeps it. SGD keeps IEEE arithmetic: it has no eps, and mlp_train measured no gain.
template <typename T>
bool subnormal_flush_is_harmless(double eps, double denom_scale) {
  return std::sqrt(static_cast<double>(std::numeric_limits<T>::min())) / denom_scale <=
         eps * std::numeric_limits<T>::epsilon() / 4;
}

template <typename T>
T* ptr(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

// NaN-propagating maximum (torch.maximum).
template <typename T>
inline T nan_max(T a, T b) {
  return (a > b || a != a) ? a : b;
}

// ---- SGD ----
template <typename T>
struct SgdScalars {
  T sign, wd, momentum, one_minus_dampening, neg_lr;
};

template <typename T, bool kWd, bool kMomentum, bool kFirst, bool kNesterov>
void sgd_loop(T* __restrict p, const T* __restrict g, T* __restrict buf, int64_t n, const SgdScalars<T> s) {
  for (int64_t i = 0; i < n; ++i) {
    T d = g[i] * s.sign;
    if constexpr (kWd) d = d + s.wd * p[i];
    if constexpr (kMomentum) {
      T b;
      if constexpr (kFirst)
        b = d;
      else
        b = buf[i] * s.momentum + s.one_minus_dampening * d;
      buf[i] = b;
      if constexpr (kNesterov)
        d = d + s.momentum * b;
      else
        d = b;
    }
    p[i] = p[i] + s.neg_lr * d;
  }
}

template <typename T>
void sgd_typed(const Tensor& param, const Tensor& grad, const Tensor& buf, const kernels::SgdArgs& a) {
  const SgdScalars<T> s{T(a.maximize ? -1 : 1), T(a.weight_decay), T(a.momentum), T(1 - a.dampening),
                        T(-a.lr)};
  T* p = ptr<T>(param);
  const T* g = ptr<T>(grad);
  T* b = ptr<T>(buf);
  with_flags(
      [&]<bool kWd, bool kMomentum, bool kFirst, bool kNesterov>() {
        run(param.numel(), [&](int64_t i, int64_t n) {
          sgd_loop<T, kWd, kMomentum, kFirst, kNesterov>(p + i, g + i, b ? b + i : nullptr, n, s);
        });
      },
      a.weight_decay != 0, a.momentum != 0, a.first_step, a.nesterov);
}

// ---- Adam / AdamW ----
template <typename T>
struct AdamScalars {
  T sign, wd, decay, beta1, one_minus_beta1, beta2, one_minus_beta2, bias_correction2_sqrt, eps,
      neg_step_size;
};

template <typename T, bool kWd, bool kDecoupled, bool kAmsgrad>
void adam_loop(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v, T* __restrict vmax,
               int64_t n, const AdamScalars<T> s) {
  for (int64_t i = 0; i < n; ++i) {
    T gi = g[i] * s.sign;
    T pi = p[i];
    if constexpr (kDecoupled)
      pi = pi * s.decay;
    else if constexpr (kWd)
      gi = gi + s.wd * pi;
    const T mi = m[i] * s.beta1 + s.one_minus_beta1 * gi;
    const T vi = v[i] * s.beta2 + s.one_minus_beta2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    T denom;
    if constexpr (kAmsgrad) {
      const T mx = nan_max(vmax[i], vi);
      vmax[i] = mx;
      denom = std::sqrt(mx) / s.bias_correction2_sqrt + s.eps;
    } else {
      denom = std::sqrt(vi) / s.bias_correction2_sqrt + s.eps;
    }
    p[i] = pi + s.neg_step_size * mi / denom;
  }
}

template <typename T>
void adam_typed(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                const Tensor& max_exp_avg_sq, const kernels::AdamArgs& a) {
  // Scalar math in double, exactly as torch.optim's Python does it, then cast to the tensor dtype.
  const double bias_correction1 = 1 - std::pow(a.beta1, a.step);
  const double bias_correction2 = 1 - std::pow(a.beta2, a.step);
  const double step_size = a.lr / bias_correction1;
  const AdamScalars<T> s{T(a.maximize ? -1 : 1),
                         T(a.weight_decay),
                         T(1 - a.lr * a.weight_decay),
                         T(a.beta1),
                         T(1 - a.beta1),
                         T(a.beta2),
                         T(1 - a.beta2),
                         T(std::sqrt(bias_correction2)),
                         T(a.eps),
                         T(-step_size)};
  T* p = ptr<T>(param);
  const T* g = ptr<T>(grad);
  T *m = ptr<T>(exp_avg), *v = ptr<T>(exp_avg_sq), *vmax = ptr<T>(max_exp_avg_sq);
  const bool flush = subnormal_flush_is_harmless<T>(a.eps, std::sqrt(bias_correction2));
  with_flags(
      [&]<bool kWd, bool kDecoupled, bool kAmsgrad>() {
        run(param.numel(), [&](int64_t i, int64_t n) {
          FlushSubnormalsScope scope(flush);  // per thread: MXCSR is thread-local
          adam_loop<T, kWd, kDecoupled, kAmsgrad>(p + i, g + i, m + i, v + i, vmax ? vmax + i : nullptr, n,
                                                  s);
        });
      },
      a.weight_decay != 0 && !a.decoupled_weight_decay, a.decoupled_weight_decay, a.amsgrad);
}

// ---- RMSprop ----
template <typename T>
struct RmspropScalars {
  T sign, wd, alpha, one_minus_alpha, eps, momentum, neg_lr;
};

template <typename T, bool kWd, bool kCentered, bool kMomentum>
void rmsprop_loop(T* __restrict p, const T* __restrict g, T* __restrict sq, T* __restrict ga,
                  T* __restrict buf, int64_t n, const RmspropScalars<T> s) {
  for (int64_t i = 0; i < n; ++i) {
    T gi = g[i] * s.sign;
    if constexpr (kWd) gi = gi + s.wd * p[i];
    const T sqi = sq[i] * s.alpha + s.one_minus_alpha * gi * gi;
    sq[i] = sqi;
    T avg;
    if constexpr (kCentered) {
      const T gai = ga[i] * s.alpha + s.one_minus_alpha * gi;
      ga[i] = gai;
      avg = std::sqrt(sqi + T(-1) * gai * gai);
    } else {
      avg = std::sqrt(sqi);
    }
    avg = avg + s.eps;
    if constexpr (kMomentum) {
      const T b = buf[i] * s.momentum + gi / avg;
      buf[i] = b;
      p[i] = p[i] + s.neg_lr * b;
    } else {
      p[i] = p[i] + s.neg_lr * gi / avg;
    }
  }
}

template <typename T>
void rmsprop_typed(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                   const Tensor& momentum_buf, const kernels::RmspropArgs& a) {
  const RmspropScalars<T> s{T(a.maximize ? -1 : 1), T(a.weight_decay), T(a.alpha), T(1 - a.alpha), T(a.eps),
                            T(a.momentum),          T(-a.lr)};
  T* p = ptr<T>(param);
  const T* g = ptr<T>(grad);
  T *sq = ptr<T>(square_avg), *ga = ptr<T>(grad_avg), *b = ptr<T>(momentum_buf);
  const bool flush = subnormal_flush_is_harmless<T>(a.eps, 1.0);
  with_flags(
      [&]<bool kWd, bool kCentered, bool kMomentum>() {
        run(param.numel(), [&](int64_t i, int64_t n) {
          FlushSubnormalsScope scope(flush);
          rmsprop_loop<T, kWd, kCentered, kMomentum>(p + i, g + i, sq + i, ga ? ga + i : nullptr,
                                                     b ? b + i : nullptr, n, s);
        });
      },
      a.weight_decay != 0, a.centered, a.momentum > 0);
}

// ---- Adagrad ----
template <typename T, bool kWd>
void adagrad_loop(T* __restrict p, const T* __restrict g, T* __restrict sum, int64_t n, T sign, T wd, T eps,
                  T neg_clr) {
  for (int64_t i = 0; i < n; ++i) {
    T gi = g[i] * sign;
    if constexpr (kWd) gi = gi + wd * p[i];
    const T si = sum[i] + T(1) * gi * gi;
    sum[i] = si;
    p[i] = p[i] + neg_clr * gi / (std::sqrt(si) + eps);
  }
}

template <typename T>
void adagrad_typed(const Tensor& param, const Tensor& grad, const Tensor& state_sum,
                   const kernels::AdagradArgs& a) {
  T* p = ptr<T>(param);
  const T* g = ptr<T>(grad);
  T* sum = ptr<T>(state_sum);
  const T sign = T(a.maximize ? -1 : 1), wd = T(a.weight_decay), eps = T(a.eps), neg_clr = T(-a.clr);
  const bool flush = subnormal_flush_is_harmless<T>(a.eps, 1.0);
  with_flags(
      [&]<bool kWd>() {
        run(param.numel(), [&](int64_t i, int64_t n) {
          FlushSubnormalsScope scope(flush);
          adagrad_loop<T, kWd>(p + i, g + i, sum + i, n, sign, wd, eps, neg_clr);
        });
      },
      a.weight_decay != 0);
}

// ---- vector norms (clip_grad_norm_) ----
enum class NormKind { Max, Min, Count, Sum, SumSq, SumPow };
NormKind norm_kind(double p) {
  if (std::isinf(p)) return p > 0 ? NormKind::Max : NormKind::Min;
  if (p == 0) return NormKind::Count;
  if (p == 1) return NormKind::Sum;
  return p == 2 ? NormKind::SumSq : NormKind::SumPow;
}

// One block's partial result: max / min |x|, or a sum (vectorised: `omp simd` lets the compiler
// keep one partial sum per lane — a fixed order for a given build, so results stay deterministic).
template <typename T, NormKind kKind>
double norm_block(const T* __restrict x, int64_t n, double p) {
  if constexpr (kKind == NormKind::Max || kKind == NormKind::Min) {
    double acc = kKind == NormKind::Min ? std::numeric_limits<double>::infinity() : 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double a = std::abs(static_cast<double>(x[i]));
      const bool take = kKind == NormKind::Max ? a > acc : a < acc;
      acc = (take || a != a) ? a : acc;  // NaN propagates
    }
    return acc;
  } else {
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (int64_t i = 0; i < n; ++i) {
      const double a = std::abs(static_cast<double>(x[i]));
      if constexpr (kKind == NormKind::Count)
        acc += a != 0 ? 1.0 : 0.0;
      else if constexpr (kKind == NormKind::Sum)
        acc += a;
      else if constexpr (kKind == NormKind::SumSq)
        acc += a * a;
      else
        acc += std::pow(a, p);
    }
    return acc;
  }
}

template <typename T, NormKind kKind>
double norm_typed(const Tensor& x, double p) {
  constexpr int64_t kBlock = 4096;
  const T* data = ptr<T>(x);
  const int64_t n = x.numel(), blocks = (n + kBlock - 1) / kBlock;
  std::vector<double> partial(static_cast<size_t>(blocks));
  auto blocks_range = [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b)
      partial[b] = norm_block<T, kKind>(data + b * kBlock, std::min(kBlock, n - b * kBlock), p);
  };
  if (n < kParallelGrain)
    blocks_range(0, blocks);
  else
    parallel_for(blocks, kBlock, blocks_range);
  double acc = kKind == NormKind::Min ? std::numeric_limits<double>::infinity() : 0.0;
  for (double v : partial) {
    if constexpr (kKind == NormKind::Max)
      acc = (v > acc || v != v) ? v : acc;
    else if constexpr (kKind == NormKind::Min)
      acc = (v < acc || v != v) ? v : acc;
    else
      acc += v;
  }
  if constexpr (kKind == NormKind::SumSq) return std::sqrt(acc);
  if constexpr (kKind == NormKind::SumPow) return std::pow(acc, 1.0 / p);
  return acc;
}

template <typename T>
double vector_norm_typed(const Tensor& x, double p) {
  switch (norm_kind(p)) {
    case NormKind::Max:
      return norm_typed<T, NormKind::Max>(x, p);
    case NormKind::Min:
      return norm_typed<T, NormKind::Min>(x, p);
    case NormKind::Count:
      return norm_typed<T, NormKind::Count>(x, p);
    case NormKind::Sum:
      return norm_typed<T, NormKind::Sum>(x, p);
    case NormKind::SumSq:
      return norm_typed<T, NormKind::SumSq>(x, p);
    case NormKind::SumPow:
      return norm_typed<T, NormKind::SumPow>(x, p);
  }
  return 0;
}

}  // namespace

double vector_norm(const Tensor& x, double p) {
  return dispatch_floating(x.dtype(), "vector_norm",
                           [&]<typename T>() { return vector_norm_typed<T>(x, p); });
}

void scale_(const Tensor& x, double factor) {
  dispatch_floating(x.dtype(), "scale_", [&]<typename T>() {
    T* __restrict data = ptr<T>(x);
    const T f = static_cast<T>(factor);
    run(x.numel(), [&](int64_t i, int64_t n) {
      for (int64_t k = i; k < i + n; ++k) data[k] = data[k] * f;
    });
  });
}

void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& buf, const kernels::SgdArgs& args) {
  dispatch_floating(param.dtype(), "SGD", [&]<typename T>() { sgd_typed<T>(param, grad, buf, args); });
}
void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const Tensor& max_exp_avg_sq, const kernels::AdamArgs& args) {
  dispatch_floating(param.dtype(), "Adam", [&]<typename T>() {
    adam_typed<T>(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, args);
  });
}
void rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                  const Tensor& momentum_buf, const kernels::RmspropArgs& args) {
  dispatch_floating(param.dtype(), "RMSprop", [&]<typename T>() {
    rmsprop_typed<T>(param, grad, square_avg, grad_avg, momentum_buf, args);
  });
}
void adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& state_sum,
                  const kernels::AdagradArgs& args) {
  dispatch_floating(param.dtype(), "Adagrad",
                    [&]<typename T>() { adagrad_typed<T>(param, grad, state_sum, args); });
}

}  // namespace nabla::cpu
