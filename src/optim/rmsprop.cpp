// rmsprop.cpp — torch.optim.RMSprop: g += wd * p; sq = alpha sq + (1 - alpha) g^2; (centered)
// ga = alpha ga + (1 - alpha) g, avg = sqrt(sq - ga^2) + eps, else avg = sqrt(sq) + eps;
// (momentum) buf = momentum buf + g / avg, p -= lr buf; else p -= lr g / avg.
#include "nabla/optim/rmsprop.h"

#include "ops/optim_kernels.h"
#include "optim/config.h"
#include "optim/python_compat.h"
#include "util/check.h"

namespace nabla::optim {

void RMSpropOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("alpha", alpha_);
  v.field("eps", eps_);
  v.field("weight_decay", weight_decay_);
  v.field("momentum", momentum_);
  v.field("centered", centered_);
  v.field("maximize", maximize_);
}

namespace {
RMSpropOptions to_rmsprop_options(const RMSpropConfig& c) {
  return RMSpropOptions(c.lr)
      .alpha(c.alpha)
      .eps(c.eps)
      .weight_decay(c.weight_decay)
      .momentum(c.momentum)
      .centered(c.centered)
      .maximize(c.maximize);
}
}  // namespace

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropConfig& options)
    : RMSprop(single_group(std::move(params)), to_rmsprop_options(options).clone(), 0) {}
RMSprop::RMSprop(std::vector<Group> groups, const RMSpropConfig& defaults)
    : RMSprop(detail::libtorch_groups(groups, to_rmsprop_options), to_rmsprop_options(defaults).clone(), 0) {}
RMSprop::RMSprop(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults, int)
    : Optimizer(std::move(defaults)) {
  init_groups(std::move(groups));
}

void RMSprop::add_param_group(Group group) {
  Optimizer::add_param_group(detail::libtorch_group(std::move(group), to_rmsprop_options));
}

bool RMSprop::options_match(const OptimizerOptions& o) const {
  return dynamic_cast<const RMSpropOptions*>(&o) != nullptr;
}

void RMSprop::validate(const OptimizerOptions& options) const {
  const auto& o = static_cast<const RMSpropOptions&>(options);
  NABLA_CHECK(0.0 <= o.lr(), ValueError, "Invalid learning rate: {}", detail::py_float(o.lr()));
  NABLA_CHECK(0.0 <= o.eps(), ValueError, "Invalid epsilon value: {}", detail::py_float(o.eps()));
  NABLA_CHECK(0.0 <= o.momentum(), ValueError, "Invalid momentum value: {}", detail::py_float(o.momentum()));
  NABLA_CHECK(0.0 <= o.weight_decay(), ValueError, "Invalid weight_decay value: {}",
              detail::py_float(o.weight_decay()));
  NABLA_CHECK(0.0 <= o.alpha(), ValueError, "Invalid alpha value: {}", detail::py_float(o.alpha()));
}

void RMSprop::update() {
  for_each_param<RMSpropOptions>(
      [](const Tensor& p, const Tensor& g, ParamState& state, const RMSpropOptions& o) {
        const Tensor square_avg = state_tensor(state, "square_avg", p);
        const Tensor momentum_buf = o.momentum() > 0 ? state_tensor(state, "momentum_buffer", p) : Tensor();
        const Tensor grad_avg = o.centered() ? state_tensor(state, "grad_avg", p) : Tensor();
        step_counter(state).data_ptr<float>()[0] += 1;  // counted like PyTorch; the update does not use it
        const kernels::RmspropArgs args{o.lr(),       o.alpha(),    o.eps(),     o.weight_decay(),
                                        o.momentum(), o.centered(), o.maximize()};
        kernels::rmsprop_step(p, g, square_avg, grad_avg, momentum_buf, args);
      });
}

template class OptimizerCloneableOptions<RMSpropOptions>;

}  // namespace nabla::optim
