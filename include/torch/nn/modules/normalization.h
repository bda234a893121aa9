// torch/nn/modules/normalization.h — LibTorch's BatchNorm1d, BatchNorm2d, LayerNorm and GroupNorm on
// nabla's layers, with their parameters (weight, bias) and BatchNorm's buffers (running_mean,
// running_var, num_batches_tracked) under LibTorch's names.
#pragma once
#include <cstdint>
#include <vector>

#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/normalization.h"

namespace torch::nn {
namespace detail {
inline nabla::nn::BatchNormOptions to_nabla(const BatchNormOptions& o) {
  return {.eps = o.eps(),
          .momentum = o.momentum(),
          .affine = o.affine(),
          .track_running_stats = o.track_running_stats()};
}
// BatchNorm's reset_running_stats and reset_parameters, shared by 1d and 2d.
template <typename Norm>
void reset_running_stats(Norm& m) {
  nabla::NoGradGuard no_grad;
  if (m.running_mean.defined()) m.running_mean.zero_();
  if (m.running_var.defined()) m.running_var.fill_(1);
  if (m.num_batches_tracked.defined()) m.num_batches_tracked.zero_();
}
inline void reset_affine_norm(Tensor& weight, Tensor& bias) {
  nabla::NoGradGuard no_grad;
  if (weight.defined()) weight.fill_(1);
  if (bias.defined()) bias.zero_();
}
}  // namespace detail

// Input [N, C] or [N, C, L]. BatchNorm1d(64) works: the options are implicit from num_features.
class BatchNorm1dImpl : public nabla::nn::BatchNorm1d {
 public:
  explicit BatchNorm1dImpl(const BatchNormOptions& options_)
      : nabla::nn::BatchNorm1d(options_.num_features(), detail::to_nabla(options_)), options(options_) {}
  void reset_running_stats() { detail::reset_running_stats(*this); }
  void reset_parameters() {
    reset_running_stats();
    detail::reset_affine_norm(weight, bias);
  }
  BatchNormOptions options;
};
TORCH_MODULE(BatchNorm1d);

// Input [N, C, H, W].
class BatchNorm2dImpl : public nabla::nn::BatchNorm2d {
 public:
  explicit BatchNorm2dImpl(const BatchNormOptions& options_)
      : nabla::nn::BatchNorm2d(options_.num_features(), detail::to_nabla(options_)), options(options_) {}
  void reset_running_stats() { detail::reset_running_stats(*this); }
  void reset_parameters() {
    reset_running_stats();
    detail::reset_affine_norm(weight, bias);
  }
  BatchNormOptions options;
};
TORCH_MODULE(BatchNorm2d);

// Normalises over the trailing normalized_shape dimensions: LayerNorm(LayerNormOptions({10}).eps(1e-6)).
class LayerNormImpl : public nabla::nn::LayerNorm {
 public:
  LayerNormImpl(std::vector<int64_t> normalized_shape)
      : LayerNormImpl(LayerNormOptions(normalized_shape)) {}  // NOLINT
  explicit LayerNormImpl(const LayerNormOptions& options_)
      : nabla::nn::LayerNorm(options_.normalized_shape(), options_.eps(), options_.elementwise_affine()),
        options(options_) {}
  void reset_parameters() { detail::reset_affine_norm(weight, bias); }
  LayerNormOptions options;
};
TORCH_MODULE(LayerNorm);

class GroupNormImpl : public nabla::nn::GroupNorm {
 public:
  GroupNormImpl(int64_t num_groups, int64_t num_channels)
      : GroupNormImpl(GroupNormOptions(num_groups, num_channels)) {}
  explicit GroupNormImpl(const GroupNormOptions& options_)
      : nabla::nn::GroupNorm(options_.num_groups(), options_.num_channels(), options_.eps(),
                             options_.affine()),
        options(options_) {}
  void reset_parameters() { detail::reset_affine_norm(weight, bias); }
  GroupNormOptions options;
};
TORCH_MODULE(GroupNorm);

}  // namespace torch::nn
