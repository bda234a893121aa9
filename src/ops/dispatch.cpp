// dispatch.cpp — routes each backend-neutral kernel of ops/kernels.h to a backend, after the device
// check every entry point runs (Note [Kernel routing] in ops/device_check.h). A CUDA backend adds its
// case here; no op definition changes.
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <thread>

#include "nabla/ops/ops.h"
#include "ops/cpu/cpu_kernels.h"
#include "ops/device_check.h"
#include "ops/dispatch_dtype.h"
#include "ops/dnnl/dnnl_kernels.h"
#include "ops/reduced_staging.h"

namespace nabla {

// More threads than 4x the hardware's only adds contention, and huge counts crashed oneDNN's
// matmul (each thread gets a scratch buffer): clamp, and say so once.
void set_num_threads(int n) {
  NABLA_CHECK(n > 0, ValueError, "set_num_threads: expected a positive number of threads, got {}", n);
  const int cap = 4 * std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (n > cap) {
    static std::once_flag warned;
    std::call_once(warned, [&] {
      std::fprintf(stderr, "nabla: set_num_threads(%d) clamped to %d (4 x hardware threads)\n", n, cap);
    });
    n = cap;
  }
  omp_set_num_threads(n);
}
int get_num_threads() { return omp_get_max_threads(); }

namespace kernels {

void no_kernel_for_device(const char* op, const Tensor& t) {
  throw DeviceError(fmt::format("{}: no kernel for device '{}' in this build", op, t.device().str()));
}

bool binary_is_comparison(Binary op) { return kBinaryIsComparison[static_cast<int>(op)]; }
bool unary_needs_floating(Unary op) { return kUnaryNeedsFloating[static_cast<int>(op)]; }

void binary(Binary op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  check_device("binary", out, a, b);
  if (cpu::binary_small_float(op, out, a, b, alpha)) return;
  ReducedStaging s;
  cpu::binary(op, s.out(out), s.in(a), s.in(b), alpha);
  s.finish();
}
void unary(Unary op, const Tensor& out, const Tensor& x, const UnaryArgs& args) {
  check_device("unary", out, x);
  ReducedStaging s;
  cpu::unary(op, s.out(out), s.in(x), args);
  s.finish();
}
void where(const Tensor& out, const Tensor& c, const Tensor& a, const Tensor& b) {
  check_device("where", out, c, a, b);
  ReducedStaging s;
  cpu::where(s.out(out), c, s.in(a), s.in(b));
  s.finish();
}
void copy(const Tensor& dst, const Tensor& src) {
  check_device("copy", dst, src);
  cpu::copy(dst, src);
}
void fill(const Tensor& dst, Scalar v) {
  check_device("fill", dst);
  cpu::fill(dst, v);
}
void reduce(Reduce op, const Tensor& out, const Tensor& x) {
  check_device("reduce", out, x);
  ReducedStaging s;
  cpu::reduce(op, s.out(out), s.in(x));
  s.finish();
}
void arg_reduce(bool is_max, const Tensor& v, const Tensor& i, const Tensor& x, int64_t dim) {
  check_device(is_max ? "max" : "min", v, i, x);
  ReducedStaging s;
  cpu::arg_reduce(is_max, s.out(v), i, s.in(x), dim);
  s.finish();
}
void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) {
  check_device(log ? "log_softmax" : "softmax", out, x);
  ReducedStaging s;
  cpu::softmax(s.out(out), s.in(x), dim, log);
  s.finish();
}
void logsumexp(const Tensor& out, const Tensor& x, int64_t dim) {
  check_device("logsumexp", out, x);
  ReducedStaging s;
  cpu::logsumexp(s.out(out), s.in(x), dim);
  s.finish();
}
void cumsum(const Tensor& out, const Tensor& x, int64_t dim) {
  check_device("cumsum", out, x);
  ReducedStaging s;
  cpu::cumsum(s.out(out), s.in(x), dim);
  s.finish();
}
void cumprod(const Tensor& out, const Tensor& x, int64_t dim) {
  check_device("cumprod", out, x);
  ReducedStaging s;
  cpu::cumprod(s.out(out), s.in(x), dim);
  s.finish();
}
void sort(const Tensor& v, const Tensor& i, const Tensor& x, int64_t dim, bool desc, int64_t k) {
  check_device("sort", v, i, x);
  ReducedStaging s;
  cpu::sort(s.out(v), i, s.in(x), dim, desc, k);
  s.finish();
}
void searchsorted(const Tensor& out, const Tensor& sorted, const Tensor& values, bool right) {
  check_device("searchsorted", out, sorted, values);
  ReducedStaging s;
  cpu::searchsorted(out, s.in(sorted), s.in(values), right);
}
void index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  check_device("index_select", out, x, index);
  ReducedStaging s;
  cpu::index_select(s.out(out), s.in(x), dim, index);
  s.finish();
}
void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  check_device("index_add", out, index, src);
  ReducedStaging s;
  cpu::index_add(s.out(out), dim, index, s.in(src));
  s.finish();
}
void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  check_device("gather", out, x, index);
  ReducedStaging s;
  cpu::gather(s.out(out), s.in(x), dim, index);
  s.finish();
}
void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool acc) {
  check_device("scatter", out, index, src);
  ReducedStaging s;
  cpu::scatter(s.out(out), dim, index, s.in(src), acc);
  s.finish();
}
void masked_select(const Tensor& out, const Tensor& x, const Tensor& m) {
  check_device("masked_select", out, x, m);
  ReducedStaging s;
  cpu::masked_select(s.out(out), s.in(x), m);
  s.finish();
}
void masked_scatter(const Tensor& out, const Tensor& m, const Tensor& s) {
  check_device("masked_scatter", out, m, s);
  ReducedStaging st;
  cpu::masked_scatter(st.out(out), m, st.in(s));
  st.finish();
}
int64_t count_nonzero(const Tensor& x) {
  check_device("count_nonzero", x);
  ReducedStaging s;
  return cpu::count_nonzero(s.in(x));
}
void nonzero(const Tensor& out, const Tensor& x) {
  check_device("nonzero", out, x);
  ReducedStaging s;
  cpu::nonzero(out, s.in(x));
}
void matmul(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& bias) {
  check_device("matmul", out, a, b, bias);
  ReducedStaging s;
  dnnl_backend::guarded("matmul", [&] { dnnl_backend::matmul(s.out(out), s.in(a), s.in(b), s.in(bias)); });
  s.finish();
}
void linear(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias) {
  check_device("linear", out, x, w, bias);
  ReducedStaging s;
  dnnl_backend::guarded("linear", [&] { dnnl_backend::linear(s.out(out), s.in(x), s.in(w), s.in(bias)); });
  s.finish();
}

void random_uniform(const Tensor& target, double from, double to, RandomGenerator& gen) {
  check_device("uniform_", target);
  ReducedStaging s;
  const Tensor& out = s.out(target);
  dispatch_floating(out.dtype(), "uniform_", [&]<typename T>() {
    T* o = out.data_ptr<T>();
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      gen.fill_uniform(o, out.numel());
      if (from != 0 || to != 1) {  // lo + span * u, as the draws were scaled one by one before
        const T lo = static_cast<T>(from), span = static_cast<T>(to - from);
        for (int64_t i = 0; i < out.numel(); ++i) o[i] = lo + span * o[i];
      }
    } else {
      const T lo = static_cast<T>(from), span = static_cast<T>(to - from);
      for (int64_t i = 0; i < out.numel(); ++i) o[i] = lo + span * static_cast<T>(gen.next_double());
    }
  });
  s.finish();
}
void dropout_mask(const Tensor& out, double p, RandomGenerator& gen) {
  check_device("dropout", out);
  dispatch_floating(out.dtype(), "dropout", [&]<typename T>() {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      T* o = out.data_ptr<T>();
      // The draws, the comparison in T and the scale in T of rand(), `>= p`, convert and `* 1/(1-p)`;
      // a chunk at a time, so the draws are thresholded while in L1.
      const T threshold = static_cast<T>(p), keep = static_cast<T>(1.0 / (1.0 - p));
      constexpr int64_t chunk = 1024;
      for (int64_t start = 0; start < out.numel(); start += chunk) {
        const int64_t n = std::min(chunk, out.numel() - start);
        gen.fill_uniform(o + start, n);
        for (int64_t i = start; i < start + n; ++i) o[i] = o[i] >= threshold ? keep : T(0);
      }
    } else {
      NABLA_CHECK(false, DTypeError, "dropout_mask: float32 or float64 expected, got {}", out.dtype());
    }
  });
}
void random_normal(const Tensor& target, double mean, double std, RandomGenerator& gen) {
  check_device("normal_", target);
  ReducedStaging s;
  const Tensor& out = s.out(target);
  dispatch_floating(out.dtype(), "normal_", [&]<typename T>() {
    T* o = out.data_ptr<T>();
    for (int64_t i = 0; i < out.numel(); ++i) o[i] = static_cast<T>(mean + std * gen.next_normal());
  });
  s.finish();
}

}  // namespace kernels
}  // namespace nabla
