// adam.cpp — torch.optim.Adam and AdamW. Per step: step += 1; (Adam) g += wd * p or (AdamW)
// p *= 1 - lr * wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; (amsgrad) vmax = max(vmax, v);
// p -= lr / (1 - b1^step) * m / (sqrt(v or vmax) / sqrt(1 - b2^step) + eps).
#include "nabla/optim/adam.h"

#include "ops/optim_kernels.h"
#include "optim/config.h"
#include "optim/python_compat.h"
#include "util/check.h"

namespace nabla::optim {

namespace {

void visit_adam(FieldVisitor& v, double& lr, std::pair<double, double>& betas, double& eps, double& wd,
                bool& amsgrad, bool& maximize) {
  v.field("lr", lr);
  v.field("betas", betas);
  v.field("eps", eps);
  v.field("weight_decay", wd);
  v.field("amsgrad", amsgrad);
  v.field("maximize", maximize);
}

template <typename O>
void validate_adam(const O& o) {
  NABLA_CHECK(0.0 <= o.lr(), ValueError, "Invalid learning rate: {}", detail::py_float(o.lr()));
  NABLA_CHECK(0.0 <= o.eps(), ValueError, "Invalid epsilon value: {}", detail::py_float(o.eps()));
  NABLA_CHECK(0.0 <= o.betas().first && o.betas().first < 1.0, ValueError,
              "Invalid beta parameter at index 0: {}", detail::py_float(o.betas().first));
  NABLA_CHECK(0.0 <= o.betas().second && o.betas().second < 1.0, ValueError,
              "Invalid beta parameter at index 1: {}", detail::py_float(o.betas().second));
  NABLA_CHECK(0.0 <= o.weight_decay(), ValueError, "Invalid weight_decay value: {}",
              detail::py_float(o.weight_decay()));
}

// One Adam/AdamW update of `p`; lazily creates the state like PyTorch.
template <typename O>
void adam_param(const Tensor& p, const Tensor& g, ParamState& state, const O& o, bool decoupled) {
  const Tensor exp_avg = Optimizer::state_tensor(state, "exp_avg", p);
  const Tensor exp_avg_sq = Optimizer::state_tensor(state, "exp_avg_sq", p);
  const Tensor max_sq = o.amsgrad() ? Optimizer::state_tensor(state, "max_exp_avg_sq", p) : Tensor();
  float& step = Optimizer::step_counter(state).template data_ptr<float>()[0];
  step += 1;
  const kernels::AdamArgs args{o.lr(), o.betas().first, o.betas().second, o.eps(),  o.weight_decay(),
                               step,   o.amsgrad(),     o.maximize(),     decoupled};
  kernels::adam_step(p, g, exp_avg, exp_avg_sq, max_sq, args);
}

template <typename Options, typename Config>
Options to_adam_options(const Config& c) {
  return Options(c.lr)
      .betas(c.betas)
      .eps(c.eps)
      .weight_decay(c.weight_decay)
      .amsgrad(c.amsgrad)
      .maximize(c.maximize);
}

}  // namespace

void AdamOptions::visit(FieldVisitor& v) {
  visit_adam(v, lr_, betas_, eps_, weight_decay_, amsgrad_, maximize_);
}
void AdamWOptions::visit(FieldVisitor& v) {
  visit_adam(v, lr_, betas_, eps_, weight_decay_, amsgrad_, maximize_);
}

Adam::Adam(std::vector<Tensor> params, const AdamConfig& options)
    : Adam(single_group(std::move(params)), to_adam_options<AdamOptions, AdamConfig>(options).clone(), 0) {}
Adam::Adam(std::vector<Group> groups, const AdamConfig& defaults)
    : Adam(detail::libtorch_groups(groups, to_adam_options<AdamOptions, AdamConfig>),
           to_adam_options<AdamOptions, AdamConfig>(defaults).clone(), 0) {}
Adam::Adam(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults, int)
    : Optimizer(std::move(defaults)) {
  init_groups(std::move(groups));
}
void Adam::add_param_group(Group group) {
  Optimizer::add_param_group(
      detail::libtorch_group(std::move(group), to_adam_options<AdamOptions, AdamConfig>));
}

bool Adam::options_match(const OptimizerOptions& o) const {
  return dynamic_cast<const AdamOptions*>(&o) != nullptr;
}
void Adam::validate(const OptimizerOptions& o) const { validate_adam(static_cast<const AdamOptions&>(o)); }
void Adam::update() {
  for_each_param<AdamOptions>([](const Tensor& p, const Tensor& g, ParamState& state, const AdamOptions& o) {
    adam_param(p, g, state, o, /*decoupled=*/false);
  });
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWConfig& options)
    : AdamW(single_group(std::move(params)), to_adam_options<AdamWOptions, AdamWConfig>(options).clone(), 0) {
}
AdamW::AdamW(std::vector<Group> groups, const AdamWConfig& defaults)
    : AdamW(detail::libtorch_groups(groups, to_adam_options<AdamWOptions, AdamWConfig>),
            to_adam_options<AdamWOptions, AdamWConfig>(defaults).clone(), 0) {}
AdamW::AdamW(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults, int)
    : Optimizer(std::move(defaults)) {
  init_groups(std::move(groups));
}
void AdamW::add_param_group(Group group) {
  Optimizer::add_param_group(
      detail::libtorch_group(std::move(group), to_adam_options<AdamWOptions, AdamWConfig>));
}

bool AdamW::options_match(const OptimizerOptions& o) const {
  return dynamic_cast<const AdamWOptions*>(&o) != nullptr;
}
void AdamW::validate(const OptimizerOptions& o) const { validate_adam(static_cast<const AdamWOptions&>(o)); }
void AdamW::update() {
  for_each_param<AdamWOptions>([](const Tensor& p, const Tensor& g, ParamState& state,
                                  const AdamWOptions& o) { adam_param(p, g, state, o, /*decoupled=*/true); });
}

template class OptimizerCloneableOptions<AdamOptions>;
template class OptimizerCloneableOptions<AdamWOptions>;

}  // namespace nabla::optim
