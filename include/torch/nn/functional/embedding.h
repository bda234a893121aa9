// torch/nn/functional/embedding.h — F::embedding (LibTorch's EmbeddingFuncOptions) and F::one_hot.
#pragma once
#include <optional>

#include "nabla/autograd/grad_mode.h"
#include "torch/nn/functional/impl.h"

namespace torch::nn::functional {

struct EmbeddingFuncOptions {
  TORCH_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  TORCH_ARG(std::optional<double>, max_norm) = std::nullopt;
  TORCH_ARG(double, norm_type) = 2.;
  TORCH_ARG(bool, scale_grad_by_freq) = false;  // not supported: an error when set
  TORCH_ARG(bool, sparse) = false;              // gradients are always dense (same values)
};

Tensor one_hot(const Tensor& tensor, int64_t num_classes = -1);

namespace impl {
// max_norm: the rows the input looks up are rescaled in place to norm <= max_norm, without autograd
// (PyTorch's embedding_renorm_; the 1e-7 is its).
void embedding_renorm(Tensor weight, const Tensor& input, double max_norm, double norm_type);
}  // namespace impl

// weight [num_embeddings, dim]; the result is input's shape + [dim]. A negative padding_idx counts
// from the end.
Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options = {});

}  // namespace torch::nn::functional
