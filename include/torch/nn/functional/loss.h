// torch/nn/functional/loss.h — the losses of torch::nn::functional with LibTorch's *FuncOptions.
// A reduction is a tag: F::mse_loss(x, y, torch::kSum) or F::MSELossFuncOptions().reduction(torch::kNone).
#pragma once
#include <optional>
#include <variant>

#include "torch/nn/functional/impl.h"
#include "torch/nn/options/loss.h"

namespace torch::nn::functional {

// As in LibTorch, a loss's functional options are its module's options (torch/nn/options/loss.h).
using MSELossFuncOptions = torch::nn::MSELossOptions;
using L1LossFuncOptions = torch::nn::L1LossOptions;
using SmoothL1LossFuncOptions = torch::nn::SmoothL1LossOptions;
using HuberLossFuncOptions = torch::nn::HuberLossOptions;
using KLDivFuncOptions = torch::nn::KLDivLossOptions;  // reductions: also torch::kBatchMean
using BinaryCrossEntropyFuncOptions = torch::nn::BCELossOptions;
using BinaryCrossEntropyWithLogitsFuncOptions = torch::nn::BCEWithLogitsLossOptions;
using NLLLossFuncOptions = torch::nn::NLLLossOptions;
using CrossEntropyFuncOptions = torch::nn::CrossEntropyLossOptions;

Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& options = {});
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options = {});
// The trailing beta, when given, wins over options.beta() (LibTorch's signature; LibTorch 1.13 read
// only the trailing one, later versions read it only when given, as here).
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options = {},
                      std::optional<double> beta = std::nullopt);
Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& options = {});
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BinaryCrossEntropyFuncOptions& options = {});
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BinaryCrossEntropyWithLogitsFuncOptions& options = {});
// input: log-probabilities [N, C] or [N, C, d1, ...]; target: class indices.
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& options = {});
// input: logits; target: class indices or class probabilities.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options = {});
// input: log-probabilities; target: probabilities (log-probabilities with .log_target(true)).
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options = {});

}  // namespace torch::nn::functional
