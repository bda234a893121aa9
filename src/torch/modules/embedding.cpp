// embedding.cpp — the LibTorch-style Embedding: constructors, reset and from_pretrained.
#include "torch/nn/modules/embedding.h"

namespace torch::nn {

EmbeddingImpl::EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
    : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions& options_)
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

void EmbeddingImpl::reset_parameters() {
  nabla::NoGradGuard no_grad;
  nabla::nn::init::normal_(weight);
  if (padding_idx) {
    const int64_t row = *padding_idx < 0 ? *padding_idx + options.num_embeddings() : *padding_idx;
    weight.select(0, row).zero_();
  }
}

Embedding Embedding::from_pretrained(const Tensor& embeddings,
                                     const EmbeddingFromPretrainedOptions& options) {
  if (embeddings.dim() != 2) throw nabla::ShapeError("Embeddings parameter is expected to be 2-dimensional");
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

}  // namespace torch::nn
