// torch/optim.h — LibTorch's torch::optim on nabla's optimizers. The option classes are LibTorch's
// (SGDOptions(0.01).momentum(0.9), AdamOptions(2e-4).betas(std::make_tuple(0.5, 0.999)), ...) and derive
// from nabla's, so every param group's options() can be static_cast to them as in LibTorch; the
// optimizers derive from nabla's (the update rules are nabla's, equal to PyTorch's) and from
// torch::optim::Optimizer, LibTorch's interface (step, zero_grad, param_groups, defaults, parameters,
// size, add_param_group). Every torch optimizer is a nabla::optim::Optimizer (state_dict /
// load_state_dict), and a torch::optim::Optimizer& converts to one.
//   torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.5));
//   torch::optim::StepLR sched(opt, /*step_size=*/10, /*gamma=*/0.1);
//   static_cast<torch::optim::SGDOptions&>(opt.param_groups()[0].options()).lr(0.1);
// Differences from LibTorch 1.13: errors are nabla's exceptions (ValueError, ...), not c10::Error;
// state() takes a parameter and returns nabla's ParamState (a name -> Tensor map) instead of LibTorch's
// map of OptimizerParamState objects; add_parameters() adds a new group with group 0's options;
// parameters() is read-only; there is no LBFGS and no serialize(archive) on options; a custom optimizer
// cannot derive from torch::optim::Optimizer (it has no param_groups_ / state_ members to fill).
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "nabla/optim/optim.h"
#include "nabla/tensor/std_function.h"
#include "torch/types.h"

namespace torch::optim {

using nabla::optim::OptimizerCloneableOptions;
using nabla::optim::OptimizerOptions;
using nabla::optim::OptimizerParamGroup;
using nabla::optim::OptimizerStateDict;
using nabla::optim::ParamState;

// LibTorch's optimizer interface. The concrete optimizers below implement it on a nabla optimizer.
class Optimizer {
 public:
  using LossClosure = std::function<Tensor()>;
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Re-evaluates the loss with `closure` (grad mode on) when given and returns it, then updates every
  // parameter that has a gradient.
  virtual Tensor step(LossClosure closure = nullptr) = 0;
  // LibTorch 1.13 zeroes the gradients (they stay defined); zero_grad(true) clears them (LibTorch 2.x).
  void zero_grad(bool set_to_none = false) { impl_.zero_grad(set_to_none); }
  void add_param_group(const OptimizerParamGroup& param_group) { impl_.add_param_group(param_group); }
  // Deprecated in LibTorch. Here: a new group holding `parameters`, with a copy of group 0's options.
  void add_parameters(const std::vector<Tensor>& parameters) {
    impl_.add_param_group(OptimizerParamGroup(parameters, impl_.param_groups().at(0).options().clone()));
  }
  // The parameters of the first group.
  const std::vector<Tensor>& parameters() const { return impl_.param_groups().at(0).params(); }
  // The number of parameters over all groups.
  size_t size() const noexcept {
    size_t count = 0;
    for (const auto& group : impl_.param_groups()) count += group.params().size();
    return count;
  }
  OptimizerOptions& defaults() noexcept { return const_cast<OptimizerOptions&>(impl_.defaults()); }
  const OptimizerOptions& defaults() const noexcept { return impl_.defaults(); }
  std::vector<OptimizerParamGroup>& param_groups() noexcept { return impl_.param_groups(); }
  const std::vector<OptimizerParamGroup>& param_groups() const noexcept { return impl_.param_groups(); }
  // The state of `param` ("momentum_buffer", "exp_avg", "step", ...); nullptr when it is not optimized here.
  const ParamState* state(const Tensor& param) const { return impl_.state(param); }
  OptimizerStateDict state_dict() const { return impl_.state_dict(); }
  void load_state_dict(const OptimizerStateDict& state_dict) { impl_.load_state_dict(state_dict); }

  // The nabla optimizer (torch::save / torch::load use its state_dict / load_state_dict).
  nabla::optim::Optimizer& nabla_optimizer() noexcept { return impl_; }
  const nabla::optim::Optimizer& nabla_optimizer() const noexcept { return impl_; }
  operator nabla::optim::Optimizer&() noexcept { return impl_; }              // NOLINT
  operator const nabla::optim::Optimizer&() const noexcept { return impl_; }  // NOLINT

 protected:
  explicit Optimizer(nabla::optim::Optimizer& impl) : impl_(impl) {}

 private:
  nabla::optim::Optimizer& impl_;
};

namespace detail {

// A nabla optimizer with LibTorch's interface on top; Options is the torch options class.
template <typename NablaOptimizer, typename Options>
class OptimizerAdapter : public NablaOptimizer, public ::torch::optim::Optimizer {
  using Interface = ::torch::optim::Optimizer;

 public:
  using LossClosure = Interface::LossClosure;
  Tensor step(LossClosure closure = nullptr) override { return NablaOptimizer::step(closure); }
  using Interface::add_param_group;
  using Interface::defaults;
  using Interface::load_state_dict;
  using Interface::param_groups;
  using Interface::state;
  using Interface::state_dict;
  using Interface::zero_grad;

 protected:
  OptimizerAdapter(std::vector<OptimizerParamGroup> param_groups, const Options& defaults)
      : NablaOptimizer(std::move(param_groups), defaults.clone(), 0),
        Interface(static_cast<nabla::optim::Optimizer&>(*this)) {}
  static std::vector<OptimizerParamGroup> one_group(std::vector<Tensor> params) {
    return NablaOptimizer::single_group(std::move(params));
  }
};

}  // namespace detail

// A LibTorch option field over the nabla base class's: o.name(v) sets it and returns the torch options
// (so chains keep the torch type), o.name() reads it (by reference, as TORCH_ARG).
#define NABLA_TORCH_OPTIM_ARG(Self, T, name)              \
 public:                                                  \
  Self& name(const T& value) {                            \
    Base::name(value);                                    \
    return *this;                                         \
  }                                                       \
  const T& name() const noexcept { return Base::name(); } \
  T& name() noexcept { return const_cast<T&>(Base::name()); /* NOLINT: our own field */ }

// clone() makes the torch type, so groups built from these options keep it (static_cast works). Out of
// line (src/torch/optim.cpp), as the key function: the class's vtable is compiled once, in the library.
#define NABLA_TORCH_OPTIM_CLONE(Self) \
 public:                              \
  std::unique_ptr<OptimizerOptions> clone() const override;

// ---- SGD ----
class SGDOptions : public nabla::optim::SGDOptions {
  using Base = nabla::optim::SGDOptions;

 public:
  SGDOptions(double lr) : Base(lr) {}  // NOLINT: implicit, as LibTorch
  NABLA_TORCH_OPTIM_ARG(SGDOptions, double, lr)
  NABLA_TORCH_OPTIM_ARG(SGDOptions, double, momentum)
  NABLA_TORCH_OPTIM_ARG(SGDOptions, double, dampening)
  NABLA_TORCH_OPTIM_ARG(SGDOptions, double, weight_decay)
  NABLA_TORCH_OPTIM_ARG(SGDOptions, bool, nesterov)
  NABLA_TORCH_OPTIM_ARG(SGDOptions, bool, maximize)
  NABLA_TORCH_OPTIM_CLONE(SGDOptions)
  friend bool operator==(const SGDOptions& a, const SGDOptions& b) {
    return a.lr() == b.lr() && a.momentum() == b.momentum() && a.dampening() == b.dampening() &&
           a.weight_decay() == b.weight_decay() && a.nesterov() == b.nesterov() &&
           a.maximize() == b.maximize();
  }
};

extern template class detail::OptimizerAdapter<nabla::optim::SGD, SGDOptions>;
class SGD : public detail::OptimizerAdapter<nabla::optim::SGD, SGDOptions> {
 public:
  explicit SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults);
  explicit SGD(std::vector<Tensor> params, SGDOptions defaults);
  ~SGD() override;  // out of line, with the constructors: the vtable is compiled once, in the library
};

// ---- Adam / AdamW: betas is LibTorch's std::tuple (nabla stores a pair) ----
#define NABLA_TORCH_OPTIM_BETAS(Self)                      \
 public:                                                   \
  using betas_t = std::tuple<double, double>;              \
  Self& betas(const betas_t& value) {                      \
    Base::betas({std::get<0>(value), std::get<1>(value)}); \
    return *this;                                          \
  }                                                        \
  betas_t betas() const { return {Base::betas().first, Base::betas().second}; }

class AdamOptions : public nabla::optim::AdamOptions {
  using Base = nabla::optim::AdamOptions;

 public:
  AdamOptions(double lr = 1e-3) : Base(lr) {}  // NOLINT: implicit, as LibTorch
  NABLA_TORCH_OPTIM_ARG(AdamOptions, double, lr)
  NABLA_TORCH_OPTIM_BETAS(AdamOptions)
  NABLA_TORCH_OPTIM_ARG(AdamOptions, double, eps)
  NABLA_TORCH_OPTIM_ARG(AdamOptions, double, weight_decay)
  NABLA_TORCH_OPTIM_ARG(AdamOptions, bool, amsgrad)
  NABLA_TORCH_OPTIM_ARG(AdamOptions, bool, maximize)
  NABLA_TORCH_OPTIM_CLONE(AdamOptions)
  friend bool operator==(const AdamOptions& a, const AdamOptions& b) {
    return a.lr() == b.lr() && a.betas() == b.betas() && a.eps() == b.eps() &&
           a.weight_decay() == b.weight_decay() && a.amsgrad() == b.amsgrad() && a.maximize() == b.maximize();
  }
};

extern template class detail::OptimizerAdapter<nabla::optim::Adam, AdamOptions>;
class Adam : public detail::OptimizerAdapter<nabla::optim::Adam, AdamOptions> {
 public:
  explicit Adam(std::vector<OptimizerParamGroup> param_groups, AdamOptions defaults = {});
  explicit Adam(std::vector<Tensor> params, AdamOptions defaults = {});
  ~Adam() override;  // out of line, with the constructors: the vtable is compiled once, in the library
};

class AdamWOptions : public nabla::optim::AdamWOptions {
  using Base = nabla::optim::AdamWOptions;

 public:
  AdamWOptions(double lr = 1e-3) : Base(lr) {}  // NOLINT: implicit, as LibTorch
  NABLA_TORCH_OPTIM_ARG(AdamWOptions, double, lr)
  NABLA_TORCH_OPTIM_BETAS(AdamWOptions)
  NABLA_TORCH_OPTIM_ARG(AdamWOptions, double, eps)
  NABLA_TORCH_OPTIM_ARG(AdamWOptions, double, weight_decay)
  NABLA_TORCH_OPTIM_ARG(AdamWOptions, bool, amsgrad)
  NABLA_TORCH_OPTIM_ARG(AdamWOptions, bool, maximize)
  NABLA_TORCH_OPTIM_CLONE(AdamWOptions)
  friend bool operator==(const AdamWOptions& a, const AdamWOptions& b) {
    return a.lr() == b.lr() && a.betas() == b.betas() && a.eps() == b.eps() &&
           a.weight_decay() == b.weight_decay() && a.amsgrad() == b.amsgrad() && a.maximize() == b.maximize();
  }
};

extern template class detail::OptimizerAdapter<nabla::optim::AdamW, AdamWOptions>;
class AdamW : public detail::OptimizerAdapter<nabla::optim::AdamW, AdamWOptions> {
 public:
  explicit AdamW(std::vector<OptimizerParamGroup> param_groups, AdamWOptions defaults = {});
  explicit AdamW(std::vector<Tensor> params, AdamWOptions defaults = {});
  ~AdamW() override;  // out of line, with the constructors: the vtable is compiled once, in the library
};

// ---- RMSprop ----
class RMSpropOptions : public nabla::optim::RMSpropOptions {
  using Base = nabla::optim::RMSpropOptions;

 public:
  RMSpropOptions(double lr = 1e-2) : Base(lr) {}  // NOLINT: implicit, as LibTorch
  NABLA_TORCH_OPTIM_ARG(RMSpropOptions, double, lr)
  NABLA_TORCH_OPTIM_ARG(RMSpropOptions, double, alpha)
  NABLA_TORCH_OPTIM_ARG(RMSpropOptions, double, eps)
  NABLA_TORCH_OPTIM_ARG(RMSpropOptions, double, weight_decay)
  NABLA_TORCH_OPTIM_ARG(RMSpropOptions, double, momentum)
  NABLA_TORCH_OPTIM_ARG(RMSpropOptions, bool, centered)
  NABLA_TORCH_OPTIM_ARG(RMSpropOptions, bool, maximize)
  NABLA_TORCH_OPTIM_CLONE(RMSpropOptions)
  friend bool operator==(const RMSpropOptions& a, const RMSpropOptions& b) {
    return a.lr() == b.lr() && a.alpha() == b.alpha() && a.eps() == b.eps() &&
           a.weight_decay() == b.weight_decay() && a.momentum() == b.momentum() &&
           a.centered() == b.centered() && a.maximize() == b.maximize();
  }
};

extern template class detail::OptimizerAdapter<nabla::optim::RMSprop, RMSpropOptions>;
class RMSprop : public detail::OptimizerAdapter<nabla::optim::RMSprop, RMSpropOptions> {
 public:
  explicit RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults = {});
  explicit RMSprop(std::vector<Tensor> params, RMSpropOptions defaults = {});
  ~RMSprop() override;  // out of line, with the constructors: the vtable is compiled once, in the library
};

// ---- Adagrad ----
class AdagradOptions : public nabla::optim::AdagradOptions {
  using Base = nabla::optim::AdagradOptions;

 public:
  AdagradOptions(double lr = 1e-2) : Base(lr) {}  // NOLINT: implicit, as LibTorch
  NABLA_TORCH_OPTIM_ARG(AdagradOptions, double, lr)
  NABLA_TORCH_OPTIM_ARG(AdagradOptions, double, lr_decay)
  NABLA_TORCH_OPTIM_ARG(AdagradOptions, double, weight_decay)
  NABLA_TORCH_OPTIM_ARG(AdagradOptions, double, initial_accumulator_value)
  NABLA_TORCH_OPTIM_ARG(AdagradOptions, double, eps)
  NABLA_TORCH_OPTIM_ARG(AdagradOptions, bool, maximize)
  NABLA_TORCH_OPTIM_CLONE(AdagradOptions)
  friend bool operator==(const AdagradOptions& a, const AdagradOptions& b) {
    return a.lr() == b.lr() && a.lr_decay() == b.lr_decay() && a.weight_decay() == b.weight_decay() &&
           a.initial_accumulator_value() == b.initial_accumulator_value() && a.eps() == b.eps() &&
           a.maximize() == b.maximize();
  }
};

extern template class detail::OptimizerAdapter<nabla::optim::Adagrad, AdagradOptions>;
class Adagrad : public detail::OptimizerAdapter<nabla::optim::Adagrad, AdagradOptions> {
 public:
  explicit Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults = {});
  explicit Adagrad(std::vector<Tensor> params, AdagradOptions defaults = {});
  ~Adagrad() override;  // out of line, with the constructors: the vtable is compiled once, in the library
};

#undef NABLA_TORCH_OPTIM_ARG
#undef NABLA_TORCH_OPTIM_CLONE
#undef NABLA_TORCH_OPTIM_BETAS

// ---- LR schedulers, LibTorch's (not PyTorch's): construction does not step; step() calls get_lrs() with
// step_count_ = the number of earlier step() calls and writes the result into the param groups. ----
class LRScheduler {
 public:
  LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {}  // NOLINT: as LibTorch
  virtual ~LRScheduler();  // out of line (src/torch/optim.cpp), as the schedulers' other bodies
  void step() {
    set_optimizer_lrs(get_lrs());
    ++step_count_;
  }

 protected:
  // One lr per param group, for the step about to be taken.
  virtual std::vector<double> get_lrs() = 0;
  std::vector<double> get_current_lrs() const;
  unsigned step_count_ = 0;  // NOLINT: LibTorch's protected field, read by subclasses

 private:
  void set_optimizer_lrs(const std::vector<double>& lrs);
  Optimizer& optimizer_;
};

// LibTorch's StepLR: lr *= gamma on the step() calls after which step_count_ is a positive multiple of
// step_size — the (step_size + 1)-th call, then every step_size calls. (PyTorch's StepLR, which steps on
// construction, decays one call earlier: that is nabla::optim::StepLR.)
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, const unsigned step_size, const double gamma = 0.1);

 private:
  std::vector<double> get_lrs() override;
  const unsigned step_size_;
  const double gamma_;
};

// LibTorch 2.x's ReduceLROnPlateauScheduler, on nabla::optim::ReduceLROnPlateau (PyTorch's algorithm).
class ReduceLROnPlateauScheduler {
 public:
  enum SchedulerMode { min, max };
  enum ThresholdMode { rel, abs };
  ReduceLROnPlateauScheduler(Optimizer& optimizer, SchedulerMode mode = min, float factor = 0.1,
                             int patience = 10, double threshold = 1e-4, ThresholdMode threshold_mode = rel,
                             int cooldown = 0, const std::vector<float>& min_lr = std::vector<float>(),
                             double eps = 1e-8, bool verbose = false);
  virtual ~ReduceLROnPlateauScheduler();
  void step(float metric) { impl_.step(metric); }
  nabla::optim::ReduceLROnPlateau& nabla_scheduler() noexcept { return impl_; }

 private:
  nabla::optim::ReduceLROnPlateau impl_;
};

}  // namespace torch::optim
