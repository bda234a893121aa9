// reduce.cpp — CPU reductions (sum/prod/max/min/all/any), arg-reductions, softmax, logsumexp,
// cumsum, cumprod, sort and searchsorted. `out` arrives in keepdim layout: x's rank, size 1 on reduced dims.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "ops/cpu/loops.h"
#include "ops/dispatch_dtype.h"
#include "ops/kernels.h"

namespace nabla::cpu {

namespace {

template <typename T>
using acc_t = std::conditional_t<std::is_floating_point_v<T>, T, int64_t>;

template <typename T>
struct ReduceOps {
  static T identity(kernels::Reduce op) {
    using R = kernels::Reduce;
    switch (op) {
      case R::Sum:
      case R::Any:
        return T(0);
      case R::Prod:
      case R::All:
        return T(1);
      case R::Max:
        return std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                    : std::numeric_limits<T>::lowest();
      case R::Min:
        return std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity()
                                                    : std::numeric_limits<T>::max();
    }
    return T(0);
  }
};

template <typename T>
inline T combine(kernels::Reduce op, T a, T b) {
  using R = kernels::Reduce;
  switch (op) {
    case R::Sum:
      return static_cast<T>(a + b);
    case R::Prod:
      return static_cast<T>(a * b);
    case R::Max:
      if constexpr (std::is_floating_point_v<T>)
        if (std::isnan(b)) return b;
      return a > b || (std::is_floating_point_v<T> && a != a) ? a : b;
    case R::Min:
      if constexpr (std::is_floating_point_v<T>)
        if (std::isnan(b)) return b;
      return a < b || (std::is_floating_point_v<T> && a != a) ? a : b;
    case R::All:
      return static_cast<T>(a != T(0) && b != T(0));
    case R::Any:
      return static_cast<T>(a != T(0) || b != T(0));
  }
  return a;
}

// Sum of a contiguous run: pairwise halves down to blocks of kSumBlock, each summed with independent
// accumulators (ILP). The rounding error grows with log(n) rather than n, like PyTorch's cascade sum: a
// single-pass float32 sum of 50k MNIST pixels was off by 1e-4 relative.
constexpr int64_t kSumBlock = 2048;
template <typename T>
T sum_run(const T* x, int64_t n) {
  if (n > kSumBlock) {
    const int64_t half = (n / 2 + 15) / 16 * 16;  // keep the halves' blocks aligned to the unroll
    return sum_run(x, half) + sum_run(x + half, n - half);
  }
  constexpr int L = 16;
  T acc[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int l = 0; l < L; ++l) acc[l] += x[i + l];
  T s = 0;
  for (; i < n; ++i) s += x[i];
  for (int l = 0; l < L; ++l) s += acc[l];
  return s;
}

template <typename T>
void reduce_typed(kernels::Reduce op, const Tensor& out, const Tensor& x) {
  // Full reduction of a contiguous tensor: parallel partial results, combined in order.
  if (out.numel() == 1 && x.is_contiguous() && x.numel() >= kGrain) {
    const T* data = x.data_ptr<T>();
    const int64_t n = x.numel();
    const int nt = num_threads_for(n);
    std::vector<T> partial(nt, ReduceOps<T>::identity(op));
#pragma omp parallel num_threads(nt)
    {
      int t = omp_get_thread_num();
      int64_t chunk = (n + nt - 1) / nt, b = t * chunk, e = std::min(n, b + chunk);
      T acc = ReduceOps<T>::identity(op);
      if (op == kernels::Reduce::Sum && b < e)
        acc = sum_run(data + b, e - b);
      else
        for (int64_t i = b; i < e; ++i) acc = combine(op, acc, data[i]);
      partial[t] = acc;
    }
    T r = ReduceOps<T>::identity(op);
    for (T p : partial) r = combine(op, r, p);
    *out.data_ptr<T>() = r;
    return;
  }
  // General case: iterate x with out broadcast back over the reduced dims (stride 0), serially.
  {
    T* o = out.data_ptr<T>();
    for (int64_t i = 0; i < out.numel(); ++i) o[i] = ReduceOps<T>::identity(op);
  }
  DimVec ostrides(x.dim());
  for (int d = 0; d < x.dim(); ++d) ostrides[d] = out.size(d) == 1 ? 0 : out.stride(d);
  auto plan = make_plan<2>(x.sizes(), {&out, &x}, {ostrides.data(), x.strides().data()});
  for_each_strided<2>(plan, false, [&](char** p, const int64_t* s, int64_t n) {
    if (s[0] == 0) {  // the whole run reduces into one output element
      T* o = reinterpret_cast<T*>(p[0]);
      if (op == kernels::Reduce::Sum && s[1] == sizeof(T)) {
        *o += sum_run(reinterpret_cast<const T*>(p[1]), n);
        return;
      }
      T acc = *o;
      for (int64_t i = 0; i < n; ++i) acc = combine(op, acc, *reinterpret_cast<const T*>(p[1] + i * s[1]));
      *o = acc;
    } else {
      for (int64_t i = 0; i < n; ++i) {
        T* o = reinterpret_cast<T*>(p[0] + i * s[0]);
        *o = combine(op, *o, *reinterpret_cast<const T*>(p[1] + i * s[1]));
      }
    }
  });
}

}  // namespace

void reduce(kernels::Reduce op, const Tensor& out, const Tensor& x) {
  dispatch_dtype(x.dtype(), "reduce", [&]<typename T>() {
    if (x.numel() == 0) {
      T* o = out.data_ptr<T>();
      for (int64_t i = 0; i < out.numel(); ++i) o[i] = ReduceOps<T>::identity(op);
      return;
    }
    reduce_typed<T>(op, out, x);
  });
}

void arg_reduce(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim) {
  dispatch_dtype(x.dtype(), "argmax", [&]<typename T>() {
    const char* vbase = static_cast<const char*>(values.data_ptr());
    int64_t* ibase = indices.data_ptr<int64_t>();
    for_each_lane(x, values, dim, [&](const char* in, int64_t sin, char* out, int64_t, int64_t n) {
      const T* xv = reinterpret_cast<const T*>(in);
      T best = xv[0];
      int64_t bi = 0;
      for (int64_t i = 1; i < n; ++i) {
        T v = xv[i * sin];
        if constexpr (std::is_floating_point_v<T>) {
          if (std::isnan(best)) break;
          if (std::isnan(v)) {
            best = v;
            bi = i;
            break;
          }
        }
        if (is_max ? v > best : v < best) {
          best = v;
          bi = i;
        }
      }
      *reinterpret_cast<T*>(out) = best;
      ibase[(out - vbase) / static_cast<int64_t>(sizeof(T))] = bi;
    });
  });
}

void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) {
  dispatch_floating(x.dtype(), log ? "log_softmax" : "softmax", [&]<typename T>() {
    for_each_lane(x, out, dim, [&](const char* in, int64_t sin, char* o8, int64_t sout, int64_t n) {
      const T* xv = reinterpret_cast<const T*>(in);
      T* ov = reinterpret_cast<T*>(o8);
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < n; ++i) m = std::max(m, xv[i * sin]);
      if (std::isinf(m) && m < 0) m = 0;  // all -inf: avoid inf - inf
      T s = 0;
      if (log) {
        for (int64_t i = 0; i < n; ++i) s += std::exp(xv[i * sin] - m);
        // (x - m) - log(s), not x - (m + log(s)): with large x, m + log(s) rounds to m's ulp (1e-3 at 1e4).
        const T log_s = std::log(s);
        for (int64_t i = 0; i < n; ++i) ov[i * sout] = (xv[i * sin] - m) - log_s;
      } else {
        for (int64_t i = 0; i < n; ++i) {
          T e = std::exp(xv[i * sin] - m);
          ov[i * sout] = e;
          s += e;
        }
        const T inv = T(1) / s;
        for (int64_t i = 0; i < n; ++i) ov[i * sout] *= inv;
      }
    });
  });
}

void logsumexp(const Tensor& out, const Tensor& x, int64_t dim) {
  dispatch_floating(x.dtype(), "logsumexp", [&]<typename T>() {
    for_each_lane(x, out, dim, [&](const char* in, int64_t sin, char* o8, int64_t, int64_t n) {
      const T* xv = reinterpret_cast<const T*>(in);
      T m = -std::numeric_limits<T>::infinity();
      bool nan = false;  // std::max skips NaN; PyTorch's logsumexp of a row with NaN is NaN, even beside +inf
      for (int64_t i = 0; i < n; ++i) {
        m = std::max(m, xv[i * sin]);
        nan |= std::isnan(xv[i * sin]);
      }
      T r;
      if (nan)
        r = std::numeric_limits<T>::quiet_NaN();
      else if (std::isinf(m))
        r = m;
      else {
        T s = 0;
        for (int64_t i = 0; i < n; ++i) s += std::exp(xv[i * sin] - m);
        r = m + std::log(s);
      }
      *reinterpret_cast<T*>(o8) = r;
    });
  });
}

namespace {
// Inclusive scan along dim, accumulating in acc_t<T> from `init` (0 for cumsum, 1 for cumprod).
template <typename Step>
void inclusive_scan(const char* op, const Tensor& out, const Tensor& x, int64_t dim, int init, Step step) {
  dispatch_dtype(out.dtype(), op, [&]<typename T>() {
    for_each_lane(x, out, dim, [&](const char* in, int64_t sin, char* o8, int64_t sout, int64_t n) {
      const T* xv = reinterpret_cast<const T*>(in);
      T* ov = reinterpret_cast<T*>(o8);
      acc_t<T> a = init;
      for (int64_t i = 0; i < n; ++i) {
        a = step(a, xv[i * sin]);
        ov[i * sout] = static_cast<T>(a);
      }
    });
  });
}
}  // namespace

void cumsum(const Tensor& out, const Tensor& x, int64_t dim) {
  inclusive_scan("cumsum", out, x, dim, 0, [](auto a, auto v) { return a + v; });
}

void cumprod(const Tensor& out, const Tensor& x, int64_t dim) {
  inclusive_scan("cumprod", out, x, dim, 1, [](auto a, auto v) { return a * v; });
}

void sort(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool descending,
          int64_t k) {
  dispatch_dtype(x.dtype(), "sort", [&]<typename T>() {
    const char* vbase = static_cast<const char*>(values.data_ptr());
    int64_t* ibase = indices.data_ptr<int64_t>();
    const int64_t istride = x.dim() ? indices.stride(dim) : 0;
    for_each_lane(x, values, dim, [&](const char* in, int64_t sin, char* o8, int64_t sout, int64_t n) {
      const T* xv = reinterpret_cast<const T*>(in);
      std::vector<int64_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      // NaN sorts as the largest value, like PyTorch.
      auto less = [](T a, T b) {
        if constexpr (std::is_floating_point_v<T>) {
          if (std::isnan(a)) return false;
          if (std::isnan(b)) return true;
        }
        return a < b;
      };
      if (descending)
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t a, int64_t b) { return less(xv[b * sin], xv[a * sin]); });
      else
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t a, int64_t b) { return less(xv[a * sin], xv[b * sin]); });
      T* ov = reinterpret_cast<T*>(o8);
      int64_t* iv = ibase + (o8 - vbase) / static_cast<int64_t>(sizeof(T));
      for (int64_t i = 0; i < k; ++i) {
        ov[i * sout] = xv[order[i] * sin];
        iv[i * istride] = order[i];
      }
    });
  });
}

// Binary search with PyTorch's comparisons, !(b >= v) / !(b > v): a NaN value lands after every
// boundary, and a NaN boundary counts as larger than every value.
void searchsorted(const Tensor& out, const Tensor& sorted, const Tensor& values, bool right) {
  dispatch_dtype(values.dtype(), "searchsorted", [&]<typename T>() {
    const T* b = sorted.data_ptr<T>();
    const T* v = values.data_ptr<T>();
    const int64_t m = sorted.size(-1), n = values.numel();
    const int64_t row_len = sorted.dim() == 1 ? 0 : values.size(-1);  // values per sorted row
    auto run = [&]<typename I>(I* o) {
      for (int64_t i = 0; i < n; ++i) {
        const T* row = b + (row_len ? (i / row_len) * m : 0);
        int64_t lo = 0, hi = m;
        while (lo < hi) {
          const int64_t mid = lo + (hi - lo) / 2;
          if (right ? !(row[mid] > v[i]) : !(row[mid] >= v[i]))
            lo = mid + 1;
          else
            hi = mid;
        }
        o[i] = static_cast<I>(lo);
      }
    };
    if (out.dtype() == DType::Int32)
      run(out.data_ptr<int32_t>());
    else
      run(out.data_ptr<int64_t>());
  });
}

}  // namespace nabla::cpu
