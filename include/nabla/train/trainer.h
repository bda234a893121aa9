// trainer.h — nabla::training::Trainer: epochs over a train and a validation loader with any model,
// loss and optimizer, stepping an LR scheduler and calling callbacks, like a PyTorch training loop.
//
//   training::Trainer trainer(model, loss, optimizer);
//   trainer.add_callback(std::make_shared<training::EarlyStopping>(training::EarlyStoppingOptions{.patience =
//   3})); auto history = trainer.fit(train_loader, &val_loader, 20);
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nabla/data/dataloader.h"
#include "nabla/nn/module.h"
#include "nabla/optim/optimizer.h"

namespace nabla::training {

using Metrics = std::map<std::string, double>;  // "train_loss", "val_loss", "val_acc", "lr", ...
using LossFn = std::function<Tensor(const Tensor& output, const Tensor& target)>;

class Trainer;

// Hooks called by Trainer::fit. Override what you need.
class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(Trainer&) {}
  virtual void on_train_end(Trainer&) {}
  virtual void on_epoch_begin(Trainer&, int64_t /*epoch*/) {}
  virtual void on_epoch_end(Trainer&, int64_t /*epoch*/, const Metrics&) {}
  virtual void on_batch_end(Trainer&, int64_t /*batch*/, const Metrics&) {}
};

struct EvalResult {
  double loss = 0;
  double accuracy = 0;
  int64_t samples = 0;
  Tensor confusion;  // int64 [C, C], rows = true class (classification only)
};

// What fit does when a training or validation loss is NaN or infinite.
//   Stop (default): throws a ValueError naming the loss, the epoch and batch, before the optimizer
//                   step and before any callback sees the epoch, so checkpoints keep the last finite one.
//   Warn: warns once (through Trainer::on_warning) and carries on.
enum class OnNan { Stop, Warn };

class Trainer {
 public:
  Trainer(nn::Module& model, LossFn loss, optim::Optimizer& optimizer);
  void add_callback(std::shared_ptr<Callback> callback) { callbacks_.push_back(std::move(callback)); }

  // Trains from the current epoch up to `epochs` (so a resumed Trainer continues). Returns one
  // Metrics entry per epoch run.
  std::vector<Metrics> fit(data::DataLoader& train, data::DataLoader* val, int64_t epochs);
  // Loss (mean over samples), accuracy and confusion matrix (when num_classes > 0).
  EvalResult evaluate(data::DataLoader& loader, int64_t num_classes = 0);

  // State callbacks read and change.
  nn::Module& model() { return model_; }
  optim::Optimizer& optimizer() { return optimizer_; }
  int64_t epoch() const { return epoch_; }  // epochs completed
  void set_epoch(int64_t e) { epoch_ = e; }
  int64_t global_step() const { return step_; }  // batches trained
  void set_global_step(int64_t s) { step_ = s; }
  int64_t epochs_target() const { return epochs_target_; }
  int64_t batches_per_epoch() const { return batches_per_epoch_; }
  void stop() { stop_ = true; }  // ends fit after the current epoch
  bool stopped() const { return stop_; }
  const std::vector<Metrics>& history() const { return history_; }
  void set_history(std::vector<Metrics> h) { history_ = std::move(h); }
  int64_t num_classes = 0;  // for val_acc; 0 = infer from outputs
  OnNan on_nan = OnNan::Stop;
  // Warnings (a non-finite loss with OnNan::Warn; a finite loss above 1e12, once: diverging).
  // Default: one line on stderr.
  std::function<void(const std::string&)> on_warning;
  // Data-parallel training, where each process trains and evaluates its own share of the data: sums
  // these per-process sums (of losses, sample counts, correct predictions, confusion matrix cells) over
  // all processes, in place, so train_loss, val_loss, val_acc and evaluate() are those of the whole data
  // set, identical on every process (early stopping and schedulers then decide alike). Every process
  // must call fit/evaluate alike. Unset: one process.
  std::function<void(std::vector<double>& sums)> sum_over_processes;

 private:
  double train_one_epoch(data::DataLoader& loader);
  void check_loss(const char* what, double value, int64_t batch);
  void check_weights();  // after an epoch's steps: a finite loss can still leave inf in a weight or stat
  void warn(const std::string& message);
  nn::Module& model_;
  LossFn loss_;
  optim::Optimizer& optimizer_;
  std::vector<std::shared_ptr<Callback>> callbacks_;
  std::vector<Metrics> history_;
  int64_t epoch_ = 0, step_ = 0, epochs_target_ = 0, batches_per_epoch_ = 0;
  bool stop_ = false, warned_nan_ = false, warned_diverging_ = false;
};

}  // namespace nabla::training
