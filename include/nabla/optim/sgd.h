// sgd.h — stochastic gradient descent with momentum, dampening, Nesterov and weight decay
// (torch.optim.SGD 1.13: same names, defaults, update rule and error messages).
//   optim::SGD opt(params, optim::SGDOptions(0.1).momentum(0.9).weight_decay(5e-4));
#pragma once
#include "nabla/optim/optimizer.h"

namespace nabla::optim {

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

// State per parameter: "momentum_buffer" (when momentum != 0).
class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& defaults);
  SGD(std::vector<OptimizerParamGroup> groups, const SGDOptions& defaults);
  std::string name() const override { return "SGD"; }

 protected:
  void update() override;
  void validate(const OptimizerOptions& options) const override;
  bool options_match(const OptimizerOptions& options) const override;
};

}  // namespace nabla::optim
