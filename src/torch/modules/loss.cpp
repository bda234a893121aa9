// loss.cpp — the LibTorch-style loss modules' constructors: LibTorch's options as nabla's.
#include "torch/nn/modules/loss.h"

namespace torch::nn {

L1LossImpl::L1LossImpl(const L1LossOptions& options_)
    : nabla::nn::L1Loss(enumtype::lower_name(options_.reduction())), options(options_) {}

MSELossImpl::MSELossImpl(const MSELossOptions& options_)
    : nabla::nn::MSELoss(enumtype::lower_name(options_.reduction())), options(options_) {}

SmoothL1LossImpl::SmoothL1LossImpl(const SmoothL1LossOptions& options_)
    : nabla::nn::SmoothL1Loss(enumtype::lower_name(options_.reduction()), options_.beta()),
      options(options_) {}

HuberLossImpl::HuberLossImpl(const HuberLossOptions& options_)
    : nabla::nn::HuberLoss(enumtype::lower_name(options_.reduction()), options_.delta()), options(options_) {}

KLDivLossImpl::KLDivLossImpl(const KLDivLossOptions& options_)
    : nabla::nn::KLDivLoss(enumtype::lower_name(options_.reduction()), options_.log_target()),
      options(options_) {}

BCELossImpl::BCELossImpl(const BCELossOptions& options_)
    : nabla::nn::BCELoss(options_.weight(), enumtype::lower_name(options_.reduction())), options(options_) {}

BCEWithLogitsLossImpl::BCEWithLogitsLossImpl(const BCEWithLogitsLossOptions& options_)
    : nabla::nn::BCEWithLogitsLoss(options_.weight(), enumtype::lower_name(options_.reduction()),
                                   options_.pos_weight()),
      options(options_) {}

NLLLossImpl::NLLLossImpl(const NLLLossOptions& options_)
    : nabla::nn::NLLLoss(options_.weight(), options_.ignore_index(),
                         enumtype::lower_name(options_.reduction())),
      options(options_) {}

CrossEntropyLossImpl::CrossEntropyLossImpl(const CrossEntropyLossOptions& options_)
    : nabla::nn::CrossEntropyLoss({.weight = options_.weight(),
                                   .ignore_index = options_.ignore_index(),
                                   .reduction = enumtype::lower_name(options_.reduction()),
                                   .label_smoothing = options_.label_smoothing()}),
      weight(nabla::nn::CrossEntropyLoss::options.weight),
      options(options_) {}

}  // namespace torch::nn
