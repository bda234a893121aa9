// optimizer.h — the Optimizer base shared by SGD, Adam, AdamW, RMSprop and Adagrad: parameter groups,
// zero_grad, step (with an optional closure), state_dict / load_state_dict. torch.optim 1.13 is the
// spec. nabla's options are aggregates (PyTorch's keyword arguments as designated initializers):
//   optim::SGD opt(model.parameters(), {.lr = 0.01, .momentum = 0.9, .nesterov = true});
//   optim::Adam adam({{{w}, {.lr = 1e-3}}, {{b}}}, {.lr = 1e-2});  // groups: b takes the defaults
// The chainable LibTorch-style classes (optim::SGDOptions(0.01).momentum(0.9)) are kept for code
// ported from LibTorch. See docs/optim.md for the state_dict format and the few deviations from PyTorch.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "nabla/tensor/std_function.h"
#include "nabla/tensor/tensor.h"

namespace nabla::optim {

// Visits the named fields of an object; the same visit() both saves and loads them (state dicts are
// JSON, built inside the library, so no JSON type appears in a public header).
class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  virtual void field(const char* name, double& value) = 0;
  virtual void field(const char* name, int64_t& value) = 0;
  virtual void field(const char* name, bool& value) = 0;
  virtual void field(const char* name, std::string& value) = 0;
  virtual void field(const char* name, std::pair<double, double>& value) = 0;
  virtual void field(const char* name, std::vector<double>& value) = 0;
  virtual void field(const char* name, std::vector<int64_t>& value) = 0;
};

// Declares a chainable hyper-parameter: `SGDOptions(0.1).momentum(0.9)` sets it, `o.momentum()` reads it.
#define NABLA_OPTIM_ARG(Self, T, name, default_value) \
 public:                                              \
  Self& name(T value) {                               \
    name##_ = std::move(value);                       \
    return *this;                                     \
  }                                                   \
  const T& name() const { return name##_; }           \
                                                      \
 private:                                             \
  T name##_ = default_value

// What OneCycleLR's cycle_momentum cycles: SGD's and RMSprop's momentum, Adam's and AdamW's beta1.
enum class MomentumKind { None, Momentum, Beta1 };

// Hyper-parameters of one parameter group.
class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  virtual void visit(FieldVisitor& v) = 0;  // every hyper-parameter, by its PyTorch name
  virtual MomentumKind momentum_kind() const { return MomentumKind::None; }
  virtual double get_momentum() const;  // ValueError when momentum_kind() is None
  virtual void set_momentum(double momentum);
  std::string to_json() const;  // {"lr": 0.01, "momentum": 0.9, ...}
};

// Implements clone / get_lr / set_lr for an options class with an `lr` argument.
template <typename Derived>
class OptimizerCloneableOptions : public OptimizerOptions {
 public:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
  double get_lr() const override { return static_cast<const Derived&>(*this).lr(); }
  void set_lr(double lr) override { static_cast<Derived&>(*this).lr(lr); }
};

// A parameter group in nabla's style, for an optimizer whose aggregate options are `Config`:
//   {{w1, w2}}                 the optimizer's defaults
//   {{b}, {.lr = 1e-2}}        its own options (they replace the defaults as a whole, as in LibTorch)
template <typename Config>
struct ParamGroup {
  ParamGroup(std::vector<Tensor> params) : params(std::move(params)) {}  // NOLINT: implicit, like a bare list
  ParamGroup(std::vector<Tensor> params, const Config& options)
      : params(std::move(params)), options(options) {}
  std::vector<Tensor> params;
  std::optional<Config> options;  // unset: the optimizer's defaults
};

// A list of parameters with LibTorch-style options (the optimizer's defaults when none are given).
class OptimizerParamGroup {
 public:
  OptimizerParamGroup(std::vector<Tensor> params);  // NOLINT: implicit, like a bare list in PyTorch
  template <typename O, std::enable_if_t<std::is_base_of_v<OptimizerOptions, O>, int> = 0>
  OptimizerParamGroup(std::vector<Tensor> params, const O& options)
      : params_(std::move(params)), options_(options.clone()) {}
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options);
  OptimizerParamGroup(const OptimizerParamGroup& other);  // deep-copies the options
  OptimizerParamGroup& operator=(const OptimizerParamGroup& other);
  OptimizerParamGroup(OptimizerParamGroup&&) noexcept = default;
  OptimizerParamGroup& operator=(OptimizerParamGroup&&) noexcept = default;
  ~OptimizerParamGroup() = default;

  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }
  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions& options();  // ValueError before the group is added to an optimizer without options
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }
  double lr() const { return options().get_lr(); }
  void set_lr(double lr) { options().set_lr(lr); }
  // PyTorch's group['initial_lr']: set by the first LR scheduler attached to the optimizer.
  const std::optional<double>& initial_lr() const { return initial_lr_; }
  void set_initial_lr(std::optional<double> lr) { initial_lr_ = lr; }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
  std::optional<double> initial_lr_;
};

// The state of one parameter, by PyTorch's names: "step", "momentum_buffer", "exp_avg", ...
using ParamState = std::map<std::string, Tensor>;

// Everything an optimizer needs to resume bit-for-bit; safetensors-ready. `tensors` holds
// "state.<index>.<name>" where <index> counts the parameters across all groups in order (PyTorch's
// packing); `json` holds {"optimizer": "SGD", "param_groups": [{"lr": ..., "params": [0, 1]}, ...]}.
struct OptimizerStateDict {
  std::map<std::string, Tensor> tensors;
  std::string json;
};

class Optimizer {
 public:
  using LossClosure = std::function<Tensor()>;
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual std::string name() const = 0;  // "SGD", "Adam", ...
  // Updates every parameter that has a gradient. A closure re-evaluates the loss first (with grad
  // mode on) and its result is returned; without one the result is an undefined Tensor.
  Tensor step(const LossClosure& closure = nullptr);
  // Clears (set_to_none) or zeroes the gradients of all parameters.
  void zero_grad(bool set_to_none = true);
  // ValueError for a non-leaf tensor, a parameter already optimized, or invalid options.
  void add_param_group(OptimizerParamGroup group);
  std::vector<OptimizerParamGroup>& param_groups() { return groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const { return groups_; }
  const OptimizerOptions& defaults() const { return *defaults_; }
  // The state of `param` (empty before its first step); nullptr when this optimizer does not own it.
  const ParamState* state(const Tensor& param) const;

  OptimizerStateDict state_dict() const;
  // Restores options, initial_lr and per-parameter state (copied, cast to each parameter's dtype).
  // ValueError when the dict is for another optimizer or its groups do not match.
  void load_state_dict(const OptimizerStateDict& state_dict);

  // Helpers for optimizer implementations: zero-filled state like `param` (contiguous); state[name],
  // created zero-filled when missing; the 0-d float32 "step" counter (PyTorch's), created at 0.
  static Tensor zeros_state(const Tensor& param);
  static Tensor& state_tensor(ParamState& state, const std::string& name, const Tensor& param);
  static Tensor& step_counter(ParamState& state);

 protected:
  explicit Optimizer(std::unique_ptr<OptimizerOptions> defaults);
  // Subclass constructors call this (virtual calls do not reach a subclass from the base constructor).
  void init_groups(std::vector<OptimizerParamGroup> groups);
  // A plain parameter list as one group; ValueError when it is empty (PyTorch's check).
  static std::vector<OptimizerParamGroup> single_group(std::vector<Tensor> params);
  virtual void update() = 0;                                              // one step; runs under NoGradGuard
  virtual void validate(const OptimizerOptions& options) const = 0;       // ValueError, PyTorch's messages
  virtual bool options_match(const OptimizerOptions& options) const = 0;  // is it our options type?

  // Calls f(param, grad, state, options) for each parameter with a gradient, group by group, with
  // `param` and `grad` contiguous (copied in and out around f when they are not), then bumps the
  // parameter's version counter (f writes it in place).
  template <typename Options, typename F>
  void for_each_param(F&& f) {
    for (size_t g = 0; g < groups_.size(); ++g) {
      const auto& options = static_cast<const Options&>(groups_[g].options());
      for (size_t i = 0; i < groups_[g].params().size(); ++i) {
        const Tensor& p = groups_[g].params()[i];
        const Tensor& grad = p.grad();
        if (!grad.defined()) continue;
        check_grad(p, grad);
        Tensor pc = p.contiguous();
        f(pc, grad.contiguous(), state_[g][i], options);
        finish_update(p, pc);
      }
    }
  }

 private:
  void check_grad(const Tensor& param, const Tensor& grad) const;
  void load_state_dict_impl(const OptimizerStateDict& state_dict);
  static void finish_update(const Tensor& param, const Tensor& updated);
  std::unique_ptr<OptimizerOptions> defaults_;
  std::vector<OptimizerParamGroup> groups_;
  std::vector<std::vector<ParamState>> state_;  // parallel to groups_[g].params()
};

}  // namespace nabla::optim
