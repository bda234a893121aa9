// normalization.cpp — the LibTorch-style normalization layers' constructors and resets.
#include "torch/nn/modules/normalization.h"

namespace torch::nn {
namespace {

nabla::nn::BatchNormOptions to_nabla(const BatchNormOptions& o) {
  return {.eps = o.eps(),
          .momentum = o.momentum(),
          .affine = o.affine(),
          .track_running_stats = o.track_running_stats()};
}
// BatchNorm's reset_running_stats, shared by 1d and 2d.
template <typename Norm>
void reset_running_stats_of(Norm& m) {
  nabla::NoGradGuard no_grad;
  if (m.running_mean.defined()) m.running_mean.zero_();
  if (m.running_var.defined()) m.running_var.fill_(1);
  if (m.num_batches_tracked.defined()) m.num_batches_tracked.zero_();
}
void reset_affine_norm(Tensor& weight, Tensor& bias) {
  nabla::NoGradGuard no_grad;
  if (weight.defined()) weight.fill_(1);
  if (bias.defined()) bias.zero_();
}

}  // namespace

BatchNorm1dImpl::BatchNorm1dImpl(const BatchNormOptions& options_)
    : nabla::nn::BatchNorm1d(options_.num_features(), to_nabla(options_)), options(options_) {}
void BatchNorm1dImpl::reset_running_stats() { reset_running_stats_of(*this); }
void BatchNorm1dImpl::reset_parameters() {
  reset_running_stats();
  reset_affine_norm(weight, bias);
}

BatchNorm2dImpl::BatchNorm2dImpl(const BatchNormOptions& options_)
    : nabla::nn::BatchNorm2d(options_.num_features(), to_nabla(options_)), options(options_) {}
void BatchNorm2dImpl::reset_running_stats() { reset_running_stats_of(*this); }
void BatchNorm2dImpl::reset_parameters() {
  reset_running_stats();
  reset_affine_norm(weight, bias);
}

LayerNormImpl::LayerNormImpl(std::vector<int64_t> normalized_shape)
    : LayerNormImpl(LayerNormOptions(normalized_shape)) {}
LayerNormImpl::LayerNormImpl(const LayerNormOptions& options_)
    : nabla::nn::LayerNorm(options_.normalized_shape(), options_.eps(), options_.elementwise_affine()),
      options(options_) {}
void LayerNormImpl::reset_parameters() { reset_affine_norm(weight, bias); }

GroupNormImpl::GroupNormImpl(int64_t num_groups, int64_t num_channels)
    : GroupNormImpl(GroupNormOptions(num_groups, num_channels)) {}
GroupNormImpl::GroupNormImpl(const GroupNormOptions& options_)
    : nabla::nn::GroupNorm(options_.num_groups(), options_.num_channels(), options_.eps(), options_.affine()),
      options(options_) {}
void GroupNormImpl::reset_parameters() { reset_affine_norm(weight, bias); }

}  // namespace torch::nn
