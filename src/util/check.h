// check.h — NABLA_CHECK for user errors (typed, message names op/shapes/dtypes) and NABLA_ASSERT for
// internal invariants (a failure is a nabla bug, not a user mistake). See Note [Errors] in ARCHITECTURE.md.
#pragma once
#include <fmt/format.h>

#include "nabla/tensor/error.h"
#include "nabla/tensor/int_array.h"

#define NABLA_LIKELY(x) __builtin_expect(!!(x), 1)
#define NABLA_UNLIKELY(x) __builtin_expect(!!(x), 0)

// NABLA_CHECK(cond, ShapeError, "add: shapes {} and {} are not broadcastable", shape_str(a), ...)
#define NABLA_CHECK(cond, ErrorType, ...)                         \
  do {                                                            \
    if (NABLA_UNLIKELY(!(cond))) throw ::nabla::ErrorType(fmt::format(__VA_ARGS__)); \
  } while (0)

#define NABLA_ASSERT(cond, ...)                                                          \
  do {                                                                                   \
    if (NABLA_UNLIKELY(!(cond)))                                                         \
      throw ::nabla::Error(fmt::format("nabla internal error at {}:{}: {} ({})", __FILE__, \
                                       __LINE__, #cond, fmt::format(__VA_ARGS__)));      \
  } while (0)

namespace nabla {
// Wraps a possibly negative dim into [0, ndim); IndexError naming the op otherwise.
inline int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  int64_t n = ndim == 0 ? 1 : ndim;  // PyTorch lets a 0-d tensor use dim 0 / -1
  NABLA_CHECK(dim >= -n && dim < n, IndexError,
              "{}: dimension {} out of range (expected to be in range of [{}, {}])", op, dim, -n, n - 1);
  return dim < 0 ? dim + n : dim;
}
}  // namespace nabla
