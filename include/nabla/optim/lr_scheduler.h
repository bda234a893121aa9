// lr_scheduler.h — learning-rate schedulers (torch.optim.lr_scheduler 1.13): same names, arguments,
// defaults and float64 formulas — chainable (recursive) forms on step(), closed forms on step(epoch) —
// so the lr sequence equals PyTorch's. They work on every Optimizer through its param groups' lr.
//   optim::SGD opt(params, optim::SGDOptions(0.1).momentum(0.9));
//   optim::StepLR sched(opt, /*step_size=*/30, /*gamma=*/0.1);
//   for (epoch...) { train(opt); sched.step(); }
// Like PyTorch, constructing a scheduler performs its first step (sets each group's lr for epoch 0),
// and the first scheduler attached records each group's initial_lr. To resume, construct the
// optimizer and scheduler as before, then load both state dicts (the optimizer's restores the lrs).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/optim/optimizer.h"
#include "nabla/tensor/std_function.h"

namespace nabla::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  virtual std::string name() const = 0;  // "StepLR", ...
  // Advances one epoch (one batch for OneCycleLR) and writes the new lr into every param group.
  virtual void step();
  // Jumps to `epoch` (deprecated in PyTorch, same semantics): uses the closed form when there is one.
  // Fractional epochs only for CosineAnnealingWarmRestarts.
  virtual void step(double epoch);
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  Optimizer& optimizer() const { return optimizer_; }
  // JSON of the scheduler's fields (PyTorch's state_dict; LambdaLR's functions are not saved).
  virtual std::string state_dict() const;
  virtual void load_state_dict(const std::string& state_dict);

 protected:
  // last_epoch = -1 starts a schedule (and sets missing initial_lr); otherwise every group needs an
  // initial_lr (ValueError). Subclass constructors set their fields, then call initial_step().
  LRScheduler(Optimizer& optimizer, int64_t last_epoch);
  void initial_step();                       // PyTorch's _initial_step
  virtual std::vector<double> get_lr() = 0;  // chainable form, at last_epoch_
  virtual std::optional<std::vector<double>> closed_form_lr() const { return std::nullopt; }
  virtual void visit(FieldVisitor& v);  // saved fields; overrides call this first
  std::vector<double> group_lrs() const;
  void apply_lrs(const std::vector<double>& lrs);  // sets the groups' lr and last_lr_

  Optimizer& optimizer_;
  int64_t last_epoch_;
  int64_t step_count_ = 0;
  std::vector<double> base_lrs_, last_lr_;

  friend class SequentialLR;
};

// lr = base_lr * lr_lambda(epoch); one function for all groups or one per group.
class LambdaLR : public LRScheduler {
 public:
  using LrLambda = std::function<double(int64_t)>;
  LambdaLR(Optimizer& optimizer, LrLambda lr_lambda, int64_t last_epoch = -1);
  LambdaLR(Optimizer& optimizer, std::vector<LrLambda> lr_lambdas, int64_t last_epoch = -1);
  std::string name() const override { return "LambdaLR"; }

 protected:
  std::vector<double> get_lr() override;

 private:
  std::vector<LrLambda> lr_lambdas_;
};

// lr *= gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1, int64_t last_epoch = -1);
  std::string name() const override { return "StepLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;
  void visit(FieldVisitor& v) override;

 private:
  int64_t step_size_;
  double gamma_;
};

// lr *= gamma at each milestone (a milestone listed twice multiplies by gamma^2).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1,
              int64_t last_epoch = -1);
  std::string name() const override { return "MultiStepLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;
  void visit(FieldVisitor& v) override;

 private:
  std::vector<int64_t> milestones_;  // sorted, with repeats
  double gamma_;
};

// lr *= gamma every epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma, int64_t last_epoch = -1);
  std::string name() const override { return "ExponentialLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;
  void visit(FieldVisitor& v) override;

 private:
  double gamma_;
};

// lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2, in PyTorch's recursive form.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min = 0, int64_t last_epoch = -1);
  std::string name() const override { return "CosineAnnealingLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;
  void visit(FieldVisitor& v) override;

 private:
  int64_t t_max_;
  double eta_min_;
};

// The lr factor moves linearly from start_factor to end_factor over total_iters epochs (warm-up).
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0,
           int64_t total_iters = 5, int64_t last_epoch = -1);
  std::string name() const override { return "LinearLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;
  void visit(FieldVisitor& v) override;

 private:
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

// SGDR: cosine annealing restarted every T_i epochs, T_0 first, then T_i *= T_mult.
class CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t t_0, int64_t t_mult = 1, double eta_min = 0,
                              int64_t last_epoch = -1);
  std::string name() const override { return "CosineAnnealingWarmRestarts"; }
  void step() override;
  void step(double epoch) override;  // fractional epochs allowed (epoch + batch / batches_per_epoch)

 protected:
  std::vector<double> get_lr() override;
  void visit(FieldVisitor& v) override;

 private:
  void apply();
  int64_t t_0_, t_i_, t_mult_;
  double eta_min_, t_cur_;
};

struct OneCycleLROptions {
  std::vector<double> max_lr = {};                    // one value for all groups, or one per group
  std::optional<int64_t> total_steps = std::nullopt;  // or epochs * steps_per_epoch
  std::optional<int64_t> epochs = std::nullopt;
  std::optional<int64_t> steps_per_epoch = std::nullopt;
  double pct_start = 0.3;
  std::string anneal_strategy = "cos";  // "cos" | "linear"
  bool cycle_momentum = true;           // momentum (SGD, RMSprop) or beta1 (Adam, AdamW)
  std::vector<double> base_momentum = {0.85};
  std::vector<double> max_momentum = {0.95};
  double div_factor = 25;
  double final_div_factor = 1e4;
  bool three_phase = false;
  int64_t last_epoch = -1;
};

// The 1cycle policy, stepped once per batch: lr rises from max_lr / div_factor to max_lr, then anneals
// to initial_lr / final_div_factor; momentum moves inversely.
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options);
  std::string name() const override { return "OneCycleLR"; }
  int64_t total_steps() const { return total_steps_; }

 protected:
  std::vector<double> get_lr() override;
  void visit(FieldVisitor& v) override;

 private:
  enum Key : int8_t { kInitialLr, kMaxLr, kMinLr, kMaxMomentum, kBaseMomentum };
  struct Phase {
    double end_step;
    Key start_lr, end_lr, start_momentum, end_momentum;
  };
  double value(Key key, size_t group) const;
  double anneal(double start, double end, double pct) const;
  int64_t total_steps_;
  std::vector<Phase> phases_;
  bool anneal_cos_, cycle_momentum_;
  std::vector<double> max_lrs_, min_lrs_, max_momentums_, base_momentums_;
};

// Runs schedulers one after another: schedulers[i] from milestones[i-1] on (restarted at epoch 0 there).
class SequentialLR : public LRScheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
               std::vector<int64_t> milestones, int64_t last_epoch = -1);
  std::string name() const override { return "SequentialLR"; }
  void step() override;
  void step(double epoch) override;  // ValueError: SequentialLR has no closed form
  std::string state_dict() const override;
  void load_state_dict(const std::string& state_dict) override;

 protected:
  std::vector<double> get_lr() override { return last_lr_; }
  void visit(FieldVisitor& v) override;

 private:
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
  std::vector<int64_t> milestones_;
};

struct ReduceLROnPlateauOptions {
  std::string mode = "min";  // "min": the metric should decrease; "max": increase
  double factor = 0.1;       // new_lr = lr * factor
  int64_t patience = 10;     // epochs without improvement before reducing
  double threshold = 1e-4;
  std::string threshold_mode = "rel";  // "rel" | "abs"
  int64_t cooldown = 0;                // epochs to wait after a reduction
  std::vector<double> min_lr = {0.0};  // one value for all groups, or one per group
  double eps = 1e-8;                   // smaller lr changes are ignored
};

// Reduces the lr when a metric has stopped improving; step(metric) once per epoch.
class ReduceLROnPlateau {
 public:
  explicit ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});
  void step(double metric);
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  double best() const { return best_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }
  bool in_cooldown() const { return cooldown_counter_ > 0; }
  std::string state_dict() const;
  void load_state_dict(const std::string& state_dict);

 private:
  void validate() const;
  bool is_better(double a, double best) const;
  void reduce_lr();
  void visit(FieldVisitor& v);
  Optimizer& optimizer_;
  ReduceLROnPlateauOptions options_;
  std::vector<double> min_lrs_, last_lr_;
  double best_;
  int64_t num_bad_epochs_ = 0, cooldown_counter_ = 0, last_epoch_ = 0;
};

}  // namespace nabla::optim
