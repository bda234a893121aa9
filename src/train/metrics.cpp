// metrics.cpp — classification and regression metrics (see metrics.h and Note [Classification
// statistics] there). Inputs are read once per update as doubles (exact for labels up to 2^53) and
// reduced to (predicted, true) label pairs; counts are int64 so any number of updates stays exact.
#include "nabla/train/metrics.h"

#include <cmath>
#include <utility>

#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::training {
namespace {

// One (predicted, true) label per sample.
struct LabelPairs {
  std::vector<int64_t> pred, target;
};

double safe_div(double num, double den) { return den == 0 ? 0.0 : num / den; }

// Reads `t` as labels: every value integral and in [0, num_classes).
std::vector<int64_t> read_labels(const Tensor& t, int64_t num_classes, const char* who, const char* what) {
  std::vector<double> v = t.detach().to_vector();
  std::vector<int64_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    double x = v[i];
    NABLA_CHECK(std::isfinite(x) && x == std::floor(x) && x >= 0 && x < static_cast<double>(num_classes),
                ValueError, "{}: {} value {} at flat index {} is not a class label in [0, {})", who, what, x,
                i, num_classes);
    out[i] = static_cast<int64_t>(x);
  }
  return out;
}

// True when score a (class i) ranks above score b (class j): higher first, NaN above everything (as
// torch.argmax treats NaN as the maximum), ties to the lower class index.
bool ranks_above(double a, int64_t i, double b, int64_t j) {
  bool na = std::isnan(a), nb = std::isnan(b);
  if (na || nb) return na && (!nb || i < j);
  return a > b || (a == b && i < j);
}

// [N, C, d...] -> [N * d..., C] (class dim last, samples flattened).
Tensor classes_last(const Tensor& preds) {
  if (preds.dim() == 2) return preds;
  std::vector<int64_t> perm{0};
  for (int64_t d = 2; d < preds.dim(); ++d) perm.push_back(d);
  perm.push_back(1);
  return preds.permute(perm).reshape({-1, preds.size(1)});
}

// Per row of scores [S, C]: the target when it is among the top k, else the top-1 class.
std::vector<int64_t> refined_topk(const std::vector<double>& scores, int64_t num_classes, int64_t top_k,
                                  const std::vector<int64_t>& target) {
  std::vector<int64_t> pred(target.size());
  for (size_t s = 0; s < target.size(); ++s) {
    const double* row = scores.data() + s * num_classes;
    int64_t best = 0, above_target = 0, t = target[s];
    for (int64_t c = 1; c < num_classes; ++c)
      if (ranks_above(row[c], c, row[best], best)) best = c;
    for (int64_t c = 0; c < num_classes && top_k > 1; ++c)
      if (c != t && ranks_above(row[c], c, row[t], t)) ++above_target;
    pred[s] = (top_k > 1 && above_target < top_k) ? t : best;
  }
  return pred;
}

LabelPairs multiclass_pairs(const Tensor& preds, const Tensor& target, int64_t num_classes, int64_t top_k,
                            const char* who) {
  LabelPairs out;
  if (preds.dim() == target.dim() + 1 && preds.dim() >= 2) {
    std::vector<int64_t> expect = target.sizes().vec();
    expect.insert(expect.begin() + 1, num_classes);
    NABLA_CHECK(preds.sizes() == IntArrayRef(expect), ShapeError,
                "{}: score preds {} do not match target {} with {} classes (expected preds {})", who,
                shape_str(preds.sizes()), shape_str(target.sizes()), num_classes, shape_str(expect));
    out.target = read_labels(target, num_classes, who, "target");
    std::vector<double> scores = classes_last(preds.detach()).to_vector();
    out.pred = refined_topk(scores, num_classes, top_k, out.target);
    return out;
  }
  NABLA_CHECK(preds.dim() == target.dim() && preds.sizes() == target.sizes(), ShapeError,
              "{}: preds {} and target {} do not fit: expected score preds [N, C, ...] with target [N, ...] "
              "or label preds of the target's shape",
              who, shape_str(preds.sizes()), shape_str(target.sizes()));
  NABLA_CHECK(top_k == 1, ValueError, "{}: top_k = {} needs score preds [N, C, ...], got label preds {}", who,
              top_k, shape_str(preds.sizes()));
  out.target = read_labels(target, num_classes, who, "target");
  out.pred = read_labels(preds, num_classes, who, "preds");
  return out;
}

LabelPairs binary_pairs(const Tensor& preds, const Tensor& target, double threshold, const char* who) {
  NABLA_CHECK(preds.sizes() == target.sizes(), ShapeError,
              "{}: binary preds {} and target {} must have the same shape", who, shape_str(preds.sizes()),
              shape_str(target.sizes()));
  LabelPairs out;
  out.target = read_labels(target, 2, who, "target");
  if (!preds.is_floating_point()) {
    out.pred = read_labels(preds, 2, who, "preds");
    return out;
  }
  std::vector<double> p = preds.detach().to_vector();
  bool probabilities = true;
  for (double v : p) probabilities = probabilities && v >= 0 && v <= 1;  // NaN fails too
  bool f32 = preds.dtype() == kFloat32;
  out.pred.resize(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    double v = probabilities ? p[i] : 1.0 / (1.0 + std::exp(-p[i]));
    // Compare in the preds' precision, as torch does with a wrapped-number threshold.
    bool pos = f32 ? static_cast<float>(v) > static_cast<float>(threshold) : v > threshold;
    out.pred[i] = pos ? 1 : 0;
  }
  return out;
}

bool is_binary(const ClassificationOptions& o) { return o.task == "binary"; }

void check_options(ClassificationOptions& o, const char* default_average, const char* who) {
  NABLA_CHECK(o.task == "binary" || o.task == "multiclass", ValueError,
              "{}: task must be \"binary\" or \"multiclass\", got \"{}\"", who, o.task);
  if (!o.average) o.average = default_average;
  const std::string& a = *o.average;
  NABLA_CHECK(a == "micro" || a == "macro" || a == "weighted", ValueError,
              "{}: average must be \"micro\", \"macro\" or \"weighted\", got \"{}\"", who, a);
  if (is_binary(o)) {
    NABLA_CHECK(o.threshold >= 0 && o.threshold <= 1, ValueError, "{}: threshold must be in [0, 1], got {}",
                who, o.threshold);
    NABLA_CHECK(o.top_k == 1, ValueError, "{}: top_k applies to multiclass only, got top_k = {} for binary",
                who, o.top_k);
    return;
  }
  NABLA_CHECK(o.num_classes >= 2, ValueError, "{}: multiclass needs num_classes >= 2, got {}", who,
              o.num_classes);
  NABLA_CHECK(o.top_k >= 1 && o.top_k <= o.num_classes, ValueError,
              "{}: top_k must be in [1, num_classes = {}], got {}", who, o.num_classes, o.top_k);
}

LabelPairs to_pairs(const ClassificationOptions& o, const Tensor& preds, const Tensor& target,
                    const char* who) {
  NABLA_CHECK(preds.defined() && target.defined(), ValueError, "{}: preds and target must be defined", who);
  if (is_binary(o)) return binary_pairs(preds, target, o.threshold, who);
  return multiclass_pairs(preds, target, o.num_classes, o.top_k, who);
}

// "Accuracy" for messages from the snake_case metric name.
const char* class_name(const std::string& name) {
  if (name == "accuracy") return "Accuracy";
  if (name == "precision") return "Precision";
  if (name == "recall") return "Recall";
  if (name == "f1") return "F1Score";
  return "ClassificationMetric";
}

}  // namespace

// ---- ClassificationMetric ----

ClassificationMetric::ClassificationMetric(std::string name, ClassificationOptions options,
                                           const char* default_average)
    : name_(std::move(name)), options_(std::move(options)) {
  check_options(options_, default_average, class_name(name_));
  reset();
}

void ClassificationMetric::reset() {
  size_t n = is_binary(options_) ? 1 : static_cast<size_t>(options_.num_classes);
  tp_.assign(n, 0);
  fp_.assign(n, 0);
  fn_.assign(n, 0);
  samples_ = 0;
}

void ClassificationMetric::update(const Tensor& preds, const Tensor& target) {
  std::string who = std::string(class_name(name_)) + ".update";
  LabelPairs pairs = to_pairs(options_, preds, target, who.c_str());
  bool binary = is_binary(options_);
  for (size_t i = 0; i < pairs.pred.size(); ++i) {
    int64_t p = pairs.pred[i], t = pairs.target[i];
    if (binary) {  // one class: the positive one
      tp_[0] += p == 1 && t == 1;
      fp_[0] += p == 1 && t == 0;
      fn_[0] += p == 0 && t == 1;
    } else if (p == t) {
      ++tp_[p];
    } else {
      ++fp_[p];
      ++fn_[t];
    }
  }
  samples_ += static_cast<int64_t>(pairs.pred.size());
}

void ClassificationMetric::check_updated() const {
  NABLA_CHECK(samples_ > 0, ValueError, "{}.compute: no samples seen (call update() first)",
              class_name(name_));
}

template <typename Ratio>
double ClassificationMetric::reduce(Ratio ratio) const {
  check_updated();
  auto tn = [&](size_t c) { return samples_ - tp_[c] - fp_[c] - fn_[c]; };
  if (is_binary(options_)) return ratio(tp_[0], fp_[0], fn_[0], tn(0));
  const std::string& average = *options_.average;
  if (average == "micro") {
    int64_t tp = 0, fp = 0, fn = 0, tns = 0;
    for (size_t c = 0; c < tp_.size(); ++c) tp += tp_[c], fp += fp_[c], fn += fn_[c], tns += tn(c);
    return ratio(tp, fp, fn, tns);
  }
  double num = 0, den = 0;
  for (size_t c = 0; c < tp_.size(); ++c) {
    double w;
    if (average == "weighted") {
      w = static_cast<double>(tp_[c] + fn_[c]);
    } else {  // macro: classes that never occurred do not count
      bool occurred = options_.top_k == 1 ? tp_[c] + fp_[c] + fn_[c] > 0 : tp_[c] + fn_[c] > 0;
      w = occurred ? 1.0 : 0.0;
    }
    if (w != 0) num += w * ratio(tp_[c], fp_[c], fn_[c], tn(c));
    den += w;
  }
  return safe_div(num, den);
}

// ---- Accuracy, Precision, Recall, F1Score ----

Accuracy::Accuracy(ClassificationOptions options)
    : ClassificationMetric("accuracy", std::move(options), "micro") {}
double Accuracy::compute() const {
  bool binary = is_binary(options_);
  return reduce([binary](double tp, double fp, double fn, double tn) {
    return binary ? safe_div(tp + tn, tp + fp + fn + tn) : safe_div(tp, tp + fn);
  });
}

Precision::Precision(ClassificationOptions options)
    : ClassificationMetric("precision", std::move(options), "macro") {}
double Precision::compute() const {
  return reduce([](double tp, double fp, double, double) { return safe_div(tp, tp + fp); });
}

Recall::Recall(ClassificationOptions options) : ClassificationMetric("recall", std::move(options), "macro") {}
double Recall::compute() const {
  return reduce([](double tp, double, double fn, double) { return safe_div(tp, tp + fn); });
}

F1Score::F1Score(ClassificationOptions options) : ClassificationMetric("f1", std::move(options), "macro") {}
double F1Score::compute() const {
  return reduce([](double tp, double fp, double fn, double) { return safe_div(2 * tp, 2 * tp + fp + fn); });
}

// ---- ConfusionMatrix ----

ConfusionMatrix::ConfusionMatrix(ClassificationOptions options) : options_(std::move(options)) {
  NABLA_CHECK(options_.top_k == 1, ValueError, "ConfusionMatrix: top_k does not apply (got {})",
              options_.top_k);
  check_options(options_, "micro", "ConfusionMatrix");
  classes_ = is_binary(options_) ? 2 : options_.num_classes;
  reset();
}

void ConfusionMatrix::reset() {
  counts_.assign(static_cast<size_t>(classes_ * classes_), 0);
  samples_ = 0;
}

void ConfusionMatrix::update(const Tensor& preds, const Tensor& target) {
  LabelPairs pairs = to_pairs(options_, preds, target, "ConfusionMatrix.update");
  for (size_t i = 0; i < pairs.pred.size(); ++i) ++counts_[pairs.target[i] * classes_ + pairs.pred[i]];
  samples_ += static_cast<int64_t>(pairs.pred.size());
}

Tensor ConfusionMatrix::compute() const { return from_buffer(counts_.data(), {classes_, classes_}, kInt64); }

std::vector<double> per_class_accuracy(const Tensor& confusion) {
  NABLA_CHECK(confusion.defined() && confusion.dim() == 2 && confusion.size(0) == confusion.size(1),
              ShapeError, "per_class_accuracy: expected a square [C, C] confusion matrix, got {}",
              confusion.defined() ? shape_str(confusion.sizes()) : std::string("an undefined tensor"));
  int64_t c = confusion.size(0);
  std::vector<double> v = confusion.detach().to_vector(), out(c);
  for (int64_t i = 0; i < c; ++i) {
    double row = 0;
    for (int64_t j = 0; j < c; ++j) row += v[i * c + j];
    out[i] = row == 0 ? std::nan("") : v[i * c + i] / row;
  }
  return out;
}

// ---- regression ----
namespace {

// Sum over elements of f(pred - target); ShapeError unless the shapes match.
template <typename F>
double sum_of_errors(const Tensor& preds, const Tensor& target, const char* who, F f) {
  NABLA_CHECK(preds.defined() && target.defined(), ValueError, "{}: preds and target must be defined", who);
  NABLA_CHECK(preds.sizes() == target.sizes(), ShapeError,
              "{}: preds {} and target {} must have the same shape", who, shape_str(preds.sizes()),
              shape_str(target.sizes()));
  std::vector<double> p = preds.detach().to_vector(), t = target.detach().to_vector();
  double sum = 0;
  for (size_t i = 0; i < p.size(); ++i) sum += f(p[i] - t[i]);
  return sum;
}

}  // namespace

void MeanSquaredError::update(const Tensor& preds, const Tensor& target) {
  sum_ += sum_of_errors(preds, target, "MeanSquaredError.update", [](double d) { return d * d; });
  count_ += preds.numel();
}

double MeanSquaredError::compute() const {
  NABLA_CHECK(count_ > 0, ValueError, "MeanSquaredError.compute: no samples seen (call update() first)");
  double mse = sum_ / static_cast<double>(count_);
  return options_.squared ? mse : std::sqrt(mse);
}

void MeanAbsoluteError::update(const Tensor& preds, const Tensor& target) {
  sum_ += sum_of_errors(preds, target, "MeanAbsoluteError.update", [](double d) { return std::abs(d); });
  count_ += preds.numel();
}

double MeanAbsoluteError::compute() const {
  NABLA_CHECK(count_ > 0, ValueError, "MeanAbsoluteError.compute: no samples seen (call update() first)");
  return sum_ / static_cast<double>(count_);
}

}  // namespace nabla::training
