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
  cpu::binary(op, out, a, b, alpha);
}
void unary(Unary op, const Tensor& out, const Tensor& x, const UnaryArgs& args) {
  check_device("unary", out, x);
  cpu::unary(op, out, x, args);
}
void where(const Tensor& out, const Tensor& c, const Tensor& a, const Tensor& b) {
  check_device("where", out, c, a, b);
  cpu::where(out, c, a, b);
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
  cpu::reduce(op, out, x);
}
void arg_reduce(bool is_max, const Tensor& v, const Tensor& i, const Tensor& x, int64_t dim) {
  check_device(is_max ? "max" : "min", v, i, x);
  cpu::arg_reduce(is_max, v, i, x, dim);
}
void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) {
  check_device(log ? "log_softmax" : "softmax", out, x);
  cpu::softmax(out, x, dim, log);
}
void logsumexp(const Tensor& out, const Tensor& x, int64_t dim) {
  check_device("logsumexp", out, x);
  cpu::logsumexp(out, x, dim);
}
void cumsum(const Tensor& out, const Tensor& x, int64_t dim) {
  check_device("cumsum", out, x);
  cpu::cumsum(out, x, dim);
}
void cumprod(const Tensor& out, const Tensor& x, int64_t dim) {
  check_device("cumprod", out, x);
  cpu::cumprod(out, x, dim);
}
void sort(const Tensor& v, const Tensor& i, const Tensor& x, int64_t dim, bool desc, int64_t k) {
  check_device("sort", v, i, x);
  cpu::sort(v, i, x, dim, desc, k);
}
void searchsorted(const Tensor& out, const Tensor& sorted, const Tensor& values, bool right) {
  check_device("searchsorted", out, sorted, values);
  cpu::searchsorted(out, sorted, values, right);
}
void index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  check_device("index_select", out, x, index);
  cpu::index_select(out, x, dim, index);
}
void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  check_device("index_add", out, index, src);
  cpu::index_add(out, dim, index, src);
}
void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  check_device("gather", out, x, index);
  cpu::gather(out, x, dim, index);
}
void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool acc) {
  check_device("scatter", out, index, src);
  cpu::scatter(out, dim, index, src, acc);
}
void masked_select(const Tensor& out, const Tensor& x, const Tensor& m) {
  check_device("masked_select", out, x, m);
  cpu::masked_select(out, x, m);
}
void masked_scatter(const Tensor& out, const Tensor& m, const Tensor& s) {
  check_device("masked_scatter", out, m, s);
  cpu::masked_scatter(out, m, s);
}
int64_t count_nonzero(const Tensor& x) {
  check_device("count_nonzero", x);
  return cpu::count_nonzero(x);
}
void nonzero(const Tensor& out, const Tensor& x) {
  check_device("nonzero", out, x);
  cpu::nonzero(out, x);
}
void matmul(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& bias) {
  check_device("matmul", out, a, b, bias);
  dnnl_backend::guarded("matmul", [&] { dnnl_backend::matmul(out, a, b, bias); });
}
void linear(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias) {
  check_device("linear", out, x, w, bias);
  dnnl_backend::guarded("linear", [&] { dnnl_backend::linear(out, x, w, bias); });
}

void random_uniform(const Tensor& out, double from, double to, RandomGenerator& gen) {
  check_device("uniform_", out);
  dispatch_floating(out.dtype(), "uniform_", [&]<typename T>() {
    T* o = out.data_ptr<T>();
    const T lo = static_cast<T>(from), span = static_cast<T>(to - from);
    for (int64_t i = 0; i < out.numel(); ++i) {
      if constexpr (std::is_same_v<T, float>)
        o[i] = lo + span * gen.next_float();
      else
        o[i] = lo + span * static_cast<T>(gen.next_double());
    }
  });
}
void random_normal(const Tensor& out, double mean, double std, RandomGenerator& gen) {
  check_device("normal_", out);
  dispatch_floating(out.dtype(), "normal_", [&]<typename T>() {
    T* o = out.data_ptr<T>();
    for (int64_t i = 0; i < out.numel(); ++i) o[i] = static_cast<T>(mean + std * gen.next_normal());
  });
}

}  // namespace kernels
}  // namespace nabla
