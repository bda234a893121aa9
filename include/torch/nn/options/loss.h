// torch/nn/options/loss.h — LibTorch's loss options. The reduction is a tag, torch::kMean (default),
// torch::kSum or torch::kNone (KLDivLoss also torch::kBatchMean); the simple losses also take the tag
// as their only constructor argument: MSELoss(MSELossOptions(torch::kSum)).
#pragma once
#include <cstdint>
#include <variant>

#include "torch/arg.h"
#include "torch/enum.h"
#include "torch/types.h"

namespace torch::nn {

namespace detail {
using reduction_t = std::variant<enumtype::kNone, enumtype::kMean, enumtype::kSum>;
}  // namespace detail

// A loss whose only option is the reduction (LibTorch's TORCH_OPTIONS_CTOR_VARIANT_ARG3).
#define NABLA_TORCH_REDUCTION_CTORS(Options)                          \
  Options() {}                                                        \
  Options(enumtype::kNone) : reduction_(torch::kNone) {} /* NOLINT */ \
  Options(enumtype::kMean) : reduction_(torch::kMean) {} /* NOLINT */ \
  Options(enumtype::kSum) : reduction_(torch::kSum) {}   /* NOLINT */

struct L1LossOptions {
  typedef detail::reduction_t reduction_t;
  NABLA_TORCH_REDUCTION_CTORS(L1LossOptions)
  TORCH_ARG(reduction_t, reduction) = torch::kMean;
};

struct MSELossOptions {
  typedef detail::reduction_t reduction_t;
  NABLA_TORCH_REDUCTION_CTORS(MSELossOptions)
  TORCH_ARG(reduction_t, reduction) = torch::kMean;
};

struct SmoothL1LossOptions {
  typedef detail::reduction_t reduction_t;
  NABLA_TORCH_REDUCTION_CTORS(SmoothL1LossOptions)
  TORCH_ARG(reduction_t, reduction) = torch::kMean;
  TORCH_ARG(double, beta) = 1.0;
};

struct HuberLossOptions {
  typedef detail::reduction_t reduction_t;
  NABLA_TORCH_REDUCTION_CTORS(HuberLossOptions)
  TORCH_ARG(reduction_t, reduction) = torch::kMean;
  TORCH_ARG(double, delta) = 1.0;
};

struct KLDivLossOptions {
  typedef std::variant<enumtype::kNone, enumtype::kBatchMean, enumtype::kSum, enumtype::kMean> reduction_t;
  NABLA_TORCH_REDUCTION_CTORS(KLDivLossOptions)
  KLDivLossOptions(enumtype::kBatchMean) : reduction_(torch::kBatchMean) {}  // NOLINT
  TORCH_ARG(reduction_t, reduction) = torch::kMean;
  TORCH_ARG(bool, log_target) = false;
};
#undef NABLA_TORCH_REDUCTION_CTORS

struct BCELossOptions {
  typedef detail::reduction_t reduction_t;
  TORCH_ARG(Tensor, weight) = {};
  TORCH_ARG(reduction_t, reduction) = torch::kMean;
};

struct BCEWithLogitsLossOptions {
  typedef detail::reduction_t reduction_t;
  TORCH_ARG(Tensor, weight) = {};
  TORCH_ARG(reduction_t, reduction) = torch::kMean;
  TORCH_ARG(Tensor, pos_weight) = {};
};

struct NLLLossOptions {
  typedef detail::reduction_t reduction_t;
  TORCH_ARG(Tensor, weight) = {};
  TORCH_ARG(int64_t, ignore_index) = -100;
  TORCH_ARG(reduction_t, reduction) = torch::kMean;
};

struct CrossEntropyLossOptions {
  typedef detail::reduction_t reduction_t;
  TORCH_ARG(Tensor, weight) = {};
  TORCH_ARG(int64_t, ignore_index) = -100;
  TORCH_ARG(reduction_t, reduction) = torch::kMean;
  TORCH_ARG(double, label_smoothing) = 0.0;
};

}  // namespace torch::nn
