// sgd.h — stochastic gradient descent with momentum, dampening, Nesterov and weight decay
// (torch.optim.SGD 1.13: same names, defaults, update rule and error messages).
//   optim::SGD opt(params, {.lr = 0.1, .momentum = 0.9, .weight_decay = 5e-4});
#pragma once
#include <concepts>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

// torch.optim.SGD's arguments and defaults. lr is required, as in PyTorch 1.13 (ValueError without it).
struct SGDConfig {
  std::optional<double> lr = std::nullopt;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
  bool maximize = false;
};

// LibTorch-style chainable options, kept for code ported from LibTorch (nabla's style: SGDConfig).
class SGDOptions : public OptimizerCloneableOptions<SGDOptions> {
 public:
  explicit SGDOptions(double lr) : lr_(lr) {}  // lr is required, as in PyTorch
  NABLA_OPTIM_ARG(SGDOptions, double, lr, 0);
  NABLA_OPTIM_ARG(SGDOptions, double, momentum, 0);
  NABLA_OPTIM_ARG(SGDOptions, double, dampening, 0);
  NABLA_OPTIM_ARG(SGDOptions, double, weight_decay, 0);
  NABLA_OPTIM_ARG(SGDOptions, bool, nesterov, false);
  NABLA_OPTIM_ARG(SGDOptions, bool, maximize, false);

 public:
  void visit(FieldVisitor& v) override;
  MomentumKind momentum_kind() const override { return MomentumKind::Momentum; }
  double get_momentum() const override { return momentum_; }
  void set_momentum(double m) override { momentum_ = m; }
};
// Instantiated once, in the library (compile time of every including program).
extern template class OptimizerCloneableOptions<SGDOptions>;

// State per parameter: "momentum_buffer" (when momentum != 0).
class SGD : public Optimizer {
 public:
  using Group = ParamGroup<SGDConfig>;
  SGD(std::vector<Tensor> params, const SGDConfig& options);
  SGD(std::vector<Group> groups, const SGDConfig& defaults);
  // LibTorch style: SGD(params, SGDOptions(...)...). Templates, so that a braced list always means SGDConfig.
  template <std::same_as<SGDOptions> O>
  SGD(std::vector<Tensor> params, const O& defaults)
      : SGD(single_group(std::move(params)), defaults.clone(), 0) {}
  template <std::same_as<SGDOptions> O>
  SGD(std::vector<OptimizerParamGroup> groups, const O& defaults)
      : SGD(std::move(groups), defaults.clone(), 0) {}
  // add_param_group({{w}, {.lr = 0.1}}); a LibTorch OptimizerParamGroup goes to the base's.
  void add_param_group(Group group);
  template <std::same_as<OptimizerParamGroup> G>
  void add_param_group(G group) {
    Optimizer::add_param_group(std::move(group));
  }
  std::string name() const override { return "SGD"; }

 protected:
  SGD(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults, int);
  void update() override;
  void validate(const OptimizerOptions& options) const override;
  bool options_match(const OptimizerOptions& options) const override;
};

}  // namespace nabla::optim
