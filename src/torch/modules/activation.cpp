// activation.cpp — the LibTorch-style activation modules' constructors and forwards.
#include "torch/nn/modules/activation.h"

#include "nabla/nn/functional.h"

namespace torch::nn {

ReLUImpl::ReLUImpl(const ReLUOptions& options_) : options(options_) {}
Tensor ReLUImpl::forward(Tensor x) { return options.inplace() ? x.relu_() : nabla::relu(x); }

LeakyReLUImpl::LeakyReLUImpl(const LeakyReLUOptions& options_)
    : nabla::nn::LeakyReLU(options_.negative_slope()), options(options_) {}
Tensor LeakyReLUImpl::forward(Tensor x) {
  Tensor y = nabla::leaky_relu(x, options.negative_slope());
  return options.inplace() ? x.copy_(y) : y;
}

ELUImpl::ELUImpl(const ELUOptions& options_) : nabla::nn::ELU(options_.alpha()), options(options_) {}
Tensor ELUImpl::forward(Tensor x) {
  Tensor y = nabla::nn::functional::elu(x, options.alpha());
  return options.inplace() ? x.copy_(y) : y;
}

GELUImpl::GELUImpl(GELUOptions options_) : nabla::nn::GELU(options_.approximate()), options(options_) {}
Tensor GELUImpl::forward(Tensor x) { return nabla::gelu(x, options.approximate()); }

SoftmaxImpl::SoftmaxImpl(int64_t dim) : SoftmaxImpl(SoftmaxOptions(dim)) {}
SoftmaxImpl::SoftmaxImpl(const SoftmaxOptions& options_)
    : nabla::nn::Softmax(options_.dim()), options(options_) {}
Tensor SoftmaxImpl::forward(Tensor x) { return nabla::softmax(x, options.dim()); }

LogSoftmaxImpl::LogSoftmaxImpl(int64_t dim) : LogSoftmaxImpl(LogSoftmaxOptions(dim)) {}
LogSoftmaxImpl::LogSoftmaxImpl(const LogSoftmaxOptions& options_)
    : nabla::nn::LogSoftmax(options_.dim()), options(options_) {}
Tensor LogSoftmaxImpl::forward(Tensor x) { return nabla::log_softmax(x, options.dim()); }

}  // namespace torch::nn
