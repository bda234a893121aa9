// torch/nn/modules/activation.h — LibTorch's activation modules on nabla's. Modules with options read
// them at each call (as LibTorch does), so `relu->options.inplace(true)` takes effect afterwards (the
// printed repr keeps the constructor's values).
// inplace(true) overwrites the input and returns it: ReLU with nabla's relu_, the others by computing
// the result and copying it into the input (the same values and aliasing, one temporary more).
// Constructors and forwards are in src/torch/modules/activation.cpp (compiled once, not per program).
#pragma once
#include <cstdint>

#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/activation.h"

namespace torch::nn {

class ReLUImpl : public nabla::nn::ReLU {
 public:
  explicit ReLUImpl(const ReLUOptions& options_ = {});
  Tensor forward(Tensor x) override;
  ReLUOptions options;
};
TORCH_MODULE(ReLU);

class LeakyReLUImpl : public nabla::nn::LeakyReLU {
 public:
  explicit LeakyReLUImpl(const LeakyReLUOptions& options_ = {});
  Tensor forward(Tensor x) override;
  LeakyReLUOptions options;
};
TORCH_MODULE(LeakyReLU);

class ELUImpl : public nabla::nn::ELU {
 public:
  explicit ELUImpl(const ELUOptions& options_ = {});
  Tensor forward(Tensor x) override;
  ELUOptions options;
};
TORCH_MODULE(ELU);

// approximate: "none" (erf) or "tanh".
class GELUImpl : public nabla::nn::GELU {
 public:
  explicit GELUImpl(GELUOptions options_ = {});
  Tensor forward(Tensor x) override;
  GELUOptions options;
};
TORCH_MODULE(GELU);

class SigmoidImpl : public nabla::nn::Sigmoid {};
TORCH_MODULE(Sigmoid);
class TanhImpl : public nabla::nn::Tanh {};
TORCH_MODULE(Tanh);
class SiLUImpl : public nabla::nn::SiLU {};
TORCH_MODULE(SiLU);

class SoftmaxImpl : public nabla::nn::Softmax {
 public:
  explicit SoftmaxImpl(int64_t dim);
  explicit SoftmaxImpl(const SoftmaxOptions& options_);
  Tensor forward(Tensor x) override;
  SoftmaxOptions options;
};
TORCH_MODULE(Softmax);

class LogSoftmaxImpl : public nabla::nn::LogSoftmax {
 public:
  explicit LogSoftmaxImpl(int64_t dim);
  explicit LogSoftmaxImpl(const LogSoftmaxOptions& options_);
  Tensor forward(Tensor x) override;
  LogSoftmaxOptions options;
};
TORCH_MODULE(LogSoftmax);

}  // namespace torch::nn
