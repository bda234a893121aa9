// nested_list.h — NestedList, the nested initializer lists of tensor({{1., 2.}, {3., 4.}}) and
// Tensor::new_tensor (here, below the ops, so tensor.h can take one).
#pragma once
#include <initializer_list>
#include <type_traits>

#include "nabla/tensor/scalar.h"

namespace nabla {

// Nested initializer lists: tensor({{1., 2.}, {3., 4.}}). Floats -> float32, ints -> int64, bools -> bool.
class NestedList {
 public:
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  NestedList(T v) : scalar_(v), is_scalar_(true) {}  // NOLINT
  NestedList(std::initializer_list<NestedList> items) : items_(items) {}
  bool is_scalar() const { return is_scalar_; }
  const Scalar& scalar() const { return scalar_; }
  const std::initializer_list<NestedList>& items() const { return items_; }

 private:
  Scalar scalar_;
  std::initializer_list<NestedList> items_;
  bool is_scalar_ = false;
};

}  // namespace nabla
