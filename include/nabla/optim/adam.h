// adam.h — Adam and AdamW (torch.optim.Adam / AdamW 1.13: names, defaults, update rule, messages).
//   optim::Adam opt(params, optim::AdamOptions(1e-3).betas({0.9, 0.999}).amsgrad(true));
//   optim::AdamW opt(params, optim::AdamWOptions(1e-3).weight_decay(1e-2));
#pragma once
#include <utility>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

class AdamOptions : public OptimizerCloneableOptions<AdamOptions> {
 public:
  AdamOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT
  NABLA_OPTIM_ARG(AdamOptions, double, lr, 1e-3);
  using Betas = std::pair<double, double>;
  NABLA_OPTIM_ARG(AdamOptions, Betas, betas, Betas(0.9, 0.999));
  NABLA_OPTIM_ARG(AdamOptions, double, eps, 1e-8);
  NABLA_OPTIM_ARG(AdamOptions, double, weight_decay, 0);
  NABLA_OPTIM_ARG(AdamOptions, bool, amsgrad, false);
  NABLA_OPTIM_ARG(AdamOptions, bool, maximize, false);

 public:
  void visit(FieldVisitor& v) override;
  MomentumKind momentum_kind() const override { return MomentumKind::Beta1; }
  double get_momentum() const override { return betas_.first; }
  void set_momentum(double m) override { betas_.first = m; }
};

// Same fields as AdamOptions; weight decay is decoupled (p *= 1 - lr * weight_decay) and defaults to 1e-2.
class AdamWOptions : public OptimizerCloneableOptions<AdamWOptions> {
 public:
  AdamWOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT
  NABLA_OPTIM_ARG(AdamWOptions, double, lr, 1e-3);
  using Betas = std::pair<double, double>;
  NABLA_OPTIM_ARG(AdamWOptions, Betas, betas, Betas(0.9, 0.999));
  NABLA_OPTIM_ARG(AdamWOptions, double, eps, 1e-8);
  NABLA_OPTIM_ARG(AdamWOptions, double, weight_decay, 1e-2);
  NABLA_OPTIM_ARG(AdamWOptions, bool, amsgrad, false);
  NABLA_OPTIM_ARG(AdamWOptions, bool, maximize, false);

 public:
  void visit(FieldVisitor& v) override;
  MomentumKind momentum_kind() const override { return MomentumKind::Beta1; }
  double get_momentum() const override { return betas_.first; }
  void set_momentum(double m) override { betas_.first = m; }
};

// State per parameter: "step" (0-d float32), "exp_avg", "exp_avg_sq", "max_exp_avg_sq" (amsgrad).
class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, const AdamOptions& defaults = {});
  Adam(std::vector<OptimizerParamGroup> groups, const AdamOptions& defaults = {});
  std::string name() const override { return "Adam"; }

 protected:
  void update() override;
  void validate(const OptimizerOptions& options) const override;
  bool options_match(const OptimizerOptions& options) const override;
};

class AdamW : public Optimizer {
 public:
  AdamW(std::vector<Tensor> params, const AdamWOptions& defaults = {});
  AdamW(std::vector<OptimizerParamGroup> groups, const AdamWOptions& defaults = {});
  std::string name() const override { return "AdamW"; }

 protected:
  void update() override;
  void validate(const OptimizerOptions& options) const override;
  bool options_match(const OptimizerOptions& options) const override;
};

}  // namespace nabla::optim
