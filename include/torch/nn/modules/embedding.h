// torch/nn/modules/embedding.h — LibTorch's Embedding on nabla's layer, and its holder's
// Embedding::from_pretrained. max_norm, scale_grad_by_freq and sparse are not implemented by nabla:
// setting them raises NotImplementedError. The bodies are in src/torch/modules/embedding.cpp.
#pragma once
#include <cstdint>

#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/embedding.h"

namespace torch::nn {

class EmbeddingImpl : public nabla::nn::Embedding {
 public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim);
  explicit EmbeddingImpl(const EmbeddingOptions& options_);
  // weight ~ N(0, 1), the padding row zeroed.
  void reset_parameters();
  EmbeddingOptions options;
};

// A holder with LibTorch's static from_pretrained (TORCH_MODULE gives only the plain holder).
class Embedding : public nabla::nn::ModuleHolder<EmbeddingImpl> {
 public:
  using nabla::nn::ModuleHolder<EmbeddingImpl>::ModuleHolder;
  using Impl = EmbeddingImpl;
  // A module whose weight is a copy of `embeddings` [rows, cols]; trainable unless options.freeze().
  static Embedding from_pretrained(const Tensor& embeddings,
                                   const EmbeddingFromPretrainedOptions& options = {});
};

}  // namespace torch::nn
