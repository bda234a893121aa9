// torch/nn/functional/impl.h — small helpers shared by the torch::nn::functional wrappers: LibTorch's
// option types (ExpandingArray, enum-tag variants, optional tensors) turned into what nabla's
// functions take (Pair, strings, possibly undefined tensors). Not part of LibTorch's API.
#pragma once
#include <optional>
#include <string>
#include <variant>

#include "nabla/nn/functional.h"
#include "torch/arg.h"
#include "torch/enum.h"
#include "torch/types.h"

namespace torch::nn::functional::impl {

namespace NF = nabla::nn::functional;

inline NF::Pair pair(const ExpandingArray<2>& a) { return {a[0], a[1]}; }
// nabla's 1-d forms read the second element of a Pair (the first stands for a height of 1).
inline NF::Pair pair1(const ExpandingArray<1>& a) { return {1, a[0]}; }
inline NF::Pair pair1(const ExpandingArray<1>& a, int64_t first) { return {first, a[0]}; }

// nabla's functions spell a tag the way PyTorch's Python does: kMean -> "mean",
// kNearestExact -> "nearest-exact".
template <typename V>
std::string tag_name(const V& tag) {
  std::string s = enumtype::lower_name(tag);
  return s == "nearestexact" ? "nearest-exact" : s;
}

// Throws E(message) unless cond. (NABLA_CHECK lives in nabla's sources, not its public headers.)
template <typename E = nabla::ValueError>
void check(bool cond, const std::string& message) {
  if (!cond) throw E(message);
}
inline std::string str(int64_t v) { return std::to_string(v); }

// LibTorch's `inplace` options: the result is written back into the input, which is returned.
inline Tensor maybe_inplace(Tensor input, const Tensor& out, bool inplace) {
  if (!inplace) return out;
  input.copy_(out);
  return input;
}

}  // namespace torch::nn::functional::impl
