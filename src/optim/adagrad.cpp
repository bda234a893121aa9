// adagrad.cpp — torch.optim.Adagrad: step += 1; g += wd * p; clr = lr / (1 + (step - 1) lr_decay);
// sum += g^2; p -= clr g / (sqrt(sum) + eps).
#include "nabla/optim/adagrad.h"

#include "nabla/ops/ops.h"
#include "ops/optim_kernels.h"
#include "optim/config.h"
#include "optim/python_compat.h"
#include "util/check.h"

namespace nabla::optim {

void AdagradOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("lr_decay", lr_decay_);
  v.field("eps", eps_);
  v.field("weight_decay", weight_decay_);
  v.field("initial_accumulator_value", initial_accumulator_value_);
  v.field("maximize", maximize_);
}

namespace {
AdagradOptions to_adagrad_options(const AdagradConfig& c) {
  return AdagradOptions(c.lr)
      .lr_decay(c.lr_decay)
      .weight_decay(c.weight_decay)
      .initial_accumulator_value(c.initial_accumulator_value)
      .eps(c.eps)
      .maximize(c.maximize);
}
}  // namespace

Adagrad::Adagrad(std::vector<Tensor> params, const AdagradConfig& options)
    : Adagrad(single_group(std::move(params)), to_adagrad_options(options).clone(), 0) {}
Adagrad::Adagrad(std::vector<Group> groups, const AdagradConfig& defaults)
    : Adagrad(detail::libtorch_groups(groups, to_adagrad_options), to_adagrad_options(defaults).clone(), 0) {}
Adagrad::Adagrad(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults, int)
    : Optimizer(std::move(defaults)) {
  init_groups(std::move(groups));
}

void Adagrad::add_param_group(Group group) {
  Optimizer::add_param_group(detail::libtorch_group(std::move(group), to_adagrad_options));
}

bool Adagrad::options_match(const OptimizerOptions& o) const {
  return dynamic_cast<const AdagradOptions*>(&o) != nullptr;
}

void Adagrad::validate(const OptimizerOptions& options) const {
  const auto& o = static_cast<const AdagradOptions&>(options);
  NABLA_CHECK(0.0 <= o.lr(), ValueError, "Invalid learning rate: {}", detail::py_float(o.lr()));
  NABLA_CHECK(0.0 <= o.lr_decay(), ValueError, "Invalid lr_decay value: {}", detail::py_float(o.lr_decay()));
  NABLA_CHECK(0.0 <= o.weight_decay(), ValueError, "Invalid weight_decay value: {}",
              detail::py_float(o.weight_decay()));
  NABLA_CHECK(0.0 <= o.initial_accumulator_value(), ValueError, "Invalid initial_accumulator_value value: {}",
              detail::py_float(o.initial_accumulator_value()));
  NABLA_CHECK(0.0 <= o.eps(), ValueError, "Invalid epsilon value: {}", detail::py_float(o.eps()));
}

void Adagrad::update() {
  for_each_param<AdagradOptions>(
      [](const Tensor& p, const Tensor& g, ParamState& state, const AdagradOptions& o) {
        auto it = state.find("sum");
        if (it == state.end())
          it = state
                   .emplace("sum", full(p.sizes(), o.initial_accumulator_value(),
                                        {.dtype = p.dtype(), .device = p.device()}))
                   .first;
        float& step = step_counter(state).data_ptr<float>()[0];
        step += 1;
        const double clr = o.lr() / (1 + (static_cast<double>(step) - 1) * o.lr_decay());
        kernels::adagrad_step(p, g, it->second, {clr, o.eps(), o.weight_decay(), o.maximize()});
      });
}

template class OptimizerCloneableOptions<AdagradOptions>;

}  // namespace nabla::optim
