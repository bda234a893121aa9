// reporting.h — what `nabla train` shows and writes besides checkpoints: the progress bar, the
// metrics CSV, TensorBoard events, the final test report, plots, and K-fold summaries.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "nabla/train/run_state.h"
#include "nabla/train/trainer.h"
#include "tool/commands.h"
#include "tool/data_setup.h"

namespace nabla::tool {

// Progress bar (always), and with a logdir: metrics.csv and TensorBoard events (with sample images).
void add_reporting(training::Trainer& trainer, const std::string& logdir, bool verbose, const DataSplits& d,
                   bool primary);
// Prints the test accuracy, per-class accuracy and confusion matrix; writes curves.png and
// confusion.png into the logdir.
void report_final(const TrainArgs& a, const training::RunConfig& cfg, const training::EvalResult& test,
                  const std::vector<training::Metrics>& history);
// Prints a table of folds and the mean and standard deviation of the fold results.
int run_kfold(const TrainArgs& a, const training::RunConfig& cfg, const DataSplits& d,
              const std::function<double(DataSplits& fold, int k)>& train_fold);
// Per-class accuracy and the confusion matrix as text.
std::string confusion_report(const Tensor& confusion, const std::vector<std::string>& classes);

}  // namespace nabla::tool
