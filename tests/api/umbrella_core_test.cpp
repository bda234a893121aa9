// nabla/core.h compiles on its own (it is included first, before anything else) and gives tensors,
// ops and autograd.
#include <gtest/gtest.h>

#include "nabla/core.h"

TEST(UmbrellaCore, TensorsOpsAutograd) {
  nabla::Tensor x = nabla::ones({2}).requires_grad_();
  (x * x).sum().backward();
  EXPECT_EQ(x.grad().sum().item<double>(), 4);
}
