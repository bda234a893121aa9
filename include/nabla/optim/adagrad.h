// adagrad.h — Adagrad (torch.optim.Adagrad 1.13: names, defaults, update rule, messages).
//   optim::Adagrad opt(params, {.lr = 1e-2, .lr_decay = 1e-3, .initial_accumulator_value = 0.1});
#pragma once
#include <concepts>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

// torch.optim.Adagrad's arguments and defaults.
struct AdagradConfig {
  double lr = 1e-2;
  double lr_decay = 0;
  double weight_decay = 0;
  double initial_accumulator_value = 0;
  double eps = 1e-10;
  bool maximize = false;
};

// LibTorch-style chainable options, kept for code ported from LibTorch (nabla's style: AdagradConfig).
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
// Instantiated once, in the library (compile time of every including program).
extern template class OptimizerCloneableOptions<AdagradOptions>;

// State per parameter: "step" (0-d float32), "sum" (starts at initial_accumulator_value).
class Adagrad : public Optimizer {
 public:
  using Group = ParamGroup<AdagradConfig>;
  Adagrad(std::vector<Tensor> params, const AdagradConfig& options = {});
  Adagrad(std::vector<Group> groups, const AdagradConfig& defaults = {});
  // LibTorch style: Adagrad(params, AdagradOptions(...)...). Templates, so that a braced list always means
  // AdagradConfig.
  template <std::same_as<AdagradOptions> O>
  Adagrad(std::vector<Tensor> params, const O& defaults)
      : Adagrad(single_group(std::move(params)), defaults.clone(), 0) {}
  template <std::same_as<AdagradOptions> O>
  Adagrad(std::vector<OptimizerParamGroup> groups, const O& defaults)
      : Adagrad(std::move(groups), defaults.clone(), 0) {}
  // add_param_group({{w}, {.lr = 0.1}}); a LibTorch OptimizerParamGroup goes to the base's.
  void add_param_group(Group group);
  template <std::same_as<OptimizerParamGroup> G>
  void add_param_group(G group) {
    Optimizer::add_param_group(std::move(group));
  }
  std::string name() const override { return "Adagrad"; }

 protected:
  Adagrad(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults, int);
  void update() override;
  void validate(const OptimizerOptions& options) const override;
  bool options_match(const OptimizerOptions& options) const override;
};

}  // namespace nabla::optim
