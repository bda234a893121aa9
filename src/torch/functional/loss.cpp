// loss.cpp — the bodies of torch/nn/functional/loss.h's wrappers, compiled once here rather than in every
// program that includes <torch/torch.h> (docs/libtorch.md, "Compile time").
#include "torch/nn/functional/loss.h"

namespace torch::nn::functional {

Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& options) {
  return nabla::nn::functional::mse_loss(input, target, impl::tag_name(options.reduction()));
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options) {
  return nabla::nn::functional::l1_loss(input, target, impl::tag_name(options.reduction()));
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options,
                      std::optional<double> beta) {
  return nabla::nn::functional::smooth_l1_loss(input, target, impl::tag_name(options.reduction()),
                                               beta.value_or(options.beta()));
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& options) {
  return nabla::nn::functional::huber_loss(input, target, impl::tag_name(options.reduction()),
                                           options.delta());
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BinaryCrossEntropyFuncOptions& options) {
  return nabla::nn::functional::binary_cross_entropy(input, target, options.weight(),
                                                     impl::tag_name(options.reduction()));
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BinaryCrossEntropyWithLogitsFuncOptions& options) {
  return nabla::nn::functional::binary_cross_entropy_with_logits(
      input, target, options.weight(), options.pos_weight(), impl::tag_name(options.reduction()));
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& options) {
  return nabla::nn::functional::nll_loss(input, target, options.weight(), impl::tag_name(options.reduction()),
                                         options.ignore_index());
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options) {
  return nabla::nn::functional::cross_entropy(input, target, options.weight(),
                                              impl::tag_name(options.reduction()), options.ignore_index(),
                                              options.label_smoothing());
}

Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options) {
  return nabla::nn::functional::kl_div(input, target, impl::tag_name(options.reduction()),
                                       options.log_target());
}

}  // namespace torch::nn::functional
