// EarlyStopping's aggregate options: defaults, validation, and stopping after `patience` bad epochs.
#include "nabla/train/callbacks.h"

#include <gtest/gtest.h>

#include "expect_error.h"
#include "nabla/nn/nn.h"
#include "nabla/optim/sgd.h"

using namespace nabla;
using nabla::testing::expect_error;

TEST(EarlyStopping, OptionsAreAnAggregate) {
  const training::EarlyStoppingOptions defaults;
  EXPECT_EQ(defaults.monitor, "val_loss");
  EXPECT_EQ(defaults.patience, 3);
  EXPECT_EQ(defaults.mode, training::Mode::Min);
  EXPECT_EQ(defaults.min_delta, 0);
  expect_error<ValueError>([] { training::EarlyStopping stop({.patience = -1}); }, {"patience", "-1"});

  nn::Linear fc(2, 1);
  optim::SGD opt(fc.parameters(), {.lr = 0.1});
  training::Trainer trainer(
      fc, [](const Tensor& o, const Tensor&) { return o.sum(); }, opt);
  training::EarlyStopping stop({.monitor = "val_acc", .patience = 2, .mode = training::Mode::Max});
  stop.on_epoch_end(trainer, 0, {{"val_acc", 0.5}});
  stop.on_epoch_end(trainer, 1, {{"val_acc", 0.6}});
  stop.on_epoch_end(trainer, 2, {{"val_acc", 0.6}});
  EXPECT_FALSE(trainer.stopped());
  stop.on_epoch_end(trainer, 3, {{"val_acc", 0.55}});
  EXPECT_TRUE(trainer.stopped());
}
