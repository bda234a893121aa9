// dtype.h — element types and PyTorch's type-promotion lattice.
#pragma once
#include <cstdint>
#include <string_view>

#include "nabla/tensor/half.h"

namespace nabla {

// Ordered so that promotion between two dtypes is the larger of the two, except float16 with bfloat16
// (float32, as in PyTorch: neither holds the other).
#define NABLA_FOREACH_DTYPE(X)      \
  X(Bool, bool, "bool")             \
  X(UInt8, uint8_t, "uint8")        \
  X(Int32, int32_t, "int32")        \
  X(Int64, int64_t, "int64")        \
  X(Float16, Half, "float16")       \
  X(BFloat16, BFloat16, "bfloat16") \
  X(Float32, float, "float32")      \
  X(Float64, double, "float64")

enum class DType : int8_t {
#define NABLA_DTYPE_ENUM(name, type, str) name,
  NABLA_FOREACH_DTYPE(NABLA_DTYPE_ENUM)
#undef NABLA_DTYPE_ENUM
};
inline constexpr int kNumDTypes = 8;

// PyTorch-style short names: nabla::kFloat32, nabla::kInt64, ...
inline constexpr DType kBool = DType::Bool, kUInt8 = DType::UInt8, kInt32 = DType::Int32,
                       kInt64 = DType::Int64, kFloat32 = DType::Float32, kFloat64 = DType::Float64,
                       kFloat = DType::Float32, kDouble = DType::Float64, kLong = DType::Int64,
                       kInt = DType::Int32, kByte = DType::UInt8, kFloat16 = DType::Float16,
                       kHalf = DType::Float16, kBFloat16 = DType::BFloat16;

std::string_view dtype_name(DType t);  // "float32"
size_t dtype_size(DType t);
inline bool is_floating(DType t) { return t >= DType::Float16; }
// float16 and bfloat16: storage dtypes whose kernels compute in float32 (Note [float16 and bfloat16]).
inline bool is_reduced_floating(DType t) { return t == DType::Float16 || t == DType::BFloat16; }
inline bool is_integral(DType t, bool include_bool) {
  return include_bool ? !is_floating(t) : (!is_floating(t) && t != DType::Bool);
}
// Promotion of two dtypes of the same priority (e.g. two dimensioned tensors).
inline DType promote_types(DType a, DType b) {
  if (is_reduced_floating(a) && is_reduced_floating(b) && a != b) return DType::Float32;
  return a > b ? a : b;
}

// C++ type <-> DType.
template <typename T>
struct dtype_of;
#define NABLA_DTYPE_OF(name, type, str)         \
  template <>                                   \
  struct dtype_of<type> {                       \
    static constexpr DType value = DType::name; \
  };
NABLA_FOREACH_DTYPE(NABLA_DTYPE_OF)
#undef NABLA_DTYPE_OF
template <typename T>
inline constexpr DType dtype_v = dtype_of<T>::value;

}  // namespace nabla
