// Trainer::fit when the loss stops being finite (issue #18): OnNan::Stop throws one clear message
// before any callback sees the bad epoch, OnNan::Warn warns once and goes on, and a huge finite loss
// warns once that training is diverging.
#include "nabla/train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nabla/data/dataset.h"
#include "nabla/nn/nn.h"
#include "nabla/optim/sgd.h"
#include "nabla/train/callbacks.h"
#include "parts_test_util.h"

using namespace nabla;
using training::test::throws;

namespace {

Tensor labels() {
  std::vector<int64_t> y(16);
  for (int64_t i = 0; i < 16; ++i) y[i] = i % 2;
  return from_buffer(y.data(), {16}, kInt64);
}

// 16 samples of 2 features, 2 classes, in 4 batches of 4.
struct Fixture {
  nn::Linear fc{2, 2};
  optim::SGD opt{fc.parameters(), {.lr = 0.1}};
  std::shared_ptr<data::TensorDataset> ds;
  data::DataLoader train, val;
  int64_t calls = 0;
  Fixture()
      : ds(std::make_shared<data::TensorDataset>(randn({16, 2}), labels())),
        train(ds, {.batch_size = 4, .seed = 1}),
        val(ds, {.batch_size = 16}) {}
  // Cross-entropy, times `scale` from the `from`-th call on (counting train and val batches).
  training::LossFn loss(int64_t from, double scale) {
    return [this, from, scale](const Tensor& o, const Tensor& y) {
      Tensor l = F::cross_entropy(o, y);
      return ++calls >= from ? l * scale : l;
    };
  }
};

// Records the epochs the callbacks saw.
struct Seen : training::Callback {
  std::vector<training::Metrics> epochs;
  void on_epoch_end(training::Trainer&, int64_t, const training::Metrics& m) override { epochs.push_back(m); }
};

bool all_finite(const Tensor& t) {
  Tensor c = t.contiguous();
  const float* p = c.data_ptr<float>();
  for (int64_t i = 0; i < c.numel(); ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST(TrainerOnNan, StopThrowsBeforeTheStepAndBeforeCallbacks) {
  Fixture f;
  // Calls 1-4: epoch 1's train batches, 5: its val batch, 6-9: epoch 2, 10: val, 11: epoch 3 batch 0.
  training::Trainer t(f.fc, f.loss(11, kNaN), f.opt);
  auto seen = std::make_shared<Seen>();
  t.add_callback(seen);
  EXPECT_EQ(t.on_nan, training::OnNan::Stop);  // the default
  EXPECT_TRUE(
      throws<ValueError>([&] { t.fit(f.train, &f.val, 5); }, {"train loss", "nan", "epoch 3 batch 0"}));
  EXPECT_EQ(seen->epochs.size(), 2u);
  EXPECT_EQ(t.epoch(), 2);
  for (auto& p : f.fc.parameters()) EXPECT_TRUE(all_finite(p));  // no NaN step
}

TEST(TrainerOnNan, StopOnANonFiniteValidationLoss) {
  Fixture f;
  training::Trainer t(f.fc, f.loss(10, std::numeric_limits<double>::infinity()), f.opt);
  t.num_classes = 2;
  auto seen = std::make_shared<Seen>();
  t.add_callback(seen);
  // Call 10 is epoch 2's validation batch.
  EXPECT_TRUE(throws<ValueError>([&] { t.fit(f.train, &f.val, 5); }, {"val_loss", "inf", "epoch 2"}));
  EXPECT_EQ(seen->epochs.size(), 1u);
}

TEST(TrainerOnNan, WarnWarnsOnceAndGoesOn) {
  Fixture f;
  training::Trainer t(f.fc, f.loss(6, kNaN), f.opt);
  t.on_nan = training::OnNan::Warn;
  std::vector<std::string> warnings;
  t.on_warning = [&](const std::string& w) { warnings.push_back(w); };
  auto history = t.fit(f.train, &f.val, 3);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_TRUE(std::isnan(history[2].at("val_loss")));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("nan"), std::string::npos) << warnings[0];
}

// An overflowing weight with every loss finite (a huge lr overflows running statistics this way): the
// epoch's checkpoint would be one nabla refuses to evaluate, so the run stops as for a NaN loss.
TEST(TrainerOnNan, StopWhenAWeightBecomesNonFiniteWithFiniteLosses) {
  Fixture f;
  int64_t calls = 0;
  auto overflow_bias_at_call_4 = [&](const Tensor& o, const Tensor& y) {
    Tensor l = F::cross_entropy(o, y);
    if (++calls == 4) {  // epoch 1's last train batch, after its loss was computed
      NoGradGuard no_grad;
      for (auto& [name, p] : f.fc.named_parameters())
        if (name == "bias") p.detach().fill_(std::numeric_limits<double>::infinity());
    }
    return l;
  };
  training::Trainer t(f.fc, overflow_bias_at_call_4, f.opt);
  auto seen = std::make_shared<Seen>();
  t.add_callback(seen);
  EXPECT_TRUE(throws<ValueError>([&] { t.fit(f.train, &f.val, 3); }, {"'bias'", "NaN or inf", "epoch 1"}));
  EXPECT_TRUE(seen->epochs.empty()) << "no callback (checkpoint) saw the epoch";
}

TEST(TrainerOnNan, AHugeFiniteLossWarnsOnceThatTrainingDiverges) {
  Fixture f;
  // A constant added to the loss: huge values, ordinary gradients.
  training::Trainer t(
      f.fc, [](const Tensor& o, const Tensor& y) { return F::cross_entropy(o, y) + 1e13; }, f.opt);
  std::vector<std::string> warnings;
  t.on_warning = [&](const std::string& w) { warnings.push_back(w); };
  auto history = t.fit(f.train, &f.val, 2);
  EXPECT_EQ(history.size(), 2u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("diverging"), std::string::npos) << warnings[0];
}

TEST(TrainerOnNan, ANaNIsNeverTheBestCheckpoint) {
  Fixture f;
  training::Trainer t(f.fc, f.loss(1, 1.0), f.opt);
  std::vector<std::string> saved;
  training::ModelCheckpoint cp([&](training::Trainer&, const std::string& p) { saved.push_back(p); }, "",
                               "best");
  cp.on_epoch_end(t, 1, {{"val_loss", kNaN}});
  EXPECT_TRUE(saved.empty());
  EXPECT_FALSE(cp.best().has_value());
  cp.on_epoch_end(t, 2, {{"val_loss", 0.5}});
  EXPECT_EQ(saved.size(), 1u);
}
