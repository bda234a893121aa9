// dispatch_dtype.h — calls a template lambda with the C++ type of a runtime DType:
//   dispatch_dtype(t.dtype(), "exp", [&]<typename T>() { ... });
#pragma once
#include <cstdint>

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
  }
  throw DTypeError(fmt::format("{}: unsupported dtype", op));
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
  throw DTypeError(
      fmt::format("{}: expected a floating-point tensor (float32 or float64), got {}", op, dtype_name(dt)));
}

}  // namespace nabla
