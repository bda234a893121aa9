// linear.cpp — the LibTorch-style Linear, Flatten and Unflatten constructors.
#include "torch/nn/modules/linear.h"

#include <utility>

namespace torch::nn {

LinearImpl::LinearImpl(int64_t in_features, int64_t out_features)
    : LinearImpl(LinearOptions(in_features, out_features)) {}
LinearImpl::LinearImpl(const LinearOptions& options_)
    : nabla::nn::Linear(options_.in_features(), options_.out_features(), options_.bias()),
      options(options_) {}
void LinearImpl::reset_parameters() { detail::reset_affine(weight, bias); }

FlattenImpl::FlattenImpl(const FlattenOptions& options_)
    : nabla::nn::Flatten(options_.start_dim(), options_.end_dim()), options(options_) {}

UnflattenImpl::UnflattenImpl(int64_t dim, std::vector<int64_t> sizes)
    : UnflattenImpl(UnflattenOptions(dim, std::move(sizes))) {}
UnflattenImpl::UnflattenImpl(const UnflattenOptions& options_)
    : nabla::nn::Unflatten(options_.dim(), options_.sizes()), options(options_) {}

}  // namespace torch::nn
