// torch/nn/modules/linear.h — LibTorch's Linear, Flatten, Unflatten and Identity on nabla's layers.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/linear.h"

namespace torch::nn {

// y = x W^T + b; weight [out_features, in_features].
class LinearImpl : public nabla::nn::Linear {
 public:
  LinearImpl(int64_t in_features, int64_t out_features)
      : LinearImpl(LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const LinearOptions& options_)
      : nabla::nn::Linear(options_.in_features(), options_.out_features(), options_.bias()),
        options(options_) {}
  void reset_parameters() { detail::reset_affine(weight, bias); }
  LinearOptions options;
};
TORCH_MODULE(Linear);

class FlattenImpl : public nabla::nn::Flatten {
 public:
  explicit FlattenImpl(const FlattenOptions& options_ = {})
      : nabla::nn::Flatten(options_.start_dim(), options_.end_dim()), options(options_) {}
  FlattenOptions options;
};
TORCH_MODULE(Flatten);

class UnflattenImpl : public nabla::nn::Unflatten {
 public:
  UnflattenImpl(int64_t dim, std::vector<int64_t> sizes)
      : UnflattenImpl(UnflattenOptions(dim, std::move(sizes))) {}
  explicit UnflattenImpl(const UnflattenOptions& options_)
      : nabla::nn::Unflatten(options_.dim(), options_.sizes()), options(options_) {}
  UnflattenOptions options;
};
TORCH_MODULE(Unflatten);

class IdentityImpl : public nabla::nn::Identity {};
TORCH_MODULE(Identity);

}  // namespace torch::nn
