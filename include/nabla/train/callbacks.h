// callbacks.h — the built-in callbacks: early stopping, checkpoints (best and last), LR scheduler
// stepping and TensorBoard logging. (CSV logging and the progress bar: csv_logger.h, progress.h.)
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "nabla/optim/lr_scheduler.h"
#include "nabla/train/trainer.h"

namespace nabla::io {
class SummaryWriter;
}

namespace nabla::training {

enum class Mode { Min, Max };

// Stops when `monitor` has not improved by more than min_delta for `patience` epochs:
//   EarlyStopping({.monitor = "val_acc", .patience = 5, .mode = Mode::Max})
struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  int64_t patience = 3;  // ValueError when negative
  Mode mode = Mode::Min;
  double min_delta = 0;
};
class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  void on_epoch_end(Trainer& t, int64_t epoch, const Metrics& m) override;
  int64_t stopped_epoch() const { return stopped_epoch_; }
  std::string state() const;  // JSON, for resumable runs
  void load_state(const std::string& json);

 private:
  std::string monitor_;
  int64_t patience_;
  Mode mode_;
  double min_delta_;
  std::optional<double> best_;
  int64_t wait_ = 0, stopped_epoch_ = 0;
};

// Saves the last epoch to `last_path` and the best by `monitor` to `best_path` (either may be empty),
// through `save(trainer, path)` — the application decides what a checkpoint holds (see run_state.h).
class ModelCheckpoint : public Callback {
 public:
  using SaveFn = std::function<void(Trainer&, const std::string& path)>;
  ModelCheckpoint(SaveFn save, std::string last_path, std::string best_path, std::string monitor = "val_loss",
                  Mode mode = Mode::Min);
  void on_epoch_end(Trainer& t, int64_t epoch, const Metrics& m) override;
  std::optional<double> best() const { return best_; }
  void set_best(std::optional<double> b) { best_ = b; }

 private:
  SaveFn save_;
  std::string last_path_, best_path_, monitor_;
  Mode mode_;
  std::optional<double> best_;
};

// Steps a scheduler once per epoch, once per batch (OneCycleLR), or with a monitored metric (plateau).
class LRSchedulerCallback : public Callback {
 public:
  enum class When { Epoch, Batch };
  LRSchedulerCallback(optim::LRScheduler& scheduler, When when = When::Epoch);
  LRSchedulerCallback(optim::ReduceLROnPlateau& plateau, std::string monitor = "val_loss");
  void on_epoch_end(Trainer& t, int64_t epoch, const Metrics& m) override;
  void on_batch_end(Trainer& t, int64_t batch, const Metrics& m) override;

 private:
  optim::LRScheduler* scheduler_ = nullptr;
  optim::ReduceLROnPlateau* plateau_ = nullptr;
  When when_ = When::Epoch;
  std::string monitor_;
};

// Scalars per epoch (every metric) and per step (loss, every `every` batches), weight histograms per
// epoch, and an image grid of samples once (set_samples).
class TensorBoardLogger : public Callback {
 public:
  explicit TensorBoardLogger(const std::string& logdir, int64_t every = 20);
  ~TensorBoardLogger() override;
  void set_samples(Tensor images) { samples_ = std::move(images); }  // [N, C, H, W] float in [0, 1]
  void on_train_begin(Trainer& t) override;
  void on_epoch_end(Trainer& t, int64_t epoch, const Metrics& m) override;
  void on_batch_end(Trainer& t, int64_t batch, const Metrics& m) override;
  void on_train_end(Trainer& t) override;

 private:
  std::unique_ptr<io::SummaryWriter> writer_;
  int64_t every_;
  Tensor samples_;
};

}  // namespace nabla::training
