// safetensors_golden.h — the tensors and metadata of tests/golden/safetensors/*.safetensors (written by
// tests/golden/gen_safetensors_golden.py; keep the two in sync), and a bitwise tensor comparison.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "nabla/io/safetensors.h"
#include "nabla/ops/ops.h"

namespace nabla::io::test {

inline std::string golden_path(const std::string& name) {
  return std::string(NABLA_SOURCE_DIR) + "/tests/golden/safetensors/" + name;
}

// In a different order than the file's layout: the writer must sort them.
inline NamedTensors golden_tensors() {
  return {
      {"weight", tensor({{-1.0, -0.5, 0.0}, {0.5, 1.0, 1.5}}, {.dtype = kFloat32})},
      {"bias", tensor({0.1, -2.5, 1e300}, {.dtype = kFloat64})},
      {"step", scalar_tensor(int64_t{123456789012}, {.dtype = kInt64})},
      {"labels", tensor({-1, 0, 7, 2147483647}, {.dtype = kInt32})},
      {"pixels", tensor({{0, 1}, {128, 255}}, {.dtype = kUInt8})},
      {"mask", tensor({true, false, true})},
      {"empty", zeros({0, 4}, {.dtype = kFloat32})},
      // Non-contiguous: written contiguously.
      {"layer.0.transposed", tensor({{10.0, 11.0, 12.0}, {13.0, 14.0, 15.0}}, {.dtype = kFloat32}).t()},
  };
}
inline Metadata golden_metadata() { return {{"format", "pt"}, {"note", "golden \u2713 caf\u00e9"}}; }
// The layout order of the reference implementation: by dtype (widest first), then by name.
inline std::vector<std::string> golden_file_order() {
  return {"step", "bias", "empty", "layer.0.transposed", "weight", "labels", "pixels", "mask"};
}

// Same dtype, shape and bytes.
inline ::testing::AssertionResult same_tensor(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || !(a.sizes() == b.sizes()))
    return ::testing::AssertionFailure() << a.toString() << " vs " << b.toString();
  Tensor ca = a.contiguous(), cb = b.contiguous();
  size_t bytes = static_cast<size_t>(a.numel()) * dtype_size(a.dtype());
  if (bytes > 0 && std::memcmp(ca.data_ptr(), cb.data_ptr(), bytes) != 0)
    return ::testing::AssertionFailure() << "values differ: " << a.str() << " vs " << b.str();
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult same_tensors(const NamedTensors& got, const NamedTensors& want) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << got.size() << " tensors, expected " << want.size();
  for (const auto& [name, t] : want) {
    auto it = std::find_if(got.begin(), got.end(), [&](const auto& p) { return p.first == name; });
    if (it == got.end()) return ::testing::AssertionFailure() << "missing tensor " << name;
    auto r = same_tensor(it->second, t);
    if (!r) return r << " (tensor " << name << ")";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace nabla::io::test
