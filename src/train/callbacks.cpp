// callbacks.cpp — EarlyStopping, ModelCheckpoint, LRSchedulerCallback, TensorBoardLogger.
#include "nabla/train/callbacks.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "nabla/autograd/grad_mode.h"
#include "nabla/data/utils.h"
#include "nabla/io/tensorboard.h"
#include "train/json_checked.h"
#include "train/json_number.h"
#include "util/check.h"

namespace nabla::training {

namespace {
double monitored(const Metrics& m, const std::string& key, const char* who) {
  auto it = m.find(key);
  if (it != m.end()) return it->second;
  std::string known;
  for (auto& [k, v] : m) known += (known.empty() ? "" : ", ") + k;
  throw ValueError(fmt::format("{}: monitored metric '{}' is not available (have: {})", who, key, known));
}
bool improves(Mode mode, double value, std::optional<double> best, double min_delta) {
  if (std::isnan(value)) return false;  // OnNan::Warn lets a NaN reach here: it is never the best
  if (!best) return true;
  return mode == Mode::Min ? value < *best - min_delta : value > *best + min_delta;
}
}  // namespace

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : monitor_(std::move(options.monitor)),
      patience_(options.patience),
      mode_(options.mode),
      min_delta_(options.min_delta) {
  NABLA_CHECK(patience_ >= 0, ValueError, "EarlyStopping: patience must be >= 0, got {}", patience_);
}

void EarlyStopping::on_epoch_end(Trainer& t, int64_t epoch, const Metrics& m) {
  double v = monitored(m, monitor_, "EarlyStopping");
  if (improves(mode_, v, best_, std::abs(min_delta_))) {
    best_ = v;
    wait_ = 0;
    return;
  }
  if (++wait_ >= patience_) {
    stopped_epoch_ = epoch;
    t.stop();
  }
}

std::string EarlyStopping::state() const {
  nlohmann::json j = {{"wait", wait_}, {"stopped_epoch", stopped_epoch_}};
  if (best_) j["best"] = detail::number_to_json(*best_);
  return j.dump();
}
void EarlyStopping::load_state(const std::string& text) {
  const nlohmann::json j = detail::parse_json_object(text, "EarlyStopping state");
  const detail::JsonFields f(j, "EarlyStopping state");
  const int64_t wait = f.integer("wait", 0, INT64_MAX);
  const int64_t stopped = f.integer("stopped_epoch", 0, INT64_MAX);
  const std::optional<double> best = j.contains("best") ? detail::number_from_json(j["best"]) : best_;
  best_ = best;
  wait_ = wait;
  stopped_epoch_ = stopped;
}

ModelCheckpoint::ModelCheckpoint(SaveFn save, std::string last, std::string best, std::string monitor,
                                 Mode mode)
    : save_(std::move(save)),
      last_path_(std::move(last)),
      best_path_(std::move(best)),
      monitor_(std::move(monitor)),
      mode_(mode) {}

void ModelCheckpoint::on_epoch_end(Trainer& t, int64_t, const Metrics& m) {
  if (!best_path_.empty()) {
    double v = monitored(m, monitor_, "ModelCheckpoint");
    if (improves(mode_, v, best_, 0)) {
      best_ = v;
      save_(t, best_path_);
    }
  }
  if (!last_path_.empty()) save_(t, last_path_);  // after best: the last file records the new best
}

LRSchedulerCallback::LRSchedulerCallback(optim::LRScheduler& s, When when) : scheduler_(&s), when_(when) {}
LRSchedulerCallback::LRSchedulerCallback(optim::ReduceLROnPlateau& p, std::string monitor)
    : plateau_(&p), monitor_(std::move(monitor)) {}

void LRSchedulerCallback::on_epoch_end(Trainer&, int64_t, const Metrics& m) {
  if (plateau_)
    plateau_->step(monitored(m, monitor_, "ReduceLROnPlateau"));
  else if (when_ == When::Epoch)
    scheduler_->step();
}
void LRSchedulerCallback::on_batch_end(Trainer&, int64_t, const Metrics&) {
  if (scheduler_ && when_ == When::Batch) scheduler_->step();
}

TensorBoardLogger::TensorBoardLogger(const std::string& logdir, int64_t every)
    : writer_(std::make_unique<io::SummaryWriter>(logdir)), every_(every) {}
TensorBoardLogger::~TensorBoardLogger() = default;

void TensorBoardLogger::on_train_begin(Trainer& t) {
  if (samples_.defined()) writer_->add_image("samples", data::make_grid(samples_), t.global_step());
}
void TensorBoardLogger::on_batch_end(Trainer& t, int64_t, const Metrics& m) {
  if (every_ > 0 && t.global_step() % every_ == 0)
    writer_->add_scalar("batch/loss", m.at("loss"), t.global_step());
}
void TensorBoardLogger::on_epoch_end(Trainer& t, int64_t epoch, const Metrics& m) {
  for (auto& [k, v] : m)
    if (k != "epoch") writer_->add_scalar("epoch/" + k, v, epoch);
  NoGradGuard no_grad;
  for (auto& [name, p] : t.model().named_parameters())  // NaN weights (--on_nan warn) have no histogram
    if (std::isfinite(p.sum().item<double>())) writer_->add_histogram(name, p, epoch);
  writer_->flush();
}
void TensorBoardLogger::on_train_end(Trainer&) { writer_->flush(); }

}  // namespace nabla::training
