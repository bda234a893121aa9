// check.h — NABLA_CHECK for user errors (typed, message names op/shapes/dtypes) and NABLA_ASSERT for
// internal invariants (a failure is a nabla bug, not a user mistake). See Note [Errors] in ARCHITECTURE.md.
#pragma once
#include <fmt/format.h>

#include "nabla/tensor/error.h"
#include "nabla/tensor/int_array.h"

#define NABLA_LIKELY(x) __builtin_expect(!!(x), 1)
#define NABLA_UNLIKELY(x) __builtin_expect(!!(x), 0)

// NABLA_CHECK(cond, ShapeError, "add: shapes {} and {} are not broadcastable", shape_str(a), ...)
#define NABLA_CHECK(cond, ErrorType, ...)                                            \
  do {                                                                               \
    if (NABLA_UNLIKELY(!(cond))) throw ::nabla::ErrorType(fmt::format(__VA_ARGS__)); \
  } while (0)

#define NABLA_ASSERT(cond, ...)                                                                             \
  do {                                                                                                      \
    if (NABLA_UNLIKELY(!(cond)))                                                                            \
      throw ::nabla::Error(fmt::format("nabla internal error at {}:{}: {} ({})", __FILE__, __LINE__, #cond, \
                                       fmt::format(__VA_ARGS__)));                                          \
  } while (0)

namespace nabla {
// Elements of a tensor of `sizes`, refusing negative sizes and shapes whose element count or
// contiguous strides (the product of max(size, 1)) overflow int64: a wrapped product would allocate
// a too-small storage. ValueError naming `op` and the shape (PyTorch: "Storage size calculation
// overflowed").
inline int64_t checked_numel(IntArrayRef sizes, const char* op) {
  int64_t n = 1, span = 1;
  for (int64_t s : sizes) {
    NABLA_CHECK(s >= 0, ValueError, "{}: negative dimension {} in shape {}", op, s, shape_str(sizes));
    NABLA_CHECK(!__builtin_mul_overflow(span, s > 1 ? s : 1, &span), ValueError,
                "{}: storage size calculation overflowed with sizes={}", op, shape_str(sizes));
    n *= s;  // <= span: cannot overflow
  }
  return n;
}

// Wraps a possibly negative dim into [0, ndim); IndexError naming the op otherwise.
inline int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  int64_t n = ndim == 0 ? 1 : ndim;  // PyTorch lets a 0-d tensor use dim 0 / -1
  NABLA_CHECK(dim >= -n && dim < n, IndexError,
              "{}: dimension {} out of range (expected to be in range of [{}, {}])", op, dim, -n, n - 1);
  return dim < 0 ? dim + n : dim;
}
}  // namespace nabla
