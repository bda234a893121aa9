// python_compat.h — Python semantics nabla's optim layer reproduces: integer % and //, and the
// repr() of floats in error messages (PyTorch's messages print "1.0", not "1").
//
// Note [Exact schedules]
// PyTorch computes learning rates in Python floats (IEEE doubles) with libm's cos/pow. nabla evaluates
// the same expressions, operand for operand and in the same association order, in double, with the
// same libm — so the sequences agree bit for bit (the golden test allows 1e-12 only for safety against
// a libm difference). Three details matter: `%` and `//` on ints round toward negative infinity
// (py_mod, py_floor_div); `float ** int` is pow() of the int converted to double; and Python never
// fuses a * b + c, while GCC contracts it into an FMA by default for C++ under -march=native — so the
// scheduler sources switch contraction off (measured: with FMA, CosineAnnealingLR and OneCycleLR
// drift from PyTorch in the last bit).
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "util/check.h"

namespace nabla::optim::detail {

// Python's a % b: the result has b's sign.
// b == 0 (a loaded T_max or step_size of 0) and INT64_MIN / -1 trapped with SIGFPE: Python raises.
inline void check_divisor(int64_t a, int64_t b) {
  NABLA_CHECK(b != 0 && !(b == -1 && a == INT64_MIN), ValueError,
              "integer division or modulo by zero (or overflow): {} by {}", a, b);
}

inline int64_t py_mod(int64_t a, int64_t b) {
  check_divisor(a, b);
  const int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

// Python's a // b: rounds toward negative infinity.
inline int64_t py_floor_div(int64_t a, int64_t b) {
  check_divisor(a, b);
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// repr() of a Python float: shortest round-trip digits, with ".0" on whole numbers ("1.0", "-0.5",
// "1e-08", "inf").
inline std::string py_float(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // 'n': inf, nan
  return s;
}

}  // namespace nabla::optim::detail
