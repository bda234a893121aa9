// metrics_test.cpp — nabla::training metrics against tests/golden/metrics.json (torchmetrics' formulas
// computed with torch by tests/golden/gen_metrics_golden.py), torchmetrics' documented examples, exact
// accumulation over many updates, and the user errors.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "golden/golden_json.h"
#include "nabla/nabla.h"
#include "train/parts_test_util.h"

namespace nabla::training {
namespace {

using json = nlohmann::json;
using test::throws;

const json& golden() {
  static const json j = golden_io::load_json("metrics.json");
  return j;
}

Tensor tensor_from_json(const json& j) {
  std::vector<int64_t> shape = j["shape"].get<std::vector<int64_t>>();
  std::vector<double> data = j["data"].get<std::vector<double>>();
  std::string dt = j["dtype"];
  Tensor t = from_buffer(data.data(), shape, kFloat64);  // exact for float32 values and small ints
  if (dt == "float32") return t.to(kFloat32);
  if (dt == "int64") return t.to(kInt64);
  if (dt == "bool") return t.to(kBool);
  return t;
}

template <typename M>
double run(M metric, const json& c) {
  for (const auto& b : c["batches"])
    metric.update(tensor_from_json(b["preds"]), tensor_from_json(b["target"]));
  return metric.compute();
}

std::vector<int64_t> confusion_of(const ClassificationOptions& o, const json& c) {
  ConfusionMatrix cm(o);
  for (const auto& b : c["batches"]) cm.update(tensor_from_json(b["preds"]), tensor_from_json(b["target"]));
  Tensor m = cm.compute();
  EXPECT_EQ(m.dtype(), kInt64);
  std::vector<double> v = m.to_vector();
  return {v.begin(), v.end()};
}

TEST(MetricsGolden, Multiclass) {
  int checked = 0;
  for (const auto& c : golden()["cases"]) {
    if (c["kind"] != "multiclass") continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    int64_t num_classes = c["options"]["num_classes"], top_k = c["options"]["top_k"];
    for (std::string avg : {"micro", "macro", "weighted"}) {
      ClassificationOptions o{.num_classes = num_classes, .top_k = top_k, .average = avg};
      const json& e = c["expected"];
      EXPECT_NEAR(run(Accuracy(o), c), e["accuracy_" + avg].get<double>(), 1e-12) << avg;
      EXPECT_NEAR(run(Precision(o), c), e["precision_" + avg].get<double>(), 1e-12) << avg;
      EXPECT_NEAR(run(Recall(o), c), e["recall_" + avg].get<double>(), 1e-12) << avg;
      EXPECT_NEAR(run(F1Score(o), c), e["f1_" + avg].get<double>(), 1e-12) << avg;
      checked += 4;
    }
    if (top_k == 1) {
      EXPECT_EQ(confusion_of({.num_classes = num_classes}, c),
                c["expected"]["confusion"].get<std::vector<int64_t>>());
    }
  }
  EXPECT_EQ(checked, 5 * 12);
}

TEST(MetricsGolden, Binary) {
  int checked = 0;
  for (const auto& c : golden()["cases"]) {
    if (c["kind"] != "binary") continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    ClassificationOptions o{.task = "binary", .threshold = c["options"]["threshold"].get<double>()};
    const json& e = c["expected"];
    EXPECT_NEAR(run(Accuracy(o), c), e["accuracy"].get<double>(), 1e-12);
    EXPECT_NEAR(run(Precision(o), c), e["precision"].get<double>(), 1e-12);
    EXPECT_NEAR(run(Recall(o), c), e["recall"].get<double>(), 1e-12);
    EXPECT_NEAR(run(F1Score(o), c), e["f1"].get<double>(), 1e-12);
    EXPECT_EQ(confusion_of(o, c), e["confusion"].get<std::vector<int64_t>>());
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(MetricsGolden, Regression) {
  int checked = 0;
  for (const auto& c : golden()["cases"]) {
    if (c["kind"] != "regression") continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    const json& e = c["expected"];
    EXPECT_NEAR(run(MeanSquaredError(), c), e["mse"].get<double>(), 1e-12);
    EXPECT_NEAR(run(MeanSquaredError({.squared = false}), c), e["rmse"].get<double>(), 1e-12);
    EXPECT_NEAR(run(MeanAbsoluteError(), c), e["mae"].get<double>(), 1e-12);
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

// The examples of torchmetrics' documentation (MulticlassAccuracy, MulticlassF1Score, BinaryAccuracy...).
TEST(Metrics, TorchmetricsDocExamples) {
  Tensor target = tensor({2, 1, 0, 0}), preds = tensor({2, 1, 0, 1});
  Tensor scores = tensor({{0.16, 0.26, 0.58}, {0.22, 0.61, 0.17}, {0.71, 0.09, 0.20}, {0.05, 0.82, 0.13}});
  for (const Tensor& p : {preds, scores}) {
    Accuracy acc_macro({.num_classes = 3, .average = "macro"});
    acc_macro.update(p, target);
    EXPECT_NEAR(acc_macro.compute(), 0.8333333, 1e-6);
    Accuracy acc({.num_classes = 3});
    acc.update(p, target);
    EXPECT_DOUBLE_EQ(acc.compute(), 0.75);
    Precision prec({.num_classes = 3});
    prec.update(p, target);
    EXPECT_NEAR(prec.compute(), 0.8333333, 1e-6);
    Recall rec({.num_classes = 3});
    rec.update(p, target);
    EXPECT_NEAR(rec.compute(), 0.8333333, 1e-6);
    F1Score f1({.num_classes = 3});
    f1.update(p, target);
    EXPECT_NEAR(f1.compute(), 0.7777778, 1e-6);
  }
  Accuracy bin({.task = "binary"});
  bin.update(tensor({0, 0, 1, 1, 0, 1}), tensor({0, 1, 0, 1, 0, 1}));
  EXPECT_NEAR(bin.compute(), 0.6666667, 1e-6);
  bin.reset();
  bin.update(tensor({0.11, 0.22, 0.84, 0.73, 0.33, 0.92}), tensor({0, 1, 0, 1, 0, 1}));
  EXPECT_NEAR(bin.compute(), 0.6666667, 1e-6);
}

TEST(Metrics, ConfusionMatrixLayoutAndPerClassAccuracy) {
  ConfusionMatrix cm({.num_classes = 3});
  cm.update(tensor({2, 1, 0, 1}), tensor({2, 1, 0, 0}));
  Tensor m = cm.compute();
  ASSERT_EQ(m.sizes().vec(), (std::vector<int64_t>{3, 3}));
  // Row = true class: the sample of class 0 predicted as 1 is at [0, 1].
  EXPECT_EQ(m.to_vector(), (std::vector<double>{1, 1, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(cm.num_samples(), 4);
  std::vector<double> acc = per_class_accuracy(m);
  EXPECT_EQ(acc, (std::vector<double>{0.5, 1.0, 1.0}));
  std::vector<double> with_empty = per_class_accuracy(tensor({{3, 1}, {0, 0}}));
  EXPECT_DOUBLE_EQ(with_empty[0], 0.75);
  EXPECT_TRUE(std::isnan(with_empty[1]));
  cm.reset();
  EXPECT_EQ(cm.compute().sum().item<int64_t>(), 0);
}

TEST(Metrics, TopKUsesTheTargetWhenItIsAmongTheTopK) {
  Tensor scores = tensor({{0.1, 0.5, 0.4}, {0.1, 0.5, 0.4}, {0.6, 0.3, 0.1}});
  Tensor target = tensor({2, 0, 1});
  Accuracy top1({.num_classes = 3}), top2({.num_classes = 3, .top_k = 2}),
      top3({.num_classes = 3, .top_k = 3});
  for (Accuracy* a : {&top1, &top2, &top3}) a->update(scores, target);
  EXPECT_DOUBLE_EQ(top1.compute(), 0.0);
  EXPECT_DOUBLE_EQ(top2.compute(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(top3.compute(), 1.0);
  // Sample 2 (target 0, top-2 = {1, 2}) counts as predicted 1: precision of class 1 = 0/1.
  Precision p({.num_classes = 3, .top_k = 2, .average = "micro"});
  p.update(scores, target);
  EXPECT_DOUBLE_EQ(p.compute(), 2.0 / 3.0);
}

TEST(Metrics, TiesGoToTheLowerClassLikeArgmax) {
  Accuracy acc({.num_classes = 3});
  acc.update(tensor({{1.0, 1.0, 0.0}, {0.0, 2.0, 2.0}}), tensor({0, 1}));
  EXPECT_DOUBLE_EQ(acc.compute(), 1.0);
}

TEST(Metrics, AccumulationIsExactOverManyUpdates) {
  Tensor scores = tensor({{0.9, 0.1}, {0.2, 0.8}, {0.7, 0.3}}), target = tensor({0, 0, 1});  // 1 of 3 right
  Accuracy acc({.num_classes = 2});
  F1Score f1({.num_classes = 2});
  MeanAbsoluteError mae;
  for (int i = 0; i < 3000; ++i) {
    acc.update(scores, target);
    f1.update(scores, target);
    mae.update(tensor({0.1, 0.2}, {.dtype = kFloat64}), tensor({0.0, 0.0}, {.dtype = kFloat64}));
  }
  EXPECT_EQ(acc.num_samples(), 9000);
  EXPECT_EQ(acc.compute(), 1.0 / 3.0);  // int64 counts: exactly the single-batch ratio
  F1Score once({.num_classes = 2});
  once.update(scores, target);
  EXPECT_EQ(f1.compute(), once.compute());
  EXPECT_NEAR(mae.compute(), 0.15, 1e-13);
}

TEST(Metrics, ExtraDimsNonContiguousAndGradInputs) {
  // preds [N, C, L] and a transposed (non-contiguous) view give the same result as the flat form.
  Tensor scores = tensor({{{0.9, 0.1}, {0.1, 0.9}}, {{0.3, 0.6}, {0.7, 0.4}}});  // [N=2, C=2, L=2]
  // Predicted (n, l): (0, 0) -> 0, (0, 1) -> 1, (1, 0) -> 1 (0.3 < 0.7), (1, 1) -> 0 (0.6 > 0.4).
  Tensor target = tensor({{0, 1}, {1, 1}});
  Accuracy acc({.num_classes = 2});
  acc.update(scores, target);
  EXPECT_DOUBLE_EQ(acc.compute(), 0.75);
  Tensor t = tensor({{0.2, 0.7}, {0.8, 0.3}}).t();  // rows (0.2, 0.8), (0.7, 0.3)
  ASSERT_FALSE(t.is_contiguous());
  Tensor g = t.clone().requires_grad_();
  Accuracy a2({.num_classes = 2}), a3({.num_classes = 2});
  a2.update(t, tensor({1, 0}));
  a3.update(g * 2.0, tensor({1, 1}));
  EXPECT_DOUBLE_EQ(a2.compute(), 1.0);
  EXPECT_DOUBLE_EQ(a3.compute(), 0.5);
}

TEST(Metrics, BinaryLogitsFloatTargetsAndNames) {
  Accuracy acc({.task = "binary"});
  acc.update(tensor({-2.0f, 3.0f, 0.5f}), tensor({0.0f, 1.0f, 1.0f}));  // logits: sigmoid(0.5) > 0.5
  EXPECT_DOUBLE_EQ(acc.compute(), 1.0);
  EXPECT_EQ(acc.name(), "accuracy");
  EXPECT_EQ(Precision({.num_classes = 2}).name(), "precision");
  EXPECT_EQ(Recall({.num_classes = 2}).name(), "recall");
  EXPECT_EQ(F1Score({.num_classes = 2}).name(), "f1");
  EXPECT_EQ(ConfusionMatrix({.num_classes = 2}).name(), "confusion_matrix");
  EXPECT_EQ(MeanSquaredError().name(), "mse");
  EXPECT_EQ(MeanSquaredError({.squared = false}).name(), "rmse");
  EXPECT_EQ(MeanAbsoluteError().name(), "mae");
  std::vector<std::unique_ptr<ScalarMetric>> all;
  all.push_back(std::make_unique<Accuracy>(ClassificationOptions{.num_classes = 2}));
  all.push_back(std::make_unique<MeanSquaredError>());
  for (auto& m : all) m->update(tensor({1, 0}), tensor({1, 1}));
  EXPECT_DOUBLE_EQ(all[0]->compute(), 0.5);
  EXPECT_DOUBLE_EQ(all[1]->compute(), 0.5);
}

TEST(MetricsErrors, Options) {
  EXPECT_TRUE(throws<ValueError>([] { Accuracy a; }, {"Accuracy", "num_classes >= 2", "got 0"}));
  EXPECT_TRUE(throws<ValueError>([] { Accuracy a({.task = "multilabel", .num_classes = 3}); },
                                 {"Accuracy", "task", "multilabel"}));
  EXPECT_TRUE(throws<ValueError>([] { F1Score f({.num_classes = 3, .average = "samples"}); },
                                 {"F1Score", "average", "samples"}));
  EXPECT_TRUE(
      throws<ValueError>([] { Precision p({.num_classes = 3, .top_k = 4}); }, {"Precision", "top_k", "4"}));
  EXPECT_TRUE(
      throws<ValueError>([] { Recall r({.task = "binary", .threshold = 1.5}); }, {"Recall", "threshold"}));
  EXPECT_TRUE(throws<ValueError>([] { ConfusionMatrix c({.num_classes = 3, .top_k = 2}); },
                                 {"ConfusionMatrix", "top_k"}));
}

TEST(MetricsErrors, Inputs) {
  Accuracy acc({.num_classes = 3});
  EXPECT_TRUE(throws<ShapeError>(
      [&] {
        acc.update(zeros({4, 3}), tensor({0, 1, 2}));
      },
      {"Accuracy.update", "[4, 3]", "[3]"}));
  EXPECT_TRUE(throws<ShapeError>(
      [&] {
        acc.update(zeros({3, 4}), tensor({0, 1, 2}));
      },
      {"Accuracy.update", "[3, 4]", "3 classes"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        acc.update(zeros({2, 3}), tensor({0, 3}));
      },
      {"Accuracy.update", "target value 3", "[0, 3)"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        acc.update(tensor({0, -1}), tensor({0, 1}));
      },
      {"Accuracy.update", "preds value -1"}));
  EXPECT_TRUE(throws<ValueError>([&] { acc.update(zeros({1, 3}), tensor({0.5})); }, {"target value 0.5"}));
  EXPECT_EQ(acc.num_samples(), 0);  // failed updates leave the state alone
  EXPECT_TRUE(throws<ValueError>([&] { (void)acc.compute(); }, {"Accuracy.compute", "update"}));
  Accuracy top2({.num_classes = 3, .top_k = 2});
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        top2.update(tensor({0, 1}), tensor({0, 1}));
      },
      {"top_k = 2", "score preds"}));
  Precision bin({.task = "binary"});
  EXPECT_TRUE(throws<ShapeError>(
      [&] {
        bin.update(zeros({4}), zeros({4, 1}));
      },
      {"Precision.update", "[4]", "[4, 1]"}));
  EXPECT_TRUE(throws<ValueError>([&] { bin.update(tensor({0, 2}), tensor({0, 1})); }, {"preds value 2"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        bin.update(tensor({0.5, 0.2}), tensor({0, 2}));
      },
      {"target value 2"}));
  MeanSquaredError mse;
  EXPECT_TRUE(throws<ShapeError>(
      [&] {
        mse.update(zeros({2, 3}), zeros({3, 2}));
      },
      {"MeanSquaredError.update", "[2, 3]", "[3, 2]"}));
  EXPECT_TRUE(
      throws<ValueError>([&] { (void)MeanAbsoluteError().compute(); }, {"MeanAbsoluteError.compute"}));
  EXPECT_TRUE(throws<ShapeError>(
      [] {
        per_class_accuracy(zeros({2, 3}));
      },
      {"per_class_accuracy", "[2, 3]"}));
}

}  // namespace
}  // namespace nabla::training
