// dispatch.cpp — routes each backend-neutral kernel to the backend of its operands' device.
// A CUDA backend adds a `case DeviceType::CUDA` here; no op definition changes.
#include <omp.h>

#include "nabla/ops/ops.h"
#include "ops/dispatch_dtype.h"
#include "ops/kernels.h"

namespace nabla {
namespace cpu {
void binary(kernels::Binary, const Tensor&, const Tensor&, const Tensor&, double);
void unary(kernels::Unary, const Tensor&, const Tensor&, const kernels::UnaryArgs&);
void where(const Tensor&, const Tensor&, const Tensor&, const Tensor&);
void copy(const Tensor&, const Tensor&);
void fill(const Tensor&, Scalar);
void reduce(kernels::Reduce, const Tensor&, const Tensor&);
void arg_reduce(bool, const Tensor&, const Tensor&, const Tensor&, int64_t);
void softmax(const Tensor&, const Tensor&, int64_t, bool);
void logsumexp(const Tensor&, const Tensor&, int64_t);
void cumsum(const Tensor&, const Tensor&, int64_t);
void sort(const Tensor&, const Tensor&, const Tensor&, int64_t, bool, int64_t);
void index_select(const Tensor&, const Tensor&, int64_t, const Tensor&);
void index_add(const Tensor&, int64_t, const Tensor&, const Tensor&);
void gather(const Tensor&, const Tensor&, int64_t, const Tensor&);
void scatter(const Tensor&, int64_t, const Tensor&, const Tensor&, bool);
void masked_select(const Tensor&, const Tensor&, const Tensor&);
void masked_scatter(const Tensor&, const Tensor&, const Tensor&);
int64_t count_nonzero(const Tensor&);
void nonzero(const Tensor&, const Tensor&);
}  // namespace cpu
namespace dnnl_backend {
void matmul(const Tensor&, const Tensor&, const Tensor&, const Tensor&);
void linear(const Tensor&, const Tensor&, const Tensor&, const Tensor&);
}

void set_num_threads(int n) {
  NABLA_CHECK(n > 0, ValueError, "set_num_threads: expected a positive number of threads, got {}", n);
  omp_set_num_threads(n);
}
int get_num_threads() { return omp_get_max_threads(); }

namespace kernels {

namespace {
// Every operand must be on the CPU until another backend is compiled in.
inline void require_cpu(const Tensor& t, const char* op) {
  NABLA_CHECK(t.device().is_cpu(), DeviceError, "{}: no kernel for device '{}' in this build", op,
              t.device().str());
}
}  // namespace

bool binary_is_comparison(Binary op) { return kBinaryIsComparison[static_cast<int>(op)]; }
bool unary_needs_floating(Unary op) { return kUnaryNeedsFloating[static_cast<int>(op)]; }

void binary(Binary op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  require_cpu(out, "binary");
  cpu::binary(op, out, a, b, alpha);
}
void unary(Unary op, const Tensor& out, const Tensor& x, const UnaryArgs& args) {
  require_cpu(out, "unary");
  cpu::unary(op, out, x, args);
}
void where(const Tensor& out, const Tensor& c, const Tensor& a, const Tensor& b) { cpu::where(out, c, a, b); }
void copy(const Tensor& dst, const Tensor& src) {
  require_cpu(dst, "copy");
  require_cpu(src, "copy");
  cpu::copy(dst, src);
}
void fill(const Tensor& dst, Scalar v) { require_cpu(dst, "fill"); cpu::fill(dst, v); }
void reduce(Reduce op, const Tensor& out, const Tensor& x) { cpu::reduce(op, out, x); }
void arg_reduce(bool is_max, const Tensor& v, const Tensor& i, const Tensor& x, int64_t dim) {
  cpu::arg_reduce(is_max, v, i, x, dim);
}
void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) { cpu::softmax(out, x, dim, log); }
void logsumexp(const Tensor& out, const Tensor& x, int64_t dim) { cpu::logsumexp(out, x, dim); }
void cumsum(const Tensor& out, const Tensor& x, int64_t dim) { cpu::cumsum(out, x, dim); }
void sort(const Tensor& v, const Tensor& i, const Tensor& x, int64_t dim, bool desc, int64_t k) {
  cpu::sort(v, i, x, dim, desc, k);
}
void index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  cpu::index_select(out, x, dim, index);
}
void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  cpu::index_add(out, dim, index, src);
}
void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) { cpu::gather(out, x, dim, index); }
void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool acc) {
  cpu::scatter(out, dim, index, src, acc);
}
void masked_select(const Tensor& out, const Tensor& x, const Tensor& m) { cpu::masked_select(out, x, m); }
void masked_scatter(const Tensor& out, const Tensor& m, const Tensor& s) { cpu::masked_scatter(out, m, s); }
int64_t count_nonzero(const Tensor& x) { return cpu::count_nonzero(x); }
void nonzero(const Tensor& out, const Tensor& x) { cpu::nonzero(out, x); }
void matmul(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& bias) {
  require_cpu(out, "matmul");
  dnnl_backend::matmul(out, a, b, bias);
}
void linear(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias) {
  require_cpu(out, "linear");
  dnnl_backend::linear(out, x, w, bias);
}

void random_uniform(const Tensor& out, double from, double to, Generator& gen) {
  dispatch_floating(out.dtype(), "uniform_", [&]<typename T>() {
    T* o = out.data_ptr<T>();
    const T lo = static_cast<T>(from), span = static_cast<T>(to - from);
    for (int64_t i = 0; i < out.numel(); ++i) {
      if constexpr (std::is_same_v<T, float>) o[i] = lo + span * gen.next_float();
      else o[i] = lo + span * static_cast<T>(gen.next_double());
    }
  });
}
void random_normal(const Tensor& out, double mean, double std, Generator& gen) {
  dispatch_floating(out.dtype(), "normal_", [&]<typename T>() {
    T* o = out.data_ptr<T>();
    for (int64_t i = 0; i < out.numel(); ++i) o[i] = static_cast<T>(mean + std * gen.next_normal());
  });
}

}  // namespace kernels
}  // namespace nabla
