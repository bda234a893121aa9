// metrics.h — torchmetrics-like metrics: construct, update(preds, target) once per batch, compute() at
// the end of the epoch, reset() before the next one. Counts accumulate in int64 and sums in double, so a
// result over many batches is the same as over one batch holding all of them.
//
//   training::Accuracy acc({.num_classes = 10});            // multiclass, micro average (plain accuracy)
//   training::F1Score f1({.num_classes = 10});              // macro average by default, like torchmetrics
//   for (auto& [x, y] : loader) { Tensor logits = model(x); acc.update(logits, y); f1.update(logits, y); }
//   double a = acc.compute(), f = f1.compute();
//
// Inputs (N = samples, C = classes; extra trailing dims d... are flattened into samples):
//   multiclass  preds [N, C, d...] scores (logits or probabilities; the top-k classes win) or
//               [N, d...] integer labels; target [N, d...] labels in [0, C).
//   binary      preds and target of the same shape. Float preds are probabilities thresholded with
//               `p > threshold`; when any value of a batch lies outside [0, 1] the batch is taken as
//               logits and passed through sigmoid first (torchmetrics' rule). Integer preds and all
//               targets must be 0 or 1.
// Targets and label preds may have any dtype as long as the values are integral (float 0./1. targets
// from a BCE setup are fine). Errors: ShapeError (shapes), ValueError (options, out-of-range labels,
// compute() before any sample), naming the metric.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::training {

// Anything accumulated over batches. The Trainer updates and resets every metric through this base.
class Metric {
 public:
  virtual ~Metric() = default;
  virtual void update(const Tensor& preds, const Tensor& target) = 0;
  virtual void reset() = 0;
  // Short snake_case name for logs and CSV columns: "accuracy", "f1", "mse", ...
  virtual std::string name() const = 0;
};

// A metric whose result is one number (what the progress bar, CSV log and early stopping read).
class ScalarMetric : public Metric {
 public:
  virtual double compute() const = 0;
};

// Options of the classification metrics (designated initializers read like torchmetrics' keywords).
struct ClassificationOptions {
  std::string task = "multiclass";  // "multiclass" | "binary"
  int64_t num_classes = 0;          // multiclass: required, >= 2
  int64_t top_k = 1;                // multiclass with score preds: a sample counts as correct when
                                    // its target is among the k highest scores
  double threshold = 0.5;           // binary: p > threshold is the positive class
  std::optional<std::string> average =
      std::nullopt;  // "micro" | "macro" | "weighted"; unset = the metric's default
};

// Note [Classification statistics]: every multiclass sample is reduced to one (predicted, true) label
// pair. With top_k > 1 the predicted label is the target when the target is among the top k, else the
// top-1 class (torchmetrics >= 1.6). Ties between scores go to the lower class index (torch.argmax).
// Per class c: tp = pairs (c, c), fp = (c, other), fn = (other, c). Averages over classes:
//   micro     sum the counts over classes first, then take the ratio;
//   macro     mean of the per-class ratios over the classes that occurred (tp + fp + fn > 0; with
//             top_k > 1: tp + fn > 0), a 0/0 ratio counting as 0 — torchmetrics' rule;
//   weighted  per-class ratios weighted by support (tp + fn).
// Binary metrics use the counts of the positive class only and ignore `average`.
class ClassificationMetric : public ScalarMetric {
 public:
  void update(const Tensor& preds, const Tensor& target) override;
  void reset() override;
  std::string name() const override { return name_; }
  const ClassificationOptions& options() const { return options_; }
  int64_t num_samples() const { return samples_; }

 protected:
  ClassificationMetric(std::string name, ClassificationOptions options, const char* default_average);
  // Averages `ratio(tp, fp, fn, tn)` over classes as Note [Classification statistics] describes
  // (defined in metrics.cpp, for the metrics there).
  template <typename Ratio>
  double reduce(Ratio ratio) const;
  void check_updated() const;

  std::string name_;
  ClassificationOptions options_;
  std::vector<int64_t> tp_, fp_, fn_;  // per class; binary: one entry, the positive class
  int64_t samples_ = 0;
};

// Fraction of correct predictions. Default average "micro" (= correct / samples; note that torchmetrics'
// MulticlassAccuracy defaults to "macro", which equals the macro Recall).
class Accuracy : public ClassificationMetric {
 public:
  explicit Accuracy(ClassificationOptions options = {});
  double compute() const override;
};

// tp / (tp + fp). Default average "macro".
class Precision : public ClassificationMetric {
 public:
  explicit Precision(ClassificationOptions options = {});
  double compute() const override;
};

// tp / (tp + fn). Default average "macro".
class Recall : public ClassificationMetric {
 public:
  explicit Recall(ClassificationOptions options = {});
  double compute() const override;
};

// 2 tp / (2 tp + fp + fn), the harmonic mean of precision and recall. Default average "macro".
class F1Score : public ClassificationMetric {
 public:
  explicit F1Score(ClassificationOptions options = {});
  double compute() const override;
};

// Counts of (true class, predicted class): compute() is an int64 [C, C] tensor whose row i holds the
// samples of true class i (torchmetrics' layout); binary gives [2, 2]. top_k and average do not apply.
class ConfusionMatrix : public Metric {
 public:
  explicit ConfusionMatrix(ClassificationOptions options = {});
  void update(const Tensor& preds, const Tensor& target) override;
  void reset() override;
  std::string name() const override { return "confusion_matrix"; }
  Tensor compute() const;
  int64_t num_classes() const { return classes_; }
  int64_t num_samples() const { return samples_; }

 private:
  ClassificationOptions options_;
  int64_t classes_;
  std::vector<int64_t> counts_;  // row-major [C, C]
  int64_t samples_ = 0;
};

// Per-class accuracy (recall) from a [C, C] confusion matrix, rows = true class: diag / row sum. A class
// with no samples gets NaN (there is nothing to be accurate about). ShapeError unless square 2-D.
std::vector<double> per_class_accuracy(const Tensor& confusion);

// Mean of (preds - target)^2 over all elements of all updates; with squared = false its square root
// (RMSE). preds and target must have the same shape.
struct MeanSquaredErrorOptions {
  bool squared = true;
};
class MeanSquaredError : public ScalarMetric {
 public:
  explicit MeanSquaredError(MeanSquaredErrorOptions options = {}) : options_(options) {}
  void update(const Tensor& preds, const Tensor& target) override;
  double compute() const override;
  void reset() override {
    sum_ = 0;
    count_ = 0;
  }
  std::string name() const override { return options_.squared ? "mse" : "rmse"; }

 private:
  MeanSquaredErrorOptions options_;
  double sum_ = 0;
  int64_t count_ = 0;
};

// Mean of |preds - target| over all elements of all updates; same shapes required.
class MeanAbsoluteError : public ScalarMetric {
 public:
  void update(const Tensor& preds, const Tensor& target) override;
  double compute() const override;
  void reset() override {
    sum_ = 0;
    count_ = 0;
  }
  std::string name() const override { return "mae"; }

 private:
  double sum_ = 0;
  int64_t count_ = 0;
};

}  // namespace nabla::training
