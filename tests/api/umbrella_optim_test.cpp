// nabla/optim/optim.h compiles on its own and gives nabla::optim.
#include <gtest/gtest.h>

#include "nabla/core.h"  // after the umbrella: only to make inputs
#include "nabla/optim/optim.h"

TEST(UmbrellaOptim, Optimizers) {
  nabla::Tensor w = nabla::zeros({2}).requires_grad_();
  nabla::optim::SGD opt({w}, {.lr = 0.5});
  nabla::optim::StepLR sched(opt, 1);
  EXPECT_EQ(opt.param_groups()[0].lr(), 0.5);
}
