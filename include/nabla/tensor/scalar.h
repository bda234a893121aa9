// scalar.h — a number that is not a tensor (PyTorch's "wrapped number"): bool, integer or floating.
#pragma once
#include <cstdint>
#include <type_traits>

#include "nabla/tensor/dtype.h"

namespace nabla {

class Scalar {
 public:
  enum class Kind : int8_t { Bool, Int, Float };
  Scalar() : kind_(Kind::Int), i_(0) {}
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  Scalar(T v) {  // NOLINT: implicit on purpose, like PyTorch's Scalar
    if constexpr (std::is_same_v<T, bool>) {
      kind_ = Kind::Bool;
      i_ = v;
    } else if constexpr (std::is_integral_v<T>) {
      kind_ = Kind::Int;
      i_ = static_cast<int64_t>(v);
    } else {
      kind_ = Kind::Float;
      d_ = static_cast<double>(v);
    }
  }
  Kind kind() const { return kind_; }
  bool is_floating() const { return kind_ == Kind::Float; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  double to_double() const { return kind_ == Kind::Float ? d_ : static_cast<double>(i_); }
  int64_t to_int() const { return kind_ == Kind::Float ? static_cast<int64_t>(d_) : i_; }
  template <typename T>
  T to() const {
    if constexpr (std::is_floating_point_v<T>)
      return static_cast<T>(to_double());
    else if constexpr (std::is_same_v<T, bool>)
      return kind_ == Kind::Float ? d_ != 0 : i_ != 0;
    else
      return kind_ == Kind::Float ? static_cast<T>(d_) : static_cast<T>(i_);
  }
  // The dtype a tensor made from this scalar would have (float -> float32 default, int -> int64).
  DType default_dtype() const {
    return kind_ == Kind::Float ? DType::Float32 : kind_ == Kind::Int ? DType::Int64 : DType::Bool;
  }
  Scalar operator-() const {
    if (kind_ == Kind::Float) return Scalar(-d_);
    return Scalar(-i_);
  }

 private:
  Kind kind_;
  union {
    int64_t i_;
    double d_;
  };
};

}  // namespace nabla
