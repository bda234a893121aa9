// lr_scheduler.cpp — the LRScheduler base and the epoch-wise schedulers (LambdaLR, StepLR,
// MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR). Every formula is torch/optim/lr_scheduler.py
// (1.13) transcribed with the same float64 operations in the same order — including Python's floor
// division and modulo — so the lr sequences are PyTorch's to the last bit (Note [Exact schedules]).
#include "nabla/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "optim/json_fields.h"
#include "optim/no_fp_contract.h"  // last: Python never fuses a * b + c
#include "optim/python_compat.h"
#include "util/check.h"

namespace nabla::optim {

using detail::Json;

// ---- LRScheduler ----
LRScheduler::LRScheduler(Optimizer& optimizer, int64_t last_epoch)
    : optimizer_(optimizer), last_epoch_(last_epoch) {
  auto& groups = optimizer.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    if (last_epoch == -1) {
      if (!groups[i].initial_lr()) groups[i].set_initial_lr(groups[i].lr());
    } else {
      NABLA_CHECK(groups[i].initial_lr().has_value(), ValueError,
                  "param 'initial_lr' is not specified in param_groups[{}] when resuming an optimizer", i);
    }
    base_lrs_.push_back(*groups[i].initial_lr());
  }
}

void LRScheduler::initial_step() {
  step_count_ = 0;
  step();
}

void LRScheduler::step() {
  ++step_count_;
  ++last_epoch_;
  apply_lrs(get_lr());
}

void LRScheduler::step(double epoch) {
  NABLA_CHECK(std::floor(epoch) == epoch, ValueError, "{}.step(epoch): epoch must be a whole number, got {}",
              name(), epoch);
  ++step_count_;
  last_epoch_ = static_cast<int64_t>(epoch);
  auto closed = closed_form_lr();
  apply_lrs(closed ? *closed : get_lr());
}

std::vector<double> LRScheduler::group_lrs() const {
  std::vector<double> lrs;
  for (const auto& g : optimizer_.param_groups()) lrs.push_back(g.lr());
  return lrs;
}

void LRScheduler::apply_lrs(const std::vector<double>& lrs) {
  auto& groups = optimizer_.param_groups();
  for (size_t i = 0; i < std::min(lrs.size(), groups.size()); ++i) groups[i].set_lr(lrs[i]);
  last_lr_ = group_lrs();
}

void LRScheduler::visit(FieldVisitor& v) {
  v.field("last_epoch", last_epoch_);
  v.field("_step_count", step_count_);
  v.field("base_lrs", base_lrs_);
  v.field("_last_lr", last_lr_);
}

std::string LRScheduler::state_dict() const {
  Json j = Json::object();
  j["type"] = name();
  detail::JsonWriter writer(j);
  const_cast<LRScheduler*>(this)->visit(writer);  // visit() serves load and save; the writer only reads
  return j.dump();
}

void LRScheduler::load_state_dict(const std::string& state_dict) {
  const Json j = detail::parse_object(state_dict, "load_state_dict");
  const std::string type = detail::string_or_unknown(j, "type");
  NABLA_CHECK(type == name(), ValueError, "load_state_dict: the state dict is for a {}, not a {}", type,
              name());
  detail::JsonReader reader(j, name() + ".load_state_dict");
  visit(reader);
}

// ---- LambdaLR ----
LambdaLR::LambdaLR(Optimizer& optimizer, LrLambda lr_lambda, int64_t last_epoch)
    : LambdaLR(optimizer, std::vector<LrLambda>(optimizer.param_groups().size(), lr_lambda), last_epoch) {}

LambdaLR::LambdaLR(Optimizer& optimizer, std::vector<LrLambda> lr_lambdas, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), lr_lambdas_(std::move(lr_lambdas)) {
  NABLA_CHECK(lr_lambdas_.size() == optimizer.param_groups().size(), ValueError,
              "Expected {} lr_lambdas, but got {}", optimizer.param_groups().size(), lr_lambdas_.size());
  for (const auto& f : lr_lambdas_) NABLA_CHECK(f != nullptr, ValueError, "LambdaLR: an lr_lambda is empty");
  initial_step();
}

std::vector<double> LambdaLR::get_lr() {
  std::vector<double> lrs;
  for (size_t i = 0; i < base_lrs_.size(); ++i) lrs.push_back(base_lrs_[i] * lr_lambdas_[i](last_epoch_));
  return lrs;
}

// ---- StepLR ----
StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), step_size_(step_size), gamma_(gamma) {
  NABLA_CHECK(step_size > 0, ValueError, "StepLR: step_size must be positive, got {}", step_size);
  initial_step();
}

std::vector<double> StepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0 || detail::py_mod(last_epoch_, step_size_) != 0) return lrs;
  for (double& lr : lrs) lr = lr * gamma_;
  return lrs;
}

std::optional<std::vector<double>> StepLR::closed_form_lr() const {
  std::vector<double> lrs;
  const double exponent = static_cast<double>(detail::py_floor_div(last_epoch_, step_size_));
  for (double base : base_lrs_) lrs.push_back(base * std::pow(gamma_, exponent));
  return lrs;
}

void StepLR::visit(FieldVisitor& v) {
  LRScheduler::visit(v);
  v.field("step_size", step_size_);
  v.field("gamma", gamma_);
}

// ---- MultiStepLR ----
MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma,
                         int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), milestones_(std::move(milestones)), gamma_(gamma) {
  std::sort(milestones_.begin(), milestones_.end());
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  const auto hits = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  if (hits == 0) return lrs;
  for (double& lr : lrs) lr = lr * std::pow(gamma_, static_cast<double>(hits));
  return lrs;
}

std::optional<std::vector<double>> MultiStepLR::closed_form_lr() const {
  const auto passed =
      std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(base * std::pow(gamma_, static_cast<double>(passed)));
  return lrs;
}

void MultiStepLR::visit(FieldVisitor& v) {
  LRScheduler::visit(v);
  v.field("milestones", milestones_);
  v.field("gamma", gamma_);
}

// ---- ExponentialLR ----
ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), gamma_(gamma) {
  initial_step();
}

std::vector<double> ExponentialLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) return lrs;
  for (double& lr : lrs) lr = lr * gamma_;
  return lrs;
}

std::optional<std::vector<double>> ExponentialLR::closed_form_lr() const {
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(base * std::pow(gamma_, static_cast<double>(last_epoch_)));
  return lrs;
}

void ExponentialLR::visit(FieldVisitor& v) {
  LRScheduler::visit(v);
  v.field("gamma", gamma_);
}

// ---- CosineAnnealingLR ----
CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), t_max_(t_max), eta_min_(eta_min) {
  NABLA_CHECK(t_max > 0, ValueError, "CosineAnnealingLR: T_max must be positive, got {}", t_max);
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() {
  constexpr double pi = std::numbers::pi;
  const double e = static_cast<double>(last_epoch_), t = static_cast<double>(t_max_);
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) return lrs;
  for (size_t i = 0; i < lrs.size() && i < base_lrs_.size(); ++i) {
    const double base = base_lrs_[i];
    if (step_count_ == 1 && last_epoch_ > 0)
      lrs[i] = eta_min_ + (base - eta_min_) * (1 + std::cos(e * pi / t)) / 2;
    else if (detail::py_mod(last_epoch_ - 1 - t_max_, 2 * t_max_) == 0)
      lrs[i] = lrs[i] + (base - eta_min_) * (1 - std::cos(pi / t)) / 2;
    else
      lrs[i] = (1 + std::cos(pi * e / t)) / (1 + std::cos(pi * (e - 1) / t)) * (lrs[i] - eta_min_) + eta_min_;
  }
  return lrs;
}

std::optional<std::vector<double>> CosineAnnealingLR::closed_form_lr() const {
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs;
  for (double base : base_lrs_)
    lrs.push_back(eta_min_ +
                  (base - eta_min_) *
                      (1 + std::cos(pi * static_cast<double>(last_epoch_) / static_cast<double>(t_max_))) /
                      2);
  return lrs;
}

void CosineAnnealingLR::visit(FieldVisitor& v) {
  LRScheduler::visit(v);
  v.field("T_max", t_max_);
  v.field("eta_min", eta_min_);
}

// ---- LinearLR ----
LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, int64_t total_iters,
                   int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch),
      start_factor_(start_factor),
      end_factor_(end_factor),
      total_iters_(total_iters) {
  NABLA_CHECK(!(start_factor > 1.0 || start_factor < 0), ValueError,
              "Starting multiplicative factor expected to be between 0 and 1.");
  NABLA_CHECK(!(end_factor > 1.0 || end_factor < 0), ValueError,
              "Ending multiplicative factor expected to be between 0 and 1.");
  initial_step();
}

std::vector<double> LinearLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) {
    for (double& lr : lrs) lr = lr * start_factor_;
    return lrs;
  }
  if (last_epoch_ > total_iters_) return lrs;
  const double delta = end_factor_ - start_factor_;
  const double denominator =
      static_cast<double>(total_iters_) * start_factor_ + static_cast<double>(last_epoch_ - 1) * delta;
  for (double& lr : lrs) lr = lr * (1. + delta / denominator);
  return lrs;
}

std::optional<std::vector<double>> LinearLR::closed_form_lr() const {
  const double done = static_cast<double>(std::min(total_iters_, last_epoch_));
  std::vector<double> lrs;
  for (double base : base_lrs_)
    lrs.push_back(base *
                  (start_factor_ + (end_factor_ - start_factor_) * done / static_cast<double>(total_iters_)));
  return lrs;
}

void LinearLR::visit(FieldVisitor& v) {
  LRScheduler::visit(v);
  v.field("start_factor", start_factor_);
  v.field("end_factor", end_factor_);
  v.field("total_iters", total_iters_);
}

}  // namespace nabla::optim
