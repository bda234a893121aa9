// optim.cpp — what torch/optim.h keeps out of line: each option class's clone() and each optimizer's
// constructors and destructor (their key functions, so their vtables are compiled here once), the
// adapters' instantiations and the LR schedulers' bodies.
#include "torch/optim.h"

#include <string>
#include <vector>

namespace torch::optim {

#define NABLA_TORCH_OPTIM_OUT_OF_LINE(Name)                                         \
  template class detail::OptimizerAdapter<nabla::optim::Name, Name##Options>;       \
  std::unique_ptr<OptimizerOptions> Name##Options::clone() const {                  \
    return std::make_unique<Name##Options>(*this);                                  \
  }                                                                                 \
  Name::Name(std::vector<OptimizerParamGroup> param_groups, Name##Options defaults) \
      : OptimizerAdapter(std::move(param_groups), defaults) {}                      \
  Name::Name(std::vector<Tensor> params, Name##Options defaults)                    \
      : OptimizerAdapter(one_group(std::move(params)), defaults) {}                 \
  Name::~Name() = default;

NABLA_TORCH_OPTIM_OUT_OF_LINE(SGD)
NABLA_TORCH_OPTIM_OUT_OF_LINE(Adam)
NABLA_TORCH_OPTIM_OUT_OF_LINE(AdamW)
NABLA_TORCH_OPTIM_OUT_OF_LINE(RMSprop)
NABLA_TORCH_OPTIM_OUT_OF_LINE(Adagrad)

#undef NABLA_TORCH_OPTIM_OUT_OF_LINE

namespace {
std::string count_mismatch(size_t lrs, size_t groups) {
  return "Number of learning rates not equal to the number of param groups\nNumber of learning rates "
         "given: " +
         std::to_string(lrs) + "\nNumber of param groups: " + std::to_string(groups);
}
}  // namespace

LRScheduler::~LRScheduler() = default;

std::vector<double> LRScheduler::get_current_lrs() const {
  std::vector<double> lrs;
  for (const auto& group : optimizer_.param_groups()) lrs.push_back(group.options().get_lr());
  return lrs;
}

void LRScheduler::set_optimizer_lrs(const std::vector<double>& lrs) {
  auto& groups = optimizer_.param_groups();
  if (lrs.size() != groups.size()) throw nabla::ValueError(count_mismatch(lrs.size(), groups.size()));
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(lrs[i]);
}

StepLR::StepLR(Optimizer& optimizer, const unsigned step_size, const double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  if (step_size == 0) throw nabla::ValueError("StepLR: step_size must be positive, got 0");
}

std::vector<double> StepLR::get_lrs() {
  std::vector<double> lrs = get_current_lrs();
  if (step_count_ != 0 && step_count_ % step_size_ == 0)
    for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

namespace {
nabla::optim::ReduceLROnPlateauOptions plateau_options(
    Optimizer& optimizer, ReduceLROnPlateauScheduler::SchedulerMode mode, float factor, int patience,
    double threshold, ReduceLROnPlateauScheduler::ThresholdMode threshold_mode, int cooldown,
    const std::vector<float>& min_lr, double eps) {
  if (!min_lr.empty() && min_lr.size() != optimizer.param_groups().size())
    throw nabla::ValueError(count_mismatch(min_lr.size(), optimizer.param_groups().size()));
  nabla::optim::ReduceLROnPlateauOptions o;
  o.mode = mode == ReduceLROnPlateauScheduler::min ? "min" : "max";
  o.factor = factor;
  o.patience = patience;
  o.threshold = threshold;
  o.threshold_mode = threshold_mode == ReduceLROnPlateauScheduler::rel ? "rel" : "abs";
  o.cooldown = cooldown;
  if (!min_lr.empty()) o.min_lr.assign(min_lr.begin(), min_lr.end());
  o.eps = eps;
  return o;
}
}  // namespace

ReduceLROnPlateauScheduler::ReduceLROnPlateauScheduler(Optimizer& optimizer, SchedulerMode mode, float factor,
                                                       int patience, double threshold,
                                                       ThresholdMode threshold_mode, int cooldown,
                                                       const std::vector<float>& min_lr, double eps,
                                                       bool verbose)
    : impl_(optimizer.nabla_optimizer(), plateau_options(optimizer, mode, factor, patience, threshold,
                                                         threshold_mode, cooldown, min_lr, eps)) {
  (void)verbose;  // nabla's scheduler does not print
}

ReduceLROnPlateauScheduler::~ReduceLROnPlateauScheduler() = default;

}  // namespace torch::optim
