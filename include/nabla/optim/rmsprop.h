// rmsprop.h — RMSprop (torch.optim.RMSprop 1.13: names, defaults, update rule, messages).
//   optim::RMSprop opt(params, {.lr = 1e-2, .alpha = 0.9, .momentum = 0.9, .centered = true});
#pragma once
#include <concepts>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

// torch.optim.RMSprop's arguments and defaults.
struct RMSpropConfig {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;
  bool centered = false;
  bool maximize = false;
};

// LibTorch-style chainable options, kept for code ported from LibTorch (nabla's style: RMSpropConfig).
class RMSpropOptions : public OptimizerCloneableOptions<RMSpropOptions> {
 public:
  RMSpropOptions(double lr = 1e-2) : lr_(lr) {}  // NOLINT
  NABLA_OPTIM_ARG(RMSpropOptions, double, lr, 1e-2);
  NABLA_OPTIM_ARG(RMSpropOptions, double, alpha, 0.99);
  NABLA_OPTIM_ARG(RMSpropOptions, double, eps, 1e-8);
  NABLA_OPTIM_ARG(RMSpropOptions, double, weight_decay, 0);
  NABLA_OPTIM_ARG(RMSpropOptions, double, momentum, 0);
  NABLA_OPTIM_ARG(RMSpropOptions, bool, centered, false);
  NABLA_OPTIM_ARG(RMSpropOptions, bool, maximize, false);

 public:
  void visit(FieldVisitor& v) override;
  MomentumKind momentum_kind() const override { return MomentumKind::Momentum; }
  double get_momentum() const override { return momentum_; }
  void set_momentum(double m) override { momentum_ = m; }
};
// Instantiated once, in the library (compile time of every including program).
extern template class OptimizerCloneableOptions<RMSpropOptions>;

// State per parameter: "step", "square_avg", "momentum_buffer" (momentum > 0), "grad_avg" (centered).
class RMSprop : public Optimizer {
 public:
  using Group = ParamGroup<RMSpropConfig>;
  RMSprop(std::vector<Tensor> params, const RMSpropConfig& options = {});
  RMSprop(std::vector<Group> groups, const RMSpropConfig& defaults = {});
  // LibTorch style: RMSprop(params, RMSpropOptions(...)...). Templates, so that a braced list always means
  // RMSpropConfig.
  template <std::same_as<RMSpropOptions> O>
  RMSprop(std::vector<Tensor> params, const O& defaults)
      : RMSprop(single_group(std::move(params)), defaults.clone(), 0) {}
  template <std::same_as<RMSpropOptions> O>
  RMSprop(std::vector<OptimizerParamGroup> groups, const O& defaults)
      : RMSprop(std::move(groups), defaults.clone(), 0) {}
  // add_param_group({{w}, {.lr = 0.1}}); a LibTorch OptimizerParamGroup goes to the base's.
  void add_param_group(Group group);
  template <std::same_as<OptimizerParamGroup> G>
  void add_param_group(G group) {
    Optimizer::add_param_group(std::move(group));
  }
  std::string name() const override { return "RMSprop"; }

 protected:
  RMSprop(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults, int);
  void update() override;
  void validate(const OptimizerOptions& options) const override;
  bool options_match(const OptimizerOptions& options) const override;
};

}  // namespace nabla::optim
