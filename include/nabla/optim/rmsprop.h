// rmsprop.h — RMSprop (torch.optim.RMSprop 1.13: names, defaults, update rule, messages).
//   optim::RMSprop opt(params, optim::RMSpropOptions(1e-2).alpha(0.9).centered(true).momentum(0.9));
#pragma once
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

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

// State per parameter: "step", "square_avg", "momentum_buffer" (momentum > 0), "grad_avg" (centered).
class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<Tensor> params, const RMSpropOptions& defaults = {});
  RMSprop(std::vector<OptimizerParamGroup> groups, const RMSpropOptions& defaults = {});
  std::string name() const override { return "RMSprop"; }

 protected:
  void update() override;
  void validate(const OptimizerOptions& options) const override;
  bool options_match(const OptimizerOptions& options) const override;
};

}  // namespace nabla::optim
