// adagrad.h — Adagrad (torch.optim.Adagrad 1.13: names, defaults, update rule, messages).
//   optim::Adagrad opt(params, optim::AdagradOptions(1e-2).lr_decay(1e-3).initial_accumulator_value(0.1));
#pragma once
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

class AdagradOptions : public OptimizerCloneableOptions<AdagradOptions> {
 public:
  AdagradOptions(double lr = 1e-2) : lr_(lr) {}  // NOLINT
  NABLA_OPTIM_ARG(AdagradOptions, double, lr, 1e-2);
  NABLA_OPTIM_ARG(AdagradOptions, double, lr_decay, 0);
  NABLA_OPTIM_ARG(AdagradOptions, double, weight_decay, 0);
  NABLA_OPTIM_ARG(AdagradOptions, double, initial_accumulator_value, 0);
  NABLA_OPTIM_ARG(AdagradOptions, double, eps, 1e-10);
  NABLA_OPTIM_ARG(AdagradOptions, bool, maximize, false);

 public:
  void visit(FieldVisitor& v) override;
};

// State per parameter: "step" (0-d float32), "sum" (starts at initial_accumulator_value).
class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Tensor> params, const AdagradOptions& defaults = {});
  Adagrad(std::vector<OptimizerParamGroup> groups, const AdagradOptions& defaults = {});
  std::string name() const override { return "Adagrad"; }

 protected:
  void update() override;
  void validate(const OptimizerOptions& options) const override;
  bool options_match(const OptimizerOptions& options) const override;
};

}  // namespace nabla::optim
