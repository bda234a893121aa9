// torch/nn/options/linear.h — LibTorch's LinearOptions, FlattenOptions and UnflattenOptions.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "torch/arg.h"

namespace torch::nn {

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  TORCH_ARG(int64_t, in_features);
  TORCH_ARG(int64_t, out_features);
  TORCH_ARG(bool, bias) = true;
};

struct FlattenOptions {
  TORCH_ARG(int64_t, start_dim) = 1;
  TORCH_ARG(int64_t, end_dim) = -1;
};

// LibTorch also takes a dimension name and a named shape; nabla has no named tensors, so only the
// positional form exists here.
struct UnflattenOptions {
  UnflattenOptions(int64_t dim, std::vector<int64_t> sizes) : dim_(dim), sizes_(std::move(sizes)) {}
  TORCH_ARG(int64_t, dim);
  TORCH_ARG(std::vector<int64_t>, sizes);
};

}  // namespace torch::nn
