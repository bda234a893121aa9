// reporting.cpp — console, CSV, TensorBoard and plot outputs of `nabla train`.
#include "tool/reporting.h"

#include <cmath>
#include <iostream>
#include <numeric>

#include "nabla/data/dataset.h"
#include "nabla/ops/ops.h"
#include "nabla/train/callbacks.h"
#include "nabla/train/csv_logger.h"
#include "nabla/train/plots.h"
#include "nabla/train/progress.h"
#include "util/check.h"

namespace nabla::tool {

namespace {

// Drives training::ProgressBar from the Trainer's hooks.
class ProgressCallback : public training::Callback {
 public:
  void on_epoch_begin(training::Trainer& t, int64_t epoch) override {
    bar_ = std::make_unique<training::ProgressBar>(t.batches_per_epoch(),
                                                   fmt::format("Epoch {}/{}", epoch, t.epochs_target()));
  }
  void on_batch_end(training::Trainer&, int64_t batch, const training::Metrics& m) override {
    loss_sum_ = batch == 0 ? m.at("loss") : loss_sum_ + m.at("loss");
    bar_->update(batch + 1, static_cast<int64_t>(m.at("samples")),
                 {{"loss", loss_sum_ / static_cast<double>(batch + 1)}});
  }
  void on_epoch_end(training::Trainer&, int64_t, const training::Metrics& m) override {
    training::Metrics shown;
    for (const char* k : {"train_loss", "val_loss", "val_acc", "lr"})
      if (m.count(k)) shown[k] = m.at(k);
    bar_->finish(shown);
  }

 private:
  std::unique_ptr<training::ProgressBar> bar_;
  double loss_sum_ = 0;
};

// Opened when training begins: a resumed run (epoch > 0) appends to the run's metrics.csv.
class CsvCallback : public training::Callback {
 public:
  explicit CsvCallback(std::string path) : path_(std::move(path)) {}
  void on_train_begin(training::Trainer& t) override {
    csv_ = t.epoch() > 0
               ? std::make_unique<training::CsvLogger>(path_, training::CsvLogger::Resume{t.epoch()})
               : std::make_unique<training::CsvLogger>(path_);
  }
  void on_epoch_end(training::Trainer&, int64_t, const training::Metrics& m) override {
    training::CsvLogger::Row row;
    for (const char* k : {"epoch", "train_loss", "val_loss", "val_acc", "lr"})
      if (m.count(k)) row.emplace_back(k, m.at(k));
    csv_->log(row);
  }

 private:
  std::string path_;
  std::unique_ptr<training::CsvLogger> csv_;
};

}  // namespace

void add_reporting(training::Trainer& trainer, const std::string& logdir, bool, const DataSplits& d,
                   bool primary) {
  trainer.add_callback(std::make_shared<ProgressCallback>());
  if (logdir.empty() || !primary) return;
  trainer.add_callback(std::make_shared<CsvCallback>(logdir + "/metrics.csv"));
  auto tb = std::make_shared<training::TensorBoardLogger>(logdir);
  // A grid of the first training images, de-normalised back to [0, 1].
  Tensor x = d.train->data().narrow(0, 0, std::min<int64_t>(32, d.train->size()));
  tb->set_samples(clamp(x * channel_values(d.std, x.size(1)) + channel_values(d.mean, x.size(1)), 0.0, 1.0));
  trainer.add_callback(tb);
}

std::string confusion_report(const Tensor& cm, const std::vector<std::string>& classes) {
  const int64_t C = cm.size(0);
  std::string out = "per-class accuracy:\n";
  for (int64_t c = 0; c < C; ++c) {
    double total = 0;
    for (int64_t j = 0; j < C; ++j) total += cm.at({c, j}).to<double>();
    const std::string name = c < static_cast<int64_t>(classes.size()) ? classes[c] : std::to_string(c);
    out += fmt::format("  {:>12}  {:6.2f}%  ({} samples)\n", name,
                       total ? 100.0 * cm.at({c, c}).to<double>() / total : 0.0, static_cast<int64_t>(total));
  }
  out += "confusion matrix (rows: true class, columns: predicted):\n";
  for (int64_t i = 0; i < C; ++i) {
    out += "  ";
    for (int64_t j = 0; j < C; ++j) out += fmt::format("{:6}", cm.at({i, j}).to<int64_t>());
    out += "\n";
  }
  return out;
}

void report_final(const TrainArgs& a, const training::RunConfig& cfg, const training::EvalResult& test,
                  const std::vector<training::Metrics>& history) {
  if (test.samples > 0) {
    std::cout << fmt::format("test accuracy: {:.2f}% ({} samples), test loss {:.4f}\n", 100 * test.accuracy,
                             test.samples, test.loss);
    if (a.verbose && test.confusion.defined()) std::cout << confusion_report(test.confusion, cfg.classes);
  }
  std::cout << "best model: " << a.model_fn << "\n";
  if (a.logdir.empty()) return;
  std::map<std::string, std::vector<double>> loss, acc;
  for (auto& m : history) {
    for (const char* k : {"train_loss", "val_loss"})
      if (m.count(k)) loss[k].push_back(m.at(k));
    if (m.count("val_acc")) acc["val_acc"].push_back(m.at("val_acc"));
  }
  auto any_finite = [](const std::map<std::string, std::vector<double>>& series) {
    for (auto& [k, v] : series)
      for (double x : v)
        if (std::isfinite(x)) return true;
    return false;
  };
  if (any_finite(loss))  // a run that diverged at once (--on_nan warn) has nothing to plot
    training::plot_curves(a.logdir + "/loss.png", "Loss per epoch", loss, "epoch", "loss");
  if (any_finite(acc))
    training::plot_curves(a.logdir + "/accuracy.png", "Validation accuracy per epoch", acc, "epoch",
                          "accuracy");
  if (test.confusion.defined())
    training::plot_confusion_matrix(a.logdir + "/confusion.png", test.confusion, cfg.classes,
                                    "Test confusion matrix");
  std::cout << "run directory: " << a.logdir
            << " (last.safetensors, metrics.csv, events.out.tfevents.*, loss.png, "
            << "accuracy.png, confusion.png)\n";
}

int run_kfold(const TrainArgs& a, const training::RunConfig& cfg, const DataSplits& d,
              const std::function<double(DataSplits&, int)>& train_fold) {
  NABLA_CHECK(a.kfold >= 2, ValueError, "--kfold must be at least 2, got {}", a.kfold);
  Tensor labels = d.train->targets().contiguous();
  const int64_t* lp = labels.data_ptr<int64_t>();
  auto folds = data::kfold_indices(d.train->size(), static_cast<int>(a.kfold), a.seed,
                                   std::vector<int64_t>(lp, lp + labels.numel()));
  std::vector<double> results;
  for (size_t k = 0; k < folds.size(); ++k) {
    DataSplits fold = d;
    fold.train = take(*d.train, folds[k].train);
    fold.val = take(*d.train, folds[k].val);
    fold.test = nullptr;
    std::cout << fmt::format("fold {}/{}: {} train / {} val\n", k + 1, folds.size(), fold.train->size(),
                             fold.val->size());
    results.push_back(train_fold(fold, static_cast<int>(k)));
    std::cout << fmt::format("fold {}/{}: best val_acc {:.2f}%\n", k + 1, folds.size(), 100 * results.back());
  }
  const double mean =
      std::accumulate(results.begin(), results.end(), 0.0) / static_cast<double>(results.size());
  double var = 0;
  for (double r : results) var += (r - mean) * (r - mean);
  const double sd = results.size() > 1 ? std::sqrt(var / static_cast<double>(results.size() - 1)) : 0;
  std::cout << fmt::format("{}-fold cross-validation of {} on {}: val_acc {:.2f}% ± {:.2f}%\n", a.kfold,
                           cfg.model.name, cfg.data, 100 * mean, 100 * sd);
  return 0;
}

}  // namespace nabla::tool
