// dispatch_dtype.h — calls a template lambda with the C++ type of a runtime DType:
//   dispatch_dtype(t.dtype(), "exp", [&]<typename T>() { ... });
#pragma once
#include <cstdint>
#include <utility>

#include "nabla/tensor/dtype.h"
#include "util/check.h"

namespace nabla {

template <typename F>
decltype(auto) dispatch_dtype(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::Bool:
      return f.template operator()<bool>();
    case DType::UInt8:
      return f.template operator()<uint8_t>();
    case DType::Int32:
      return f.template operator()<int32_t>();
    case DType::Int64:
      return f.template operator()<int64_t>();
    case DType::Float32:
      return f.template operator()<float>();
    case DType::Float64:
      return f.template operator()<double>();
    case DType::Float16:
    case DType::BFloat16:
      break;  // computed in float32 by the kernel entry points (Note [float16 and bfloat16])
  }
  throw DTypeError(fmt::format("{}: no kernel for dtype {}", op, dtype_name(dt)));
}

template <typename F>
decltype(auto) dispatch_floating(DType dt, const char* op, F&& f) {
  switch (dt) {
    case DType::Float32:
      return f.template operator()<float>();
    case DType::Float64:
      return f.template operator()<double>();
    default:
      break;
  }
  NABLA_CHECK(!is_reduced_floating(dt), DTypeError, "{}: no kernel for dtype {}", op, dtype_name(dt));
  throw DTypeError(
      fmt::format("{}: expected a floating-point tensor (float32 or float64), got {}", op, dtype_name(dt)));
}

// Every dtype including float16 and bfloat16, for the kernels that only move or convert values (copy,
// fill): Half and BFloat16 convert to and from float.
template <typename F>
decltype(auto) dispatch_storage_dtype(DType dt, const char* op, F&& f) {
  if (dt == DType::Float16) return f.template operator()<Half>();
  if (dt == DType::BFloat16) return f.template operator()<BFloat16>();
  return dispatch_dtype(dt, op, std::forward<F>(f));
}

}  // namespace nabla
