// torch/nn/modules/normalization.h — LibTorch's BatchNorm1d, BatchNorm2d, LayerNorm and GroupNorm on
// nabla's layers, with their parameters (weight, bias) and BatchNorm's buffers (running_mean,
// running_var, num_batches_tracked) under LibTorch's names. Constructors and resets are in
// src/torch/modules/normalization.cpp (compiled once, not in every program).
#pragma once
#include <cstdint>
#include <vector>

#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/normalization.h"

namespace torch::nn {

// Input [N, C] or [N, C, L]. BatchNorm1d(64) works: the options are implicit from num_features.
class BatchNorm1dImpl : public nabla::nn::BatchNorm1d {
 public:
  explicit BatchNorm1dImpl(const BatchNormOptions& options_);
  void reset_running_stats();
  void reset_parameters();
  BatchNormOptions options;
};
TORCH_MODULE(BatchNorm1d);

// Input [N, C, H, W].
class BatchNorm2dImpl : public nabla::nn::BatchNorm2d {
 public:
  explicit BatchNorm2dImpl(const BatchNormOptions& options_);
  void reset_running_stats();
  void reset_parameters();
  BatchNormOptions options;
};
TORCH_MODULE(BatchNorm2d);

// Normalises over the trailing normalized_shape dimensions: LayerNorm(LayerNormOptions({10}).eps(1e-6)).
class LayerNormImpl : public nabla::nn::LayerNorm {
 public:
  LayerNormImpl(std::vector<int64_t> normalized_shape);  // NOLINT
  explicit LayerNormImpl(const LayerNormOptions& options_);
  void reset_parameters();
  LayerNormOptions options;
};
TORCH_MODULE(LayerNorm);

class GroupNormImpl : public nabla::nn::GroupNorm {
 public:
  GroupNormImpl(int64_t num_groups, int64_t num_channels);
  explicit GroupNormImpl(const GroupNormOptions& options_);
  void reset_parameters();
  GroupNormOptions options;
};
TORCH_MODULE(GroupNorm);

}  // namespace torch::nn
