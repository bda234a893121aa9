// creation.cpp — tensor factories: from data, constant fills, ranges, random.
#include <cmath>
#include <cstring>

#include "autograd/functions/common.h"
#include "ops/dispatch_dtype.h"

namespace nabla {

namespace {

Tensor finish(Tensor t, const TensorOptions& o) {
  if (o.requires_grad) t.requires_grad_(true);
  return t;
}

// Walks a nested list: records the shape (checking raggedness) and the widest scalar kind.
void scan_nested(const NestedList& n, size_t depth, std::vector<int64_t>& shape, std::vector<int64_t>& path,
                 Scalar::Kind& kind, bool& any_scalar) {
  if (n.is_scalar()) {
    NABLA_CHECK(depth == shape.size() || !any_scalar, ValueError,
                "tensor: ragged nested list: element at index {} is a number but other rows are lists "
                "(expected depth {})",
                shape_str(path), shape.size());
    if (!any_scalar) shape.resize(depth);
    any_scalar = true;
    kind = std::max(kind, n.scalar().kind());
    return;
  }
  const int64_t len = static_cast<int64_t>(n.items().size());
  if (shape.size() <= depth) {
    NABLA_CHECK(!any_scalar, ValueError,
                "tensor: ragged nested list: row {} is a list where a number was expected", shape_str(path));
    shape.push_back(len);
  } else {
    NABLA_CHECK(shape[depth] == len, ValueError,
                "tensor: ragged nested list: row {} has {} elements, expected {}", shape_str(path), len,
                shape[depth]);
  }
  int64_t i = 0;
  for (const NestedList& item : n.items()) {
    path.push_back(i++);
    scan_nested(item, depth + 1, shape, path, kind, any_scalar);
    path.pop_back();
  }
}

template <typename T>
void flatten_nested(const NestedList& n, T*& out) {
  if (n.is_scalar()) {
    *out++ = n.scalar().to<T>();
    return;
  }
  for (const NestedList& item : n.items()) flatten_nested(item, out);
}

Tensor from_nested(const NestedList& data, const TensorOptions& options) {
  std::vector<int64_t> shape, path;
  Scalar::Kind kind = Scalar::Kind::Bool;
  bool any_scalar = false;
  scan_nested(data, 0, shape, path, kind, any_scalar);
  DType dt = options.dtype                 ? *options.dtype
             : kind == Scalar::Kind::Float ? DType::Float32
             : kind == Scalar::Kind::Int   ? DType::Int64
                                           : DType::Bool;
  if (!any_scalar && shape.size() == 1 && shape[0] == 0 && !options.dtype)
    dt = DType::Float32;  // tensor({}) is float
  Tensor t = raw::empty(shape, dt, options.device_or(kCPU));
  dispatch_storage_dtype(dt, "tensor", [&]<typename T>() {
    T* p = t.data_ptr<T>();
    flatten_nested<T>(data, p);
  });
  return finish(t, options);
}

}  // namespace

Tensor tensor(NestedList data, TensorOptions options) { return from_nested(data, options); }
// torch.scalar_tensor takes the default dtype (float32), not the value's as full() does.
Tensor scalar_tensor(Scalar v, TensorOptions options) {
  options.dtype = options.dtype_or(kFloat32);
  return full({}, v, options);
}

Tensor from_buffer(const void* data, IntArrayRef sizes, DType dtype) {
  Tensor t = raw::empty(sizes, dtype);
  if (t.numel()) std::memcpy(t.data_ptr(), data, t.numel() * dtype_size(dtype));
  return t;
}

Tensor from_blob(void* data, IntArrayRef sizes, DType dtype, void (*deleter)(void*, void*), void* ctx) {
  Storage* st = Storage::wrap(data, shape_numel(sizes) * dtype_size(dtype), deleter, ctx);
  return Tensor(new TensorImpl(st, dtype, sizes, raw::contiguous_strides(sizes), 0));
}

Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, DType dtype) {
  NABLA_CHECK(sizes.size() == strides.size(), ShapeError,
              "from_blob: sizes {} and strides {} differ in length", shape_str(sizes), shape_str(strides));
  int64_t extent = 1;
  for (size_t i = 0; i < sizes.size(); ++i) extent += (sizes[i] - 1) * strides[i];
  return Tensor(new TensorImpl(Storage::wrap(data, extent * dtype_size(dtype), nullptr, nullptr), dtype,
                               sizes, strides, 0));
}

Tensor empty(IntArrayRef sizes, TensorOptions o) {
  return finish(raw::empty(sizes, o.dtype_or(kFloat32), o.device_or(kCPU)), o);
}
Tensor empty_strided(IntArrayRef sizes, IntArrayRef strides, TensorOptions o) {
  NABLA_CHECK(sizes.size() == strides.size(), ValueError, "empty_strided: {} sizes {} but {} strides {}",
              sizes.size(), shape_str(sizes), strides.size(), shape_str(strides));
  // Elements the strides reach: 1 + sum (size - 1) * stride, checked so it cannot wrap.
  int64_t extent = checked_numel(sizes, "empty_strided") == 0 ? 0 : 1;
  for (size_t i = 0; i < sizes.size() && extent > 0; ++i) {
    int64_t reach = 0;
    NABLA_CHECK(strides[i] >= 0 && !__builtin_mul_overflow(sizes[i] - 1, strides[i], &reach) &&
                    !__builtin_add_overflow(extent, reach, &extent),
                ValueError, "empty_strided: storage size calculation overflowed with sizes={} and strides={}",
                shape_str(sizes), shape_str(strides));
  }
  Tensor base = raw::empty({extent}, o.dtype_or(kFloat32), o.device_or(kCPU));
  return finish(raw::as_strided(base, sizes, strides, 0), o);
}
Tensor full(IntArrayRef sizes, Scalar value, TensorOptions o) {
  Tensor t = raw::empty(sizes, o.dtype_or(value.default_dtype()), o.device_or(kCPU));
  kernels::fill(t, value);
  return finish(t, o);
}
Tensor zeros(IntArrayRef sizes, TensorOptions o) {
  o.dtype = o.dtype_or(kFloat32);
  return full(sizes, 0, o);
}
Tensor ones(IntArrayRef sizes, TensorOptions o) {
  o.dtype = o.dtype_or(kFloat32);
  return full(sizes, 1, o);
}

Tensor arange(Scalar end, TensorOptions o) { return arange(0, end, 1, o); }
Tensor arange(Scalar start, Scalar end, Scalar step, TensorOptions o) {
  const bool floating = start.is_floating() || end.is_floating() || step.is_floating();
  const DType dt = o.dtype_or(floating ? DType::Float32 : DType::Int64);
  const double s = start.to_double(), e = end.to_double(), st = step.to_double();
  NABLA_CHECK(st != 0, ValueError, "arange: step must be nonzero");
  NABLA_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), ValueError,
              "arange: upper bound and larger bound inconsistent with step sign (start={}, end={}, step={})",
              s, e, st);
  const int64_t n = static_cast<int64_t>(std::ceil((e - s) / st));
  Tensor t = raw::empty({n}, dt, o.device_or(kCPU));
  dispatch_storage_dtype(dt, "arange", [&]<typename T>() {
    T* p = t.data_ptr<T>();
    if (!floating) {
      const int64_t si = start.to_int(), sti = step.to_int();
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(si + i * sti);
    } else {
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(s + i * st);
    }
  });
  return finish(t, o);
}

Tensor linspace(double start, double end, int64_t steps, TensorOptions o) {
  NABLA_CHECK(steps >= 0, ValueError, "linspace: number of steps must be non-negative, got {}", steps);
  Tensor t = raw::empty({steps}, o.dtype_or(kFloat32), o.device_or(kCPU));
  dispatch_storage_dtype(t.dtype(), "linspace", [&]<typename T>() {
    T* p = t.data_ptr<T>();
    const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0;
    const int64_t half = steps / 2;
    // Like PyTorch: fill the first half from start and the second half from end (symmetric rounding).
    if (steps == 1) {
      p[0] = static_cast<T>(start);
      return;
    }
    for (int64_t i = 0; i < steps; ++i)
      p[i] = static_cast<T>(i < half ? start + step * static_cast<double>(i)
                                     : end - step * static_cast<double>(steps - i - 1));
  });
  return finish(t, o);
}

Tensor eye(int64_t n, std::optional<int64_t> m_opt, TensorOptions o) {
  int64_t m = m_opt.value_or(n);
  NABLA_CHECK(n >= 0 && m >= 0, ValueError, "eye: n and m must be non-negative, got {} and {}", n, m);
  Tensor t = zeros({n, m}, {.dtype = o.dtype, .device = o.device});
  dispatch_storage_dtype(t.dtype(), "eye", [&]<typename T>() {
    T* p = t.data_ptr<T>();
    for (int64_t i = 0; i < std::min(n, m); ++i) p[i * m + i] = T(1);
  });
  return finish(t, o);
}

Tensor rand(IntArrayRef sizes, TensorOptions o, RandomGenerator* gen) {
  Tensor t = raw::empty(sizes, o.dtype_or(kFloat32), o.device_or(kCPU));
  kernels::random_uniform(t, 0, 1, gen ? *gen : default_generator());
  return finish(t, o);
}
Tensor randn(IntArrayRef sizes, TensorOptions o, RandomGenerator* gen) {
  Tensor t = raw::empty(sizes, o.dtype_or(kFloat32), o.device_or(kCPU));
  kernels::random_normal(t, 0, 1, gen ? *gen : default_generator());
  return finish(t, o);
}
Tensor randint(int64_t low, int64_t high, IntArrayRef sizes, TensorOptions o, RandomGenerator* gen) {
  NABLA_CHECK(high > low, ValueError, "randint: expected low ({}) < high ({})", low, high);
  RandomGenerator& g = gen ? *gen : default_generator();
  Tensor t = raw::empty(sizes, o.dtype_or(kInt64), o.device_or(kCPU));
  const uint64_t range = static_cast<uint64_t>(high - low);
  dispatch_storage_dtype(t.dtype(), "randint", [&]<typename T>() {
    T* p = t.data_ptr<T>();
    for (int64_t i = 0; i < t.numel(); ++i)
      p[i] = static_cast<T>(low + static_cast<int64_t>(g.next_u64() % range));
  });
  return finish(t, o);
}
Tensor randperm(int64_t n, TensorOptions o, RandomGenerator* gen) {
  NABLA_CHECK(n >= 0, ValueError, "randperm: n must be non-negative, got {}", n);
  RandomGenerator& g = gen ? *gen : default_generator();
  std::vector<int64_t> perm(n);
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  for (int64_t i = n - 1; i > 0; --i) std::swap(perm[i], perm[g.next_u64() % static_cast<uint64_t>(i + 1)]);
  Tensor t = from_buffer(perm.data(), {n}, DType::Int64);
  return finish(convert(t, o.dtype_or(kInt64)), o);
}
Tensor bernoulli(const Tensor& p, RandomGenerator* gen) {
  Tensor u = rand(p.sizes(), {.dtype = p.dtype()}, gen);
  return convert(u < p.detach(), p.dtype());
}

namespace {
// Unset fields come from the source tensor, as in PyTorch's *_like.
TensorOptions like(const Tensor& t, TensorOptions o) {
  o.dtype = o.dtype_or(t.dtype());
  o.device = o.device_or(t.device());
  return o;
}
// PyTorch's *_like keep the input's memory format (memory_format=preserve_format): a channels-last
// input gives a channels-last result. make(sizes, options) builds a contiguous tensor; for a
// channels-last t it is built as [N, H, W, C] (so random values fill memory in order, as PyTorch's
// do) and viewed as [N, C, H, W] with NHWC strides. Other permuted layouts give contiguous results
// (PyTorch keeps any dense input's strides; see docs/ARCHITECTURE.md).
template <typename Make>
Tensor make_like(const Tensor& t, TensorOptions o, Make make) {
  o = like(t, o);
  if (raw::memory_format_of(t) != MemoryFormat::ChannelsLast) return make(t.sizes(), o);
  const bool grad = o.requires_grad;
  o.requires_grad = false;
  Tensor nhwc = make(std::vector<int64_t>{t.size(0), t.size(2), t.size(3), t.size(1)}, o);
  Tensor r = raw::as_strided(nhwc, t.sizes(), raw::channels_last_strides(t.sizes()), 0);
  return grad ? r.requires_grad_(true) : r;
}
}  // namespace
Tensor empty_like(const Tensor& t, TensorOptions o) {
  return make_like(t, o, [](IntArrayRef s, TensorOptions to) { return empty(s, to); });
}
Tensor zeros_like(const Tensor& t, TensorOptions o) {
  return make_like(t, o, [](IntArrayRef s, TensorOptions to) { return zeros(s, to); });
}
Tensor ones_like(const Tensor& t, TensorOptions o) {
  return make_like(t, o, [](IntArrayRef s, TensorOptions to) { return ones(s, to); });
}
Tensor full_like(const Tensor& t, Scalar v, TensorOptions o) {
  return make_like(t, o, [v](IntArrayRef s, TensorOptions to) { return full(s, v, to); });
}
Tensor rand_like(const Tensor& t, TensorOptions o) {
  return make_like(t, o, [](IntArrayRef s, TensorOptions to) { return rand(s, to); });
}
Tensor randn_like(const Tensor& t, TensorOptions o) {
  return make_like(t, o, [](IntArrayRef s, TensorOptions to) { return randn(s, to); });
}

// ---- Tensor::new_*: self's dtype unless options say otherwise (like PyTorch's Tensor.new_zeros) ----
Tensor Tensor::new_empty(IntArrayRef size, TensorOptions o) const {
  check_defined("new_empty", *this);
  return empty(size, like(*this, o));
}
Tensor Tensor::new_zeros(IntArrayRef size, TensorOptions o) const {
  check_defined("new_zeros", *this);
  return zeros(size, like(*this, o));
}
Tensor Tensor::new_ones(IntArrayRef size, TensorOptions o) const {
  check_defined("new_ones", *this);
  return ones(size, like(*this, o));
}
Tensor Tensor::new_full(IntArrayRef size, Scalar fill_value, TensorOptions o) const {
  check_defined("new_full", *this);
  return full(size, fill_value, like(*this, o));
}
Tensor Tensor::new_tensor(NestedList data, TensorOptions o) const {
  check_defined("new_tensor", *this);
  return tensor(data, like(*this, o));
}
// A copy of data's values, detached from its graph (PyTorch's new_tensor(tensor) is clone().detach()).
Tensor Tensor::new_tensor(const Tensor& data, TensorOptions o) const {
  check_defined("new_tensor", *this, data);
  Tensor out = empty(data.sizes(), like(*this, o));
  NoGradGuard ng;
  out.copy_(data);
  return out;
}

}  // namespace nabla
