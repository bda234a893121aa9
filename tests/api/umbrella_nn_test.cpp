// nabla/nn/nn.h compiles on its own and gives nabla::nn.
#include <gtest/gtest.h>

#include "nabla/nn/nn.h"

TEST(UmbrellaNn, Modules) {
  nabla::nn::Linear fc(3, 2);
  EXPECT_EQ(fc(nabla::ones({4, 3})).size(1), 2);
}
