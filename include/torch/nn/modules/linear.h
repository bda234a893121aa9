// torch/nn/modules/linear.h — LibTorch's Linear, Flatten, Unflatten and Identity on nabla's layers.
// Constructors are in src/torch/modules/linear.cpp (compiled once, not in every program).
#pragma once
#include <cstdint>
#include <vector>

#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/linear.h"

namespace torch::nn {

// y = x W^T + b; weight [out_features, in_features].
class LinearImpl : public nabla::nn::Linear {
 public:
  LinearImpl(int64_t in_features, int64_t out_features);
  explicit LinearImpl(const LinearOptions& options_);
  void reset_parameters();
  LinearOptions options;
};
TORCH_MODULE(Linear);

class FlattenImpl : public nabla::nn::Flatten {
 public:
  explicit FlattenImpl(const FlattenOptions& options_ = {});
  FlattenOptions options;
};
TORCH_MODULE(Flatten);

class UnflattenImpl : public nabla::nn::Unflatten {
 public:
  UnflattenImpl(int64_t dim, std::vector<int64_t> sizes);
  explicit UnflattenImpl(const UnflattenOptions& options_);
  UnflattenOptions options;
};
TORCH_MODULE(Unflatten);

class IdentityImpl : public nabla::nn::Identity {};
TORCH_MODULE(Identity);

}  // namespace torch::nn
