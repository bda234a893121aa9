// embedding.cpp — the bodies of torch/nn/functional/embedding.h's wrappers, compiled once here rather than in
// every program that includes <torch/torch.h> (docs/libtorch.md, "Compile time").
#include "torch/nn/functional/embedding.h"

namespace torch::nn::functional {

Tensor one_hot(const Tensor& tensor, int64_t num_classes) { return nabla::one_hot(tensor, num_classes); }

}  // namespace torch::nn::functional

namespace torch::nn::functional::impl {

void embedding_renorm(Tensor weight, const Tensor& input, double max_norm, double norm_type) {
  nabla::NoGradGuard no_grad;
  Tensor rows = std::get<0>(nabla::unique(input.reshape({-1}).to(nabla::kInt64)));
  Tensor picked = weight.index_select(0, rows);
  Tensor norms = picked.norm(norm_type, std::vector<int64_t>{1}, true);
  Tensor scale = nabla::where(norms > max_norm, max_norm / (norms + 1e-7), nabla::ones_like(norms));
  weight.index_put_({rows}, picked * scale);
}

}  // namespace torch::nn::functional::impl

namespace torch::nn::functional {

Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options) {
  impl::check<nabla::NotImplementedError>(!options.scale_grad_by_freq(),
                                          "embedding: scale_grad_by_freq is not supported by nabla");
  std::optional<int64_t> padding_idx = options.padding_idx();
  if (padding_idx) {
    const int64_t n = weight.size(0);
    impl::check<nabla::IndexError>(*padding_idx < n && *padding_idx >= -n,
                                   "embedding: padding_idx must be within num_embeddings");
    if (*padding_idx < 0) *padding_idx += n;
  }
  if (options.max_norm()) impl::embedding_renorm(weight, input, *options.max_norm(), options.norm_type());
  return nabla::nn::functional::embedding(input, weight, padding_idx);
}

}  // namespace torch::nn::functional
