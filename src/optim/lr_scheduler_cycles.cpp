// lr_scheduler_cycles.cpp — the batch-wise and composite schedulers: CosineAnnealingWarmRestarts,
// OneCycleLR, SequentialLR, and the metric-driven ReduceLROnPlateau. Formulas transcribed from
// torch/optim/lr_scheduler.py 1.13 in float64 (Note [Exact schedules] in python_compat.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "nabla/optim/lr_scheduler.h"
#include "optim/json_fields.h"
#include "optim/no_fp_contract.h"  // last: Python never fuses a * b + c
#include "optim/python_compat.h"
#include "util/check.h"

namespace nabla::optim {

using detail::Json;

namespace {
// One value per param group: a single value is broadcast (PyTorch's scalar form).
std::vector<double> per_group(const std::vector<double>& values, size_t groups, const char* name) {
  if (values.size() == 1) return std::vector<double>(groups, values[0]);
  NABLA_CHECK(values.size() == groups, ValueError, "expected {} values for {}, got {}", groups, name,
              values.size());
  return values;
}
}  // namespace

// ---- CosineAnnealingWarmRestarts ----
CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t t_0, int64_t t_mult,
                                                         double eta_min, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch),
      t_0_(t_0),
      t_i_(t_0),
      t_mult_(t_mult),
      eta_min_(eta_min),
      t_cur_(static_cast<double>(last_epoch)) {
  NABLA_CHECK(t_0 > 0, ValueError, "Expected positive integer T_0, but got {}", t_0);
  NABLA_CHECK(t_mult >= 1, ValueError, "Expected integer T_mult >= 1, but got {}", t_mult);
  initial_step();
}

std::vector<double> CosineAnnealingWarmRestarts::get_lr() {
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs;
  for (double base : base_lrs_)
    lrs.push_back(eta_min_ + (base - eta_min_) * (1 + std::cos(pi * t_cur_ / static_cast<double>(t_i_))) / 2);
  return lrs;
}

void CosineAnnealingWarmRestarts::step() {
  if (last_epoch_ < 0) return step(0.0);
  last_epoch_ = last_epoch_ + 1;
  t_cur_ = t_cur_ + 1;
  if (t_cur_ >= static_cast<double>(t_i_)) {
    t_cur_ = t_cur_ - static_cast<double>(t_i_);
    t_i_ = t_i_ * t_mult_;
  }
  apply();
}

void CosineAnnealingWarmRestarts::step(double epoch) {
  NABLA_CHECK(epoch >= 0, ValueError, "Expected non-negative epoch, but got {}", detail::py_float(epoch));
  const double t0 = static_cast<double>(t_0_);
  if (epoch >= t0) {
    if (t_mult_ == 1) {
      t_cur_ = std::fmod(epoch, t0);
    } else {
      const double tm = static_cast<double>(t_mult_);
      const auto n = static_cast<int64_t>(std::log(epoch / t0 * (tm - 1) + 1) / std::log(tm));
      int64_t t_mult_n = 1;
      for (int64_t k = 0; k < n; ++k) t_mult_n *= t_mult_;
      t_cur_ = epoch - static_cast<double>(t_0_ * (t_mult_n - 1)) / static_cast<double>(t_mult_ - 1);
      t_i_ = t_0_ * t_mult_n;
    }
  } else {
    t_i_ = t_0_;
    t_cur_ = epoch;
  }
  last_epoch_ = static_cast<int64_t>(std::floor(epoch));
  apply();
}

void CosineAnnealingWarmRestarts::apply() { apply_lrs(get_lr()); }  // PyTorch does not count these steps

void CosineAnnealingWarmRestarts::visit(FieldVisitor& v) {
  LRScheduler::visit(v);
  v.field("T_0", t_0_);
  v.field("T_i", t_i_);
  v.field("T_mult", t_mult_);
  v.field("eta_min", eta_min_);
  v.field("T_cur", t_cur_);
}

// ---- OneCycleLR ----
OneCycleLR::OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& o)
    : LRScheduler(optimizer, o.last_epoch) {
  NABLA_CHECK(o.total_steps || o.epochs || o.steps_per_epoch, ValueError,
              "You must define either total_steps OR (epochs AND steps_per_epoch)");
  if (o.total_steps) {
    NABLA_CHECK(*o.total_steps > 0, ValueError, "Expected positive integer total_steps, but got {}",
                *o.total_steps);
    total_steps_ = *o.total_steps;
  } else {
    const int64_t epochs = o.epochs.value_or(0), steps = o.steps_per_epoch.value_or(0);
    NABLA_CHECK(epochs > 0, ValueError, "Expected positive integer epochs, but got {}", epochs);
    NABLA_CHECK(steps > 0, ValueError, "Expected positive integer steps_per_epoch, but got {}", steps);
    total_steps_ = epochs * steps;
  }
  const double total = static_cast<double>(total_steps_), last = static_cast<double>(total_steps_ - 1);
  if (o.three_phase)
    phases_ = {{o.pct_start * total - 1, kInitialLr, kMaxLr, kMaxMomentum, kBaseMomentum},
               {2 * o.pct_start * total - 2, kMaxLr, kInitialLr, kBaseMomentum, kMaxMomentum},
               {last, kInitialLr, kMinLr, kMaxMomentum, kMaxMomentum}};
  else
    phases_ = {{o.pct_start * total - 1, kInitialLr, kMaxLr, kMaxMomentum, kBaseMomentum},
               {last, kMaxLr, kMinLr, kBaseMomentum, kMaxMomentum}};
  NABLA_CHECK(!(o.pct_start < 0 || o.pct_start > 1), ValueError,
              "Expected float between 0 and 1 pct_start, but got {}", detail::py_float(o.pct_start));
  NABLA_CHECK(o.anneal_strategy == "cos" || o.anneal_strategy == "linear", ValueError,
              "anneal_strategy must by one of 'cos' or 'linear', instead got {}", o.anneal_strategy);
  anneal_cos_ = o.anneal_strategy == "cos";
  auto& groups = optimizer.param_groups();
  max_lrs_ = per_group(o.max_lr, groups.size(), "max_lr");
  for (size_t i = 0; i < groups.size(); ++i) {
    if (o.last_epoch == -1) groups[i].set_initial_lr(max_lrs_[i] / o.div_factor);
    base_lrs_[i] = *groups[i].initial_lr();
    min_lrs_.push_back(*groups[i].initial_lr() / o.final_div_factor);
  }
  cycle_momentum_ = o.cycle_momentum;
  if (cycle_momentum_) {
    NABLA_CHECK(optimizer.defaults().momentum_kind() != MomentumKind::None, ValueError,
                "optimizer must support momentum with `cycle_momentum` option enabled");
    max_momentums_ = per_group(o.max_momentum, groups.size(), "max_momentum");
    base_momentums_ = per_group(o.base_momentum, groups.size(), "base_momentum");
    if (o.last_epoch == -1)
      for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_momentum(max_momentums_[i]);
  }
  initial_step();
}

double OneCycleLR::value(Key key, size_t group) const {
  switch (key) {
    case kInitialLr:
      return *optimizer_.param_groups()[group].initial_lr();
    case kMaxLr:
      return max_lrs_[group];
    case kMinLr:
      return min_lrs_[group];
    case kMaxMomentum:
      return max_momentums_[group];
    case kBaseMomentum:
      return base_momentums_[group];
  }
  return 0;
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (anneal_cos_) {
    const double cos_out = std::cos(std::numbers::pi * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
  }
  return (end - start) * pct + start;
}

std::vector<double> OneCycleLR::get_lr() {
  NABLA_CHECK(last_epoch_ <= total_steps_, ValueError,
              "Tried to step {} times. The specified number of total steps is {}", last_epoch_ + 1,
              total_steps_);
  const double step_num = static_cast<double>(last_epoch_);
  auto& groups = optimizer_.param_groups();
  std::vector<double> lrs;
  for (size_t g = 0; g < groups.size(); ++g) {
    double start_step = 0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& phase = phases_[i];
      if (step_num <= phase.end_step || i == phases_.size() - 1) {
        const double pct = (step_num - start_step) / (phase.end_step - start_step);
        lrs.push_back(anneal(value(phase.start_lr, g), value(phase.end_lr, g), pct));
        if (cycle_momentum_)
          groups[g].options().set_momentum(
              anneal(value(phase.start_momentum, g), value(phase.end_momentum, g), pct));
        break;
      }
      start_step = phase.end_step;
    }
  }
  return lrs;
}

void OneCycleLR::visit(FieldVisitor& v) {
  LRScheduler::visit(v);
  v.field("total_steps", total_steps_);
  v.field("max_lrs", max_lrs_);
  v.field("min_lrs", min_lrs_);
  v.field("max_momentums", max_momentums_);
  v.field("base_momentums", base_momentums_);
}

// ---- SequentialLR ----
SequentialLR::SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
                           std::vector<int64_t> milestones, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch),
      schedulers_(std::move(schedulers)),
      milestones_(std::move(milestones)) {
  NABLA_CHECK(!schedulers_.empty(), ValueError, "SequentialLR: expected at least one scheduler");
  for (size_t i = 0; i < schedulers_.size(); ++i) {
    NABLA_CHECK(schedulers_[i] != nullptr, ValueError, "SequentialLR: scheduler {} is null", i);
    NABLA_CHECK(
        &schedulers_[i]->optimizer() == &optimizer, ValueError,
        "Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at "
        "index {} to be different than the optimizer passed in.",
        i);
  }
  NABLA_CHECK(
      milestones_.size() == schedulers_.size() - 1, ValueError,
      "Sequential Schedulers expects number of schedulers provided to be one more than the number of "
      "milestone points, but got number of schedulers {} and the number of milestones to be equal to {}",
      schedulers_.size(), milestones_.size());
  last_epoch_ = last_epoch + 1;
  for (auto& group : optimizer.param_groups()) group.set_lr(*group.initial_lr());  // reset to initial values
  for (auto& s : schedulers_) s->last_epoch_ -= 1;  // "undo" the step each performed when constructed
  schedulers_[0]->initial_step();
  last_lr_ = schedulers_[0]->get_last_lr();
}

void SequentialLR::step() {
  ++last_epoch_;
  const size_t idx =
      std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
  LRScheduler& scheduler = *schedulers_[idx];
  if (idx > 0 && milestones_[idx - 1] == last_epoch_)
    scheduler.step(0.0);
  else
    scheduler.step();
  last_lr_ = scheduler.get_last_lr();
}

void SequentialLR::step(double epoch) {
  throw ValueError(fmt::format("SequentialLR.step() takes no epoch (got {})", epoch));
}

void SequentialLR::visit(FieldVisitor& v) {
  v.field("last_epoch", last_epoch_);
  v.field("_milestones", milestones_);
  v.field("_last_lr", last_lr_);
}

std::string SequentialLR::state_dict() const {
  Json j = Json::parse(LRScheduler::state_dict());
  Json children = Json::array();
  for (const auto& s : schedulers_) children.push_back(Json::parse(s->state_dict()));
  j["_schedulers"] = std::move(children);
  return j.dump();
}

void SequentialLR::load_state_dict(const std::string& state_dict) {
  LRScheduler::load_state_dict(state_dict);
  const Json j = Json::parse(state_dict);
  const auto it = j.find("_schedulers");
  if (it == j.end()) return;
  NABLA_CHECK(it->is_array() && it->size() == schedulers_.size(), ValueError,
              "SequentialLR.load_state_dict: expected {} scheduler states", schedulers_.size());
  for (size_t i = 0; i < schedulers_.size(); ++i) schedulers_[i]->load_state_dict((*it)[i].dump());
}

// ---- ReduceLROnPlateau ----
ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options)
    : optimizer_(optimizer), options_(std::move(options)) {
  NABLA_CHECK(options_.factor < 1.0, ValueError, "Factor should be < 1.0.");
  const size_t groups = optimizer.param_groups().size();
  NABLA_CHECK(options_.min_lr.size() == 1 || options_.min_lr.size() == groups, ValueError,
              "expected {} min_lrs, got {}", groups, options_.min_lr.size());
  min_lrs_ = per_group(options_.min_lr, groups, "min_lr");
  validate();
  best_ = options_.mode == "min" ? std::numeric_limits<double>::infinity()
                                 : -std::numeric_limits<double>::infinity();
  for (const auto& g : optimizer.param_groups()) last_lr_.push_back(g.lr());
}

void ReduceLROnPlateau::validate() const {
  NABLA_CHECK(options_.mode == "min" || options_.mode == "max", ValueError, "mode {} is unknown!",
              options_.mode);
  NABLA_CHECK(options_.threshold_mode == "rel" || options_.threshold_mode == "abs", ValueError,
              "threshold mode {} is unknown!", options_.threshold_mode);
}

bool ReduceLROnPlateau::is_better(double a, double best) const {
  const double threshold = options_.threshold;
  if (options_.mode == "min" && options_.threshold_mode == "rel") return a < best * (1. - threshold);
  if (options_.mode == "min") return a < best - threshold;
  if (options_.threshold_mode == "rel") return a > best * (threshold + 1.);
  return a > best + threshold;
}

void ReduceLROnPlateau::step(double metric) {
  last_epoch_ = last_epoch_ + 1;
  if (is_better(metric, best_)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    num_bad_epochs_ += 1;
  }
  if (in_cooldown()) {
    cooldown_counter_ -= 1;
    num_bad_epochs_ = 0;  // ignore any bad epochs in cooldown
  }
  if (num_bad_epochs_ > options_.patience) {
    reduce_lr();
    cooldown_counter_ = options_.cooldown;
    num_bad_epochs_ = 0;
  }
  last_lr_.clear();
  for (const auto& g : optimizer_.param_groups()) last_lr_.push_back(g.lr());
}

void ReduceLROnPlateau::reduce_lr() {
  auto& groups = optimizer_.param_groups();
  for (size_t i = 0; i < groups.size() && i < min_lrs_.size(); ++i) {
    const double old_lr = groups[i].lr();
    const double new_lr = std::max(old_lr * options_.factor, min_lrs_[i]);
    if (old_lr - new_lr > options_.eps) groups[i].set_lr(new_lr);
  }
}

void ReduceLROnPlateau::visit(FieldVisitor& v) {
  v.field("mode", options_.mode);
  v.field("factor", options_.factor);
  v.field("patience", options_.patience);
  v.field("threshold", options_.threshold);
  v.field("threshold_mode", options_.threshold_mode);
  v.field("cooldown", options_.cooldown);
  v.field("min_lrs", min_lrs_);
  v.field("eps", options_.eps);
  v.field("best", best_);
  v.field("num_bad_epochs", num_bad_epochs_);
  v.field("cooldown_counter", cooldown_counter_);
  v.field("last_epoch", last_epoch_);
  v.field("_last_lr", last_lr_);
}

std::string ReduceLROnPlateau::state_dict() const {
  Json j = Json::object();
  j["type"] = "ReduceLROnPlateau";
  detail::JsonWriter writer(j);
  const_cast<ReduceLROnPlateau*>(this)->visit(writer);  // the writer only reads the fields
  return j.dump();
}

void ReduceLROnPlateau::load_state_dict(const std::string& state_dict) {
  const Json j = detail::parse_object(state_dict, "ReduceLROnPlateau.load_state_dict");
  const std::string type = detail::string_or_unknown(j, "type");
  NABLA_CHECK(type == "ReduceLROnPlateau", ValueError,
              "load_state_dict: the state dict is for a {}, not a "
              "ReduceLROnPlateau",
              type);
  detail::JsonReader reader(j, "ReduceLROnPlateau.load_state_dict");
  visit(reader);
  validate();
}

}  // namespace nabla::optim
