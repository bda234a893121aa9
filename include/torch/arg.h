// torch/arg.h — TORCH_ARG (an options field with LibTorch's chainable setter and getter) and
// ExpandingArray (an int that stands for {int, int, ...}, or an explicit list), as in LibTorch.
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "nabla/tensor/error.h"
#include "nabla/tensor/int_array.h"

// In an options class: TORCH_ARG(int64_t, stride) = 1;  gives  o.stride(2) (returns *this) and o.stride().
// One setter taking the value (LibTorch has a const T& and a T&& one): it accepts the same arguments, and
// the ~185 option fields parse one member function fewer each (docs/libtorch.md, "Compile time").
#define TORCH_ARG(T, name)                                        \
 public:                                                          \
  inline auto name(T new_##name)->decltype(*this) {               \
    this->name##_ = std::move(new_##name);                        \
    return *this;                                                 \
  }                                                               \
  inline const T& name() const noexcept { return this->name##_; } \
  inline T& name() noexcept { return this->name##_; }             \
                                                                  \
 private:                                                         \
  T name##_ /* NOLINT */

namespace torch {

// ExpandingArray<2>: `3` means {3, 3}; `{2, 1}` is explicit (its length must be D).
template <size_t D, typename T = int64_t>
class ExpandingArray {
 public:
  ExpandingArray(T single) { values_.fill(single); }  // NOLINT
  ExpandingArray(std::initializer_list<T> list) : ExpandingArray(std::vector<T>(list)) {}
  ExpandingArray(const std::vector<T>& list) {  // NOLINT
    if (list.size() != D)
      throw nabla::ValueError("expected " + std::to_string(D) + " values, got " +
                              std::to_string(list.size()));
    for (size_t i = 0; i < D; ++i) values_[i] = list[i];
  }
  ExpandingArray(const std::array<T, D>& values) : values_(values) {}  // NOLINT
  std::array<T, D>& operator*() { return values_; }
  const std::array<T, D>& operator*() const { return values_; }
  std::array<T, D>* operator->() { return &values_; }
  const std::array<T, D>* operator->() const { return &values_; }
  const T& operator[](size_t i) const { return values_[i]; }
  size_t size() const noexcept { return D; }
  operator nabla::IntArrayRef() const { return nabla::IntArrayRef(values_.data(), D); }  // NOLINT
  std::vector<T> vec() const { return {values_.begin(), values_.end()}; }
  bool operator==(const ExpandingArray&) const = default;

 private:
  std::array<T, D> values_;
};

template <size_t D, typename T>
std::ostream& operator<<(std::ostream& os, const ExpandingArray<D, T>& a) {
  os << "[";
  for (size_t i = 0; i < D; ++i) os << (i ? ", " : "") << a[i];
  return os << "]";
}

}  // namespace torch
