// torch/enum.h — LibTorch's enum tags: torch::kMean, torch::kSum, torch::kSame, ... Each tag is a value of
// its own empty type (torch::enumtype::kMean), so options hold a std::variant of the tags they accept and
// a wrong tag (MSELossOptions().reduction(torch::kBatchMean)) is a compile error, as in LibTorch.
#pragma once
#include <string>
#include <variant>

#include "nabla/tensor/error.h"

#define NABLA_TORCH_ENUM(name)                               \
  namespace enumtype {                                       \
  struct k##name {                                           \
    bool operator==(const k##name&) const { return true; }   \
    static constexpr const char* str() { return "k" #name; } \
  };                                                         \
  }                                                          \
  inline constexpr enumtype::k##name k##name {}

namespace torch {

NABLA_TORCH_ENUM(Linear);
NABLA_TORCH_ENUM(Conv1D);
NABLA_TORCH_ENUM(Conv2D);
NABLA_TORCH_ENUM(Conv3D);
NABLA_TORCH_ENUM(ConvTranspose1D);
NABLA_TORCH_ENUM(ConvTranspose2D);
NABLA_TORCH_ENUM(ConvTranspose3D);
NABLA_TORCH_ENUM(Sigmoid);
NABLA_TORCH_ENUM(Tanh);
NABLA_TORCH_ENUM(ReLU);
NABLA_TORCH_ENUM(GELU);
NABLA_TORCH_ENUM(SiLU);
NABLA_TORCH_ENUM(Mish);
NABLA_TORCH_ENUM(LeakyReLU);
NABLA_TORCH_ENUM(FanIn);
NABLA_TORCH_ENUM(FanOut);
NABLA_TORCH_ENUM(Constant);
NABLA_TORCH_ENUM(Reflect);
NABLA_TORCH_ENUM(Replicate);
NABLA_TORCH_ENUM(Circular);
NABLA_TORCH_ENUM(Nearest);
NABLA_TORCH_ENUM(Bilinear);
NABLA_TORCH_ENUM(Bicubic);
NABLA_TORCH_ENUM(Trilinear);
NABLA_TORCH_ENUM(Area);
NABLA_TORCH_ENUM(NearestExact);
NABLA_TORCH_ENUM(Sum);
NABLA_TORCH_ENUM(Mean);
NABLA_TORCH_ENUM(Max);
NABLA_TORCH_ENUM(None);
NABLA_TORCH_ENUM(BatchMean);
NABLA_TORCH_ENUM(Zeros);
NABLA_TORCH_ENUM(Border);
NABLA_TORCH_ENUM(Reflection);
NABLA_TORCH_ENUM(RNN_TANH);
NABLA_TORCH_ENUM(RNN_RELU);
NABLA_TORCH_ENUM(LSTM);
NABLA_TORCH_ENUM(GRU);
NABLA_TORCH_ENUM(Valid);
NABLA_TORCH_ENUM(Same);

namespace enumtype {
namespace detail {
// A table lookup by index, not std::visit (which costs every including program a dispatch table per
// variant type); lower() and reduction() are the non-template rest, in src/torch/enum.cpp.
template <typename... Tags>
const char* name_of(const std::variant<Tags...>& variant_enum) {
  static constexpr const char* kNames[] = {Tags::str()...};
  return kNames[variant_enum.index()];
}
std::string lower(const char* name);
}  // namespace detail
// "kMean" for a tag held in a variant (LibTorch's torch::enumtype::get_enum_name).
template <typename V>
std::string get_enum_name(const V& variant_enum) {
  return detail::name_of(variant_enum);
}
// The string nabla's functions take for a tag: kMean -> "mean", kBatchMean -> "batchmean", kRNN_TANH ->
// "rnn_tanh" (the name without its "k", lower-cased).
template <typename V>
std::string lower_name(const V& variant_enum) {
  return detail::lower(detail::name_of(variant_enum));
}
}  // namespace enumtype

}  // namespace torch

// torch::Reduction::Mean (also at::Reduction::Mean), the integer form ATen's loss functions take.
namespace torch::Reduction {
enum Reduction { None, Mean, Sum, END };
}  // namespace torch::Reduction
namespace at {
namespace Reduction = ::torch::Reduction;
}  // namespace at
namespace torch::enumtype {
namespace detail {
at::Reduction::Reduction reduction(const char* name);
}  // namespace detail
template <typename V>
at::Reduction::Reduction reduction_get_enum(const V& variant_enum) {
  return detail::reduction(detail::name_of(variant_enum));
}
}  // namespace torch::enumtype
