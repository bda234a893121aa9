// torch/nn/modules/embedding.h — LibTorch's Embedding on nabla's layer, and its holder's
// Embedding::from_pretrained. max_norm, scale_grad_by_freq and sparse are not implemented by nabla:
// setting them raises NotImplementedError.
#pragma once
#include <cstdint>

#include "nabla/nn/layers.h"
#include "torch/nn/modules/common.h"
#include "torch/nn/options/embedding.h"

namespace torch::nn {

class EmbeddingImpl : public nabla::nn::Embedding {
 public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(const EmbeddingOptions& options_)
      : nabla::nn::Embedding(options_.num_embeddings(), options_.embedding_dim(), options_.padding_idx()),
        options(options_) {
    detail::require(!options.max_norm(), "Embedding", "max_norm");
    detail::require(!options.scale_grad_by_freq(), "Embedding", "scale_grad_by_freq");
    detail::require(!options.sparse(), "Embedding", "sparse");
    if (options._weight().defined()) {
      // LibTorch adopts the tensor itself as the parameter; nabla copies it into the registered weight.
      const Tensor& w = options._weight();
      if (w.dim() != 2 || w.size(0) != options.num_embeddings() || w.size(1) != options.embedding_dim())
        throw nabla::ShapeError("Embedding: _weight must have shape [num_embeddings, embedding_dim]");
      nabla::NoGradGuard no_grad;
      weight.copy_(w);
    }
  }
  // weight ~ N(0, 1), the padding row zeroed.
  void reset_parameters() {
    nabla::NoGradGuard no_grad;
    nabla::nn::init::normal_(weight);
    if (padding_idx) {
      const int64_t row = *padding_idx < 0 ? *padding_idx + options.num_embeddings() : *padding_idx;
      weight.select(0, row).zero_();
    }
  }
  EmbeddingOptions options;
};

// A holder with LibTorch's static from_pretrained (TORCH_MODULE gives only the plain holder).
class Embedding : public nabla::nn::ModuleHolder<EmbeddingImpl> {
 public:
  using nabla::nn::ModuleHolder<EmbeddingImpl>::ModuleHolder;
  using Impl = EmbeddingImpl;
  // A module whose weight is a copy of `embeddings` [rows, cols]; trainable unless options.freeze().
  static Embedding from_pretrained(const Tensor& embeddings,
                                   const EmbeddingFromPretrainedOptions& options = {}) {
    if (embeddings.dim() != 2)
      throw nabla::ShapeError("Embeddings parameter is expected to be 2-dimensional");
    Embedding embedding(EmbeddingOptions(embeddings.size(0), embeddings.size(1))
                            ._weight(embeddings)
                            .padding_idx(options.padding_idx())
                            .max_norm(options.max_norm())
                            .norm_type(options.norm_type())
                            .scale_grad_by_freq(options.scale_grad_by_freq())
                            .sparse(options.sparse()));
    embedding->weight.requires_grad_(!options.freeze());
    return embedding;
  }
};

}  // namespace torch::nn
