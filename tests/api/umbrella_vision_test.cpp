// nabla/vision/vision.h compiles on its own and gives nabla::vision::models.
#include <gtest/gtest.h>

#include "nabla/core.h"  // after the umbrella: only to make inputs
#include "nabla/vision/vision.h"

TEST(UmbrellaVision, VisionLayer) {
  auto model = nabla::vision::models::mobilenet_v2({.num_classes = 3});
  model->eval();
  EXPECT_EQ((*model)(nabla::randn({1, 3, 8, 8})).sizes().vec(), (std::vector<int64_t>{1, 3}));
}
