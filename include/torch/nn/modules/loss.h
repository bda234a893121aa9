// torch/nn/modules/loss.h — LibTorch's loss modules on nabla's: loss(input, target), options with
// torch::kMean / kSum / kNone reductions. The options are read at construction (nabla's loss keeps its
// own copy), so change a loss by building a new one. The constructors are in
// src/torch/modules/loss.cpp (compiled once, not per program). Class weights are buffers named "weight" and
// "pos_weight", as in LibTorch.
#pragma once
#include "nabla/nn/loss.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/loss.h"

namespace torch::nn {

class L1LossImpl : public nabla::nn::L1Loss {
 public:
  explicit L1LossImpl(const L1LossOptions& options_ = {});
  L1LossOptions options;
};
TORCH_MODULE(L1Loss);

class MSELossImpl : public nabla::nn::MSELoss {
 public:
  explicit MSELossImpl(const MSELossOptions& options_ = {});
  MSELossOptions options;
};
TORCH_MODULE(MSELoss);

class SmoothL1LossImpl : public nabla::nn::SmoothL1Loss {
 public:
  explicit SmoothL1LossImpl(const SmoothL1LossOptions& options_ = {});
  SmoothL1LossOptions options;
};
TORCH_MODULE(SmoothL1Loss);

class HuberLossImpl : public nabla::nn::HuberLoss {
 public:
  explicit HuberLossImpl(const HuberLossOptions& options_ = {});
  HuberLossOptions options;
};
TORCH_MODULE(HuberLoss);

// Input: log-probabilities; target: probabilities (log-probabilities with log_target).
class KLDivLossImpl : public nabla::nn::KLDivLoss {
 public:
  explicit KLDivLossImpl(const KLDivLossOptions& options_ = {});
  KLDivLossOptions options;
};
TORCH_MODULE(KLDivLoss);

// Input: probabilities in [0, 1].
class BCELossImpl : public nabla::nn::BCELoss {
 public:
  explicit BCELossImpl(const BCELossOptions& options_ = {});
  BCELossOptions options;
};
TORCH_MODULE(BCELoss);

class BCEWithLogitsLossImpl : public nabla::nn::BCEWithLogitsLoss {
 public:
  explicit BCEWithLogitsLossImpl(const BCEWithLogitsLossOptions& options_ = {});
  BCEWithLogitsLossOptions options;
};
TORCH_MODULE(BCEWithLogitsLoss);

// Input: log-probabilities [N, C] (or [N, C, d...]); target: class indices.
class NLLLossImpl : public nabla::nn::NLLLoss {
 public:
  explicit NLLLossImpl(const NLLLossOptions& options_ = {});
  NLLLossOptions options;
};
TORCH_MODULE(NLLLoss);

// Input: logits [N, C] (or [N, C, d...]); target: class indices or class probabilities.
class CrossEntropyLossImpl : public nabla::nn::CrossEntropyLoss {
 public:
  explicit CrossEntropyLossImpl(const CrossEntropyLossOptions& options_ = {});
  Tensor weight;  // the "weight" buffer (undefined without class weights)
  CrossEntropyLossOptions options;
};
TORCH_MODULE(CrossEntropyLoss);

}  // namespace torch::nn
