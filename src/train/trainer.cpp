// trainer.cpp — the training loop.
#include "nabla/train/trainer.h"

#include <cmath>
#include <iostream>

#include "nabla/autograd/grad_mode.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::training {

namespace {
constexpr double kDivergingLoss = 1e12;  // a finite loss above this warns once

int64_t whole(double v) { return std::llround(v); }  // a count summed as a double (exact below 2^53)

// Note [Distributed evaluation]: each process evaluated its own share of the data; their sums are
// added up by Trainer::sum_over_processes. The confusion matrix goes second: a process whose share
// held no classification batch does not know its size (it counts 0 classes and 0 matrices), the
// others agree on it.
void sum_eval_over_processes(const std::function<void(std::vector<double>&)>& sum, double& loss_sum,
                             int64_t& samples, int64_t& correct, std::vector<int64_t>& cm) {
  const int64_t classes = whole(std::sqrt(static_cast<double>(cm.size())));
  std::vector<double> s = {loss_sum, static_cast<double>(samples), static_cast<double>(correct),
                           static_cast<double>(classes), cm.empty() ? 0.0 : 1.0};
  sum(s);
  loss_sum = s[0];
  samples = whole(s[1]);
  correct = whole(s[2]);
  if (s[4] == 0) return;  // nobody classified anything (a regression model)
  const int64_t total = whole(s[3] / s[4]);
  NABLA_CHECK(cm.empty() || classes == total, ShapeError,
              "Trainer::evaluate: this process's outputs have {} classes, other processes' {}", classes,
              s[3] / s[4]);
  if (cm.empty()) cm.assign(total * total, 0);
  std::vector<double> cells(cm.begin(), cm.end());
  sum(cells);
  for (size_t i = 0; i < cm.size(); ++i) cm[i] = whole(cells[i]);
}
}  // namespace

Trainer::Trainer(nn::Module& model, LossFn loss, optim::Optimizer& optimizer)
    : model_(model), loss_(std::move(loss)), optimizer_(optimizer) {}

void Trainer::warn(const std::string& message) {
  if (on_warning)
    on_warning(message);
  else
    std::cerr << message << "\n";
}

// `batch` < 0: the epoch's validation loss.
void Trainer::check_loss(const char* what, double v, int64_t batch) {
  const std::string where =
      batch >= 0 ? fmt::format("epoch {} batch {}", epoch_ + 1, batch) : fmt::format("epoch {}", epoch_ + 1);
  if (std::isfinite(v)) {
    if (std::abs(v) > kDivergingLoss && !warned_diverging_) {
      warned_diverging_ = true;
      warn(fmt::format("warning: {} is {:.4g} at {}: training is diverging (try a lower --lr)", what, v,
                       where));
    }
    return;
  }
  NABLA_CHECK(on_nan != OnNan::Stop, ValueError,
              "Trainer: {} became {} at {}; run stopped, checkpoints keep the last finite epoch (try a lower "
              "--lr, or --on_nan warn to go on)",
              what, v, where);
  if (!warned_nan_) {
    warned_nan_ = true;
    warn(fmt::format("warning: {} became {} at {} (--on_nan warn: training goes on)", what, v, where));
  }
}

// A huge lr can overflow a weight or a running statistic while every loss stays finite; the checkpoint
// of such an epoch would be one nabla then refuses to evaluate. Same policy as a NaN loss.
void Trainer::check_weights() {
  const nn::NamedTensors params = model_.named_parameters(), buffers = model_.named_buffers();
  for (const nn::NamedTensors* list : {&params, &buffers}) {
    for (const auto& [name, t] : *list) {
      if (!t.is_floating_point() || isfinite(t.detach()).all().item<bool>()) continue;
      NABLA_CHECK(
          on_nan != OnNan::Stop, ValueError,
          "Trainer: '{}' holds NaN or inf after epoch {}; run stopped, checkpoints keep the last finite "
          "epoch (try a lower --lr, or --on_nan warn to go on)",
          name, epoch_ + 1);
      if (!warned_nan_) {
        warned_nan_ = true;
        warn(fmt::format("warning: '{}' holds NaN or inf after epoch {} (--on_nan warn: training goes on)",
                         name, epoch_ + 1));
      }
      return;
    }
  }
}

double Trainer::train_one_epoch(data::DataLoader& loader) {
  model_.train();
  double loss_sum = 0;
  int64_t samples = 0, batch = 0;
  for (auto& b : loader) {
    optimizer_.zero_grad();
    Tensor loss = loss_(model_(b.data), b.target);
    NABLA_CHECK(loss.numel() == 1, ShapeError, "Trainer: the loss must be a scalar, got shape {}",
                shape_str(loss.sizes()));
    const double l = loss.item<double>();
    check_loss("train loss", l, batch);  // before the step: Stop leaves the weights finite
    loss.backward();
    optimizer_.step();
    const int64_t n = b.data.size(0);
    loss_sum += l * static_cast<double>(n);
    samples += n;
    ++step_;
    Metrics m = {
        {"loss", l}, {"samples", static_cast<double>(samples)}, {"batches", static_cast<double>(batch + 1)}};
    for (auto& cb : callbacks_) cb->on_batch_end(*this, batch, m);
    ++batch;
  }
  if (sum_over_processes) {  // the epoch's loss over every process's batches
    std::vector<double> sums = {loss_sum, static_cast<double>(samples)};
    sum_over_processes(sums);
    loss_sum = sums[0];
    samples = whole(sums[1]);
  }
  return samples ? loss_sum / static_cast<double>(samples) : 0;
}

EvalResult Trainer::evaluate(data::DataLoader& loader, int64_t classes) {
  model_.eval();
  NoGradGuard no_grad;
  EvalResult r;
  double loss_sum = 0;
  int64_t correct = 0;
  std::vector<int64_t> cm;  // [C, C], rows = true class; empty until a classification batch
  for (auto& b : loader) {
    Tensor out = model_(b.data);
    const int64_t n = b.data.size(0);
    loss_sum += loss_(out, b.target).item<double>() * static_cast<double>(n);
    r.samples += n;
    if (out.dim() == 2 && b.target.dtype() == kInt64) {
      const int64_t C = classes > 0 ? classes : out.size(1);
      if (cm.empty()) cm.assign(C * C, 0);
      Tensor pred = out.argmax(1).contiguous(), target = b.target.contiguous();
      const int64_t *p = pred.data_ptr<int64_t>(), *t = target.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i) {
        correct += p[i] == t[i];
        if (t[i] >= 0 && t[i] < C && p[i] < C) ++cm[t[i] * C + p[i]];
      }
    }
  }
  if (sum_over_processes) sum_eval_over_processes(sum_over_processes, loss_sum, r.samples, correct, cm);
  if (r.samples) {
    r.loss = loss_sum / static_cast<double>(r.samples);
    r.accuracy = static_cast<double>(correct) / static_cast<double>(r.samples);
  }
  if (!cm.empty()) {
    const int64_t C = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(cm.size()))));
    r.confusion = from_buffer(cm.data(), {C, C}, kInt64);
  }
  return r;
}

std::vector<Metrics> Trainer::fit(data::DataLoader& train, data::DataLoader* val, int64_t epochs) {
  epochs_target_ = epochs;
  batches_per_epoch_ = train.size();
  stop_ = false;
  std::vector<Metrics> ran;
  for (auto& cb : callbacks_) cb->on_train_begin(*this);
  while (epoch_ < epochs && !stop_) {
    for (auto& cb : callbacks_) cb->on_epoch_begin(*this, epoch_ + 1);
    train.set_epoch(epoch_);  // the shuffle order depends on (seed, epoch): resumable
    Metrics m = {{"epoch", static_cast<double>(epoch_ + 1)}, {"lr", optimizer_.param_groups()[0].lr()}};
    m["train_loss"] = train_one_epoch(train);
    check_weights();
    if (val) {
      EvalResult e = evaluate(*val, num_classes);
      m["val_loss"] = e.loss;
      check_loss("val_loss", e.loss, -1);
      if (e.confusion.defined()) m["val_acc"] = e.accuracy;
    }
    ++epoch_;
    history_.push_back(m);
    ran.push_back(m);
    for (auto& cb : callbacks_) cb->on_epoch_end(*this, epoch_, m);
  }
  for (auto& cb : callbacks_) cb->on_train_end(*this);
  return ran;
}

}  // namespace nabla::training
