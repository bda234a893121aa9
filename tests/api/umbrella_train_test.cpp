// nabla/train/train.h compiles on its own and gives nabla::training.
#include <gtest/gtest.h>

#include "nabla/core.h"  // after the umbrella: only to make inputs
#include "nabla/train/train.h"

TEST(UmbrellaTrain, TrainingLayer) {
  nabla::training::Accuracy acc({.num_classes = 3});
  acc.update(nabla::eye(3), nabla::arange(3));
  EXPECT_EQ(acc.compute(), 1.0);
}
