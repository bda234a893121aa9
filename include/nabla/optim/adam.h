// adam.h — Adam and AdamW (torch.optim.Adam / AdamW 1.13: names, defaults, update rule, messages).
//   optim::Adam opt(params, {.lr = 1e-3, .betas = {0.9, 0.999}, .amsgrad = true});
//   optim::AdamW opt(params, {.lr = 1e-3, .weight_decay = 1e-2});
#pragma once
#include <concepts>
#include <utility>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

// torch.optim.Adam's arguments and defaults.
struct AdamConfig {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;
  bool maximize = false;
};

// LibTorch-style chainable options, kept for code ported from LibTorch (nabla's style: AdamConfig).
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
// Instantiated once, in the library (compile time of every including program).
extern template class OptimizerCloneableOptions<AdamOptions>;

// torch.optim.AdamW's arguments: Adam's, with decoupled weight decay defaulting to 1e-2.
struct AdamWConfig {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
  bool maximize = false;
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
// Instantiated once, in the library (compile time of every including program).
extern template class OptimizerCloneableOptions<AdamWOptions>;

// State per parameter: "step" (0-d float32), "exp_avg", "exp_avg_sq", "max_exp_avg_sq" (amsgrad).
class Adam : public Optimizer {
 public:
  using Group = ParamGroup<AdamConfig>;
  Adam(std::vector<Tensor> params, const AdamConfig& options = {});
  Adam(std::vector<Group> groups, const AdamConfig& defaults = {});
  // LibTorch style: Adam(params, AdamOptions(...)...). Templates, so that a braced list always means
  // AdamConfig.
  template <std::same_as<AdamOptions> O>
  Adam(std::vector<Tensor> params, const O& defaults)
      : Adam(single_group(std::move(params)), defaults.clone(), 0) {}
  template <std::same_as<AdamOptions> O>
  Adam(std::vector<OptimizerParamGroup> groups, const O& defaults)
      : Adam(std::move(groups), defaults.clone(), 0) {}
  // add_param_group({{w}, {.lr = 0.1}}); a LibTorch OptimizerParamGroup goes to the base's.
  void add_param_group(Group group);
  template <std::same_as<OptimizerParamGroup> G>
  void add_param_group(G group) {
    Optimizer::add_param_group(std::move(group));
  }
  std::string name() const override { return "Adam"; }

 protected:
  Adam(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults, int);
  void update() override;
  void validate(const OptimizerOptions& options) const override;
  bool options_match(const OptimizerOptions& options) const override;
};

class AdamW : public Optimizer {
 public:
  using Group = ParamGroup<AdamWConfig>;
  AdamW(std::vector<Tensor> params, const AdamWConfig& options = {});
  AdamW(std::vector<Group> groups, const AdamWConfig& defaults = {});
  template <std::same_as<AdamWOptions> O>
  AdamW(std::vector<Tensor> params, const O& defaults)
      : AdamW(single_group(std::move(params)), defaults.clone(), 0) {}
  template <std::same_as<AdamWOptions> O>
  AdamW(std::vector<OptimizerParamGroup> groups, const O& defaults)
      : AdamW(std::move(groups), defaults.clone(), 0) {}
  // add_param_group({{w}, {.lr = 0.1}}); a LibTorch OptimizerParamGroup goes to the base's.
  void add_param_group(Group group);
  template <std::same_as<OptimizerParamGroup> G>
  void add_param_group(G group) {
    Optimizer::add_param_group(std::move(group));
  }
  std::string name() const override { return "AdamW"; }

 protected:
  AdamW(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults, int);
  void update() override;
  void validate(const OptimizerOptions& options) const override;
  bool options_match(const OptimizerOptions& options) const override;
};

}  // namespace nabla::optim
