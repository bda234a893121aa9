// promote.cpp — PyTorch's type promotion (three priority tiers: dimensioned tensors, 0-d tensors,
// wrapped numbers), broadcasting, in-place checks, and dim helpers shared by the op definitions.
#include <algorithm>

#include "autograd/functions/common.h"

namespace nabla {

void throw_undefined_argument(const char* op, size_t position) {
  throw ValueError(
      fmt::format("{}: undefined tensor argument at position {} (a default-constructed Tensor has no data)",
                  op, position));
}

Tensor wrap_scalar(Scalar s) {
  DType dt = s.is_floating() ? DType::Float64 : s.is_bool() ? DType::Bool : DType::Int64;
  Tensor t = raw::empty({}, dt);
  kernels::fill(t, s);
  t.impl()->set_wrapped_number(true);
  return t;
}
bool is_wrapped_number(const Tensor& t) { return t.impl()->is_wrapped_number(); }

Tensor convert(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return t;
  Tensor out = raw::empty(t.sizes(), dtype, t.device());
  kernels::copy(out, t);
  return out;
}

Tensor float32_if_reduced(const Tensor& t) {
  return t.defined() && is_reduced_floating(t.dtype()) ? t.to(DType::Float32) : t;
}

namespace {
using Tier = std::optional<DType>;
void update(Tier& tier, DType t) { tier = tier ? promote_types(*tier, t) : t; }
Tier combine_categories(Tier higher, Tier lower) {
  if (!higher) return lower;
  if (!lower) return higher;
  if (is_floating(*higher)) return higher;
  if (*higher == DType::Bool || is_floating(*lower)) return promote_types(*higher, *lower);
  return higher;
}
DType result_type_of(std::initializer_list<const Tensor*> ts) {
  Tier dim, zero, wrapped;
  for (const Tensor* t : ts) {
    if (t->impl()->is_wrapped_number()) {
      // A Python float is "a float" (default dtype float32), an int is int64, a bool is bool.
      update(wrapped, is_floating(t->dtype()) ? DType::Float32 : t->dtype());
    } else if (t->dim() == 0) {
      update(zero, t->dtype());
    } else {
      update(dim, t->dtype());
    }
  }
  return *combine_categories(dim, combine_categories(zero, wrapped));
}
}  // namespace

DType result_type(const Tensor& a, const Tensor& b) { return result_type_of({&a, &b}); }
DType result_type(const Tensor& a, const Tensor& b, const Tensor& c) { return result_type_of({&a, &b, &c}); }
DType result_type(const Tensor& a, Scalar b) {
  Tensor w = wrap_scalar(b);
  return result_type_of({&a, &w});
}

std::vector<int64_t> broadcast_shapes(IntArrayRef a, IntArrayRef b) {
  const size_t n = std::max(a.size(), b.size());
  std::vector<int64_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t x = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t y = i < n - b.size() ? 1 : b[i - (n - b.size())];
    NABLA_CHECK(x == y || x == 1 || y == 1, ShapeError, "shapes {} and {} are not broadcastable",
                shape_str(a), shape_str(b));
    out[i] = x == 1 ? y : x;
  }
  return out;
}

bool can_cast(DType from, DType to) {
  if (is_floating(from) && !is_floating(to)) return false;
  if (from != DType::Bool && to == DType::Bool) return false;
  return true;
}

void check_inplace(const char* op, const Tensor& self, IntArrayRef result_shape, DType result_dtype) {
  NABLA_CHECK(self.sizes() == result_shape, ShapeError,
              "{}: output with shape {} doesn't match the broadcast shape {}", op, shape_str(self.sizes()),
              shape_str(result_shape));
  NABLA_CHECK(can_cast(result_dtype, self.dtype()), DTypeError,
              "{}: result type {} can't be cast to the desired output type {}", op, dtype_name(result_dtype),
              dtype_name(self.dtype()));
}

std::vector<int64_t> normalize_dims(IntArrayRef dims, int64_t ndim, const char* op) {
  std::vector<int64_t> out;
  if (dims.empty()) {
    for (int64_t d = 0; d < ndim; ++d) out.push_back(d);
    return out;
  }
  std::vector<bool> seen(std::max<int64_t>(ndim, 1), false);
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, ndim, op);
    NABLA_CHECK(!seen[w], ValueError, "{}: dim {} appears multiple times in the list of dims", op, w);
    seen[w] = true;
    out.push_back(w);
  }
  if (ndim == 0) out.clear();
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int64_t> keepdim_shape(IntArrayRef sizes, const std::vector<int64_t>& dims) {
  std::vector<int64_t> s = sizes.vec();
  for (int64_t d : dims) s[d] = 1;
  return s;
}

Tensor unsqueeze_dims(const Tensor& g, const std::vector<int64_t>& dims, int64_t ndim) {
  if (static_cast<int64_t>(g.dim()) == ndim) return g;
  Tensor r = g;
  for (int64_t d : dims) r = r.unsqueeze(d);  // dims are sorted ascending
  return r;
}

}  // namespace nabla
