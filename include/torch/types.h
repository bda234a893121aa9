// torch/types.h — LibTorch's tensor-level names on nabla: torch::Tensor *is* nabla::Tensor, the dtype
// constants are nabla's, and TensorOptions is LibTorch's chainable builder converting to nabla's
// aggregate options. at:: and c10:: carry the names users write from those namespaces.
#pragma once
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "nabla/core.h"

namespace torch {

using nabla::IntArrayRef;
using nabla::MemoryFormat;
using nabla::Scalar;
using nabla::Tensor;
using ScalarType = nabla::DType;
using Dtype = nabla::DType;
using nabla::Device;
using nabla::DeviceType;
using nabla::kCPU;
inline constexpr DeviceType kCUDA = DeviceType::CUDA;
using nabla::kBFloat16, nabla::kBool, nabla::kByte, nabla::kDouble, nabla::kFloat, nabla::kFloat16,
    nabla::kFloat32, nabla::kFloat64, nabla::kHalf, nabla::kInt, nabla::kInt32, nabla::kInt64, nabla::kLong,
    nabla::kUInt8;
inline constexpr ScalarType kShort = nabla::kInt32;  // nabla has no int16: the nearest wider type
using TensorList = std::vector<Tensor>;
using nabla::Half, nabla::BFloat16;
template <typename T>
using optional = std::optional<T>;
using std::nullopt;
using Generator = nabla::RandomGenerator;

namespace indexing {
using nabla::Ellipsis;
using nabla::None;
using nabla::Slice;
using nabla::TensorIndex;
}  // namespace indexing

// LibTorch's builder: torch::dtype(torch::kFloat64).requires_grad(true). Converts to nabla's options.
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(ScalarType dtype) { o_.dtype = dtype; }         // NOLINT: as LibTorch
  TensorOptions(Device device) { o_.device = device; }          // NOLINT
  TensorOptions(DeviceType type) { o_.device = Device(type); }  // NOLINT
  TensorOptions(const nabla::TensorOptions& o) : o_(o) {}       // NOLINT
  TensorOptions dtype(ScalarType dtype) const {
    return with([&](auto& o) { o.dtype = dtype; });
  }
  TensorOptions device(Device device) const {
    return with([&](auto& o) { o.device = device; });
  }
  TensorOptions requires_grad(bool on) const {
    return with([&](auto& o) { o.requires_grad = on; });
  }
  TensorOptions memory_format(MemoryFormat) const { return *this; }  // creation is always contiguous
  ScalarType dtype() const { return o_.dtype_or(nabla::kFloat32); }
  Device device() const { return o_.device_or(kCPU); }
  bool requires_grad() const { return o_.requires_grad; }
  bool has_dtype() const { return o_.dtype.has_value(); }
  operator nabla::TensorOptions() const { return o_; }  // NOLINT

 private:
  template <typename F>
  TensorOptions with(F set) const {
    TensorOptions copy = *this;
    set(copy.o_);
    return copy;
  }
  nabla::TensorOptions o_;
};
inline TensorOptions dtype(ScalarType t) { return TensorOptions().dtype(t); }
inline TensorOptions device(Device d) { return TensorOptions().device(d); }
inline TensorOptions requires_grad(bool on = true) { return TensorOptions().requires_grad(on); }

// ---- factories (LibTorch's signatures: options last, a dtype or device converts to options) ----
inline Tensor tensor(nabla::NestedList data, TensorOptions o = {}) { return nabla::tensor(data, o); }
template <typename T>
Tensor tensor(const std::vector<T>& values, TensorOptions o = {}) {
  Tensor t = nabla::from_buffer(values.data(), {static_cast<int64_t>(values.size())}, nabla::dtype_v<T>);
  return o.has_dtype() || o.requires_grad() ? t.to(o.dtype()).requires_grad_(o.requires_grad()) : t;
}
inline Tensor scalar_tensor(Scalar v, TensorOptions o = {}) { return nabla::scalar_tensor(v, o); }
inline Tensor empty(IntArrayRef s, TensorOptions o = {}) { return nabla::empty(s, o); }
inline Tensor zeros(IntArrayRef s, TensorOptions o = {}) { return nabla::zeros(s, o); }
inline Tensor ones(IntArrayRef s, TensorOptions o = {}) { return nabla::ones(s, o); }
inline Tensor full(IntArrayRef s, Scalar v, TensorOptions o = {}) { return nabla::full(s, v, o); }
inline Tensor arange(Scalar end, TensorOptions o = {}) { return nabla::arange(end, o); }
inline Tensor arange(Scalar start, Scalar end, TensorOptions o = {}) {
  return nabla::arange(start, end, 1, o);
}
inline Tensor arange(Scalar start, Scalar end, Scalar step, TensorOptions o = {}) {
  return nabla::arange(start, end, step, o);
}
inline Tensor linspace(double start, double end, int64_t steps, TensorOptions o = {}) {
  return nabla::linspace(start, end, steps, o);
}
inline Tensor eye(int64_t n, TensorOptions o = {}) { return nabla::eye(n, std::nullopt, o); }
inline Tensor eye(int64_t n, int64_t m, TensorOptions o = {}) { return nabla::eye(n, m, o); }
inline Tensor rand(IntArrayRef s, TensorOptions o = {}) { return nabla::rand(s, o); }
inline Tensor randn(IntArrayRef s, TensorOptions o = {}) { return nabla::randn(s, o); }
inline Tensor randint(int64_t high, IntArrayRef s, TensorOptions o = {}) {
  return nabla::randint(0, high, s, o.has_dtype() ? o : o.dtype(nabla::kInt64));
}
inline Tensor randint(int64_t low, int64_t high, IntArrayRef s, TensorOptions o = {}) {
  return nabla::randint(low, high, s, o.has_dtype() ? o : o.dtype(nabla::kInt64));
}
inline Tensor randperm(int64_t n, TensorOptions o = {}) { return nabla::randperm(n, o); }
inline Tensor empty_like(const Tensor& t, TensorOptions o = {}) { return nabla::empty_like(t, o); }
inline Tensor zeros_like(const Tensor& t, TensorOptions o = {}) { return nabla::zeros_like(t, o); }
inline Tensor ones_like(const Tensor& t, TensorOptions o = {}) { return nabla::ones_like(t, o); }
inline Tensor full_like(const Tensor& t, Scalar v, TensorOptions o = {}) { return nabla::full_like(t, v, o); }
inline Tensor rand_like(const Tensor& t, TensorOptions o = {}) { return nabla::rand_like(t, o); }
inline Tensor randn_like(const Tensor& t, TensorOptions o = {}) { return nabla::randn_like(t, o); }
// Wraps caller memory without copying (LibTorch: the caller keeps it alive).
inline Tensor from_blob(void* data, IntArrayRef sizes, TensorOptions o = {}) {
  Tensor t = nabla::from_blob(data, sizes, o.dtype());
  return o.requires_grad() ? t.requires_grad_() : t;
}

// ---- the ops: every free function of nabla's op table, and the hand-written overload sets ----
#define NABLA_TORCH_USING(name, arity, diff, dbl, forms, ...) NABLA_FORM_##forms(using nabla::name;, , , , )
NABLA_FOREACH_OP(NABLA_TORCH_USING)
#undef NABLA_TORCH_USING
using nabla::add, nabla::sub, nabla::mul, nabla::div, nabla::pow, nabla::sum, nabla::mean, nabla::prod,
    nabla::max, nabla::min, nabla::all, nabla::any, nabla::topk, nabla::sort, nabla::cat, nabla::stack,
    nabla::split, nabla::split_with_sizes, nabla::meshgrid, nabla::unique, nabla::einsum, nabla::allclose,
    nabla::equal, nabla::lerp, nabla::bernoulli, nabla::result_type, nabla::broadcast_shapes,
    nabla::get_num_threads, nabla::set_num_threads, nabla::from_buffer;

using nabla::EnableGradGuard;
using nabla::InferenceMode;
using nabla::NoGradGuard;
// torch::AutoGradMode guard(false): sets grad mode for its scope.
class AutoGradMode {
 public:
  explicit AutoGradMode(bool enabled) : prev_(nabla::is_grad_enabled()) { nabla::set_grad_enabled(enabled); }
  ~AutoGradMode() { nabla::set_grad_enabled(prev_); }
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool prev_;
};
using nabla::manual_seed;

namespace cuda {
inline bool is_available() { return nabla::cuda_is_available(); }
inline int64_t device_count() { return 0; }
inline void manual_seed(uint64_t) {}
inline void manual_seed_all(uint64_t) {}
}  // namespace cuda

}  // namespace torch

// The ATen and c10 spellings of the same names (at::Tensor, c10::IntArrayRef, at::kFloat, ...).
namespace at {
using namespace ::torch;  // NOLINT
}
namespace c10 {
using namespace ::torch;  // NOLINT
template <typename T>
using ArrayRef = std::vector<T>;
}  // namespace c10

namespace torch {
// c10::str: the arguments streamed into one string.
template <typename... Args>
std::string str(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}
}  // namespace torch
namespace c10 {
using Error = nabla::Error;
}

// LibTorch's checks: a failed condition throws (nabla::ValueError, a c10::Error) with the message.
#define TORCH_CHECK(cond, ...)                                                                              \
  do {                                                                                                      \
    if (!(cond)) throw ::nabla::ValueError(::torch::str("Expected " #cond " to be true. ", ##__VA_ARGS__)); \
  } while (false)
#define TORCH_INTERNAL_ASSERT(cond, ...) TORCH_CHECK(cond, ##__VA_ARGS__)
#define AT_ASSERT(cond, ...) TORCH_CHECK(cond, ##__VA_ARGS__)
