// sgd.cpp — torch.optim.SGD: d_p = g + wd * p; buf = momentum * buf + (1 - dampening) * d_p (buf = d_p
// on the first step); d_p = nesterov ? d_p + momentum * buf : buf; p -= lr * d_p.
#include "nabla/optim/sgd.h"

#include "ops/optim_kernels.h"
#include "optim/config.h"
#include "optim/python_compat.h"
#include "util/check.h"

namespace nabla::optim {

void SGDOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("momentum", momentum_);
  v.field("dampening", dampening_);
  v.field("weight_decay", weight_decay_);
  v.field("nesterov", nesterov_);
  v.field("maximize", maximize_);
}

namespace {
SGDOptions to_sgd_options(const SGDConfig& c) {
  NABLA_CHECK(c.lr.has_value(), ValueError,
              "parameter group didn't specify a value of required optimization parameter lr");
  return SGDOptions(*c.lr)
      .momentum(c.momentum)
      .dampening(c.dampening)
      .weight_decay(c.weight_decay)
      .nesterov(c.nesterov)
      .maximize(c.maximize);
}
}  // namespace

SGD::SGD(std::vector<Tensor> params, const SGDConfig& options)
    : SGD(single_group(std::move(params)), to_sgd_options(options).clone(), 0) {}
SGD::SGD(std::vector<Group> groups, const SGDConfig& defaults)
    : SGD(detail::libtorch_groups(
              groups,
              [&](SGDConfig g) {
                if (!g.lr) g.lr = defaults.lr;  // like PyTorch, a group without lr takes the default one
                return to_sgd_options(g);
              }),
          to_sgd_options(defaults).clone(), 0) {}
SGD::SGD(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults, int)
    : Optimizer(std::move(defaults)) {
  init_groups(std::move(groups));
}

void SGD::add_param_group(Group group) {
  Optimizer::add_param_group(detail::libtorch_group(std::move(group), [&](SGDConfig g) {
    if (!g.lr) g.lr = defaults().get_lr();
    return to_sgd_options(g);
  }));
}

bool SGD::options_match(const OptimizerOptions& options) const {
  return dynamic_cast<const SGDOptions*>(&options) != nullptr;
}

void SGD::validate(const OptimizerOptions& options) const {
  const auto& o = static_cast<const SGDOptions&>(options);
  NABLA_CHECK(o.lr() >= 0, ValueError, "Invalid learning rate: {}", detail::py_float(o.lr()));
  NABLA_CHECK(o.momentum() >= 0, ValueError, "Invalid momentum value: {}", detail::py_float(o.momentum()));
  NABLA_CHECK(o.weight_decay() >= 0, ValueError, "Invalid weight_decay value: {}",
              detail::py_float(o.weight_decay()));
  NABLA_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0), ValueError,
              "Nesterov momentum requires a momentum and zero dampening");
}

void SGD::update() {
  for_each_param<SGDOptions>([](const Tensor& p, const Tensor& g, ParamState& state, const SGDOptions& o) {
    kernels::SgdArgs args{o.lr(),       o.momentum(), o.dampening(), o.weight_decay(),
                          o.nesterov(), o.maximize(), false};
    Tensor buf;
    if (o.momentum() != 0) {
      auto it = state.find("momentum_buffer");
      args.first_step = it == state.end();
      if (args.first_step) it = state.emplace("momentum_buffer", zeros_state(p)).first;
      buf = it->second;
    }
    kernels::sgd_step(p, g, buf, args);
  });
}

template class OptimizerCloneableOptions<SGDOptions>;

}  // namespace nabla::optim
