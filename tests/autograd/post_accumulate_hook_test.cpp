// Tensor::register_post_accumulate_grad_hook (PyTorch 2.1's hook of the same name; DDP starts its
// bucketed allreduce from it): runs after backward has written a leaf's .grad, sees the leaf itself.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include "expect_error.h"

using namespace nabla;
using nabla::testing::expect_error;

namespace {
Tensor leaf(NestedList v) { return tensor(v, {.dtype = kFloat64, .requires_grad = true}); }
}  // namespace

TEST(PostAccumulateGradHook, SeesTheAccumulatedGradOfTheLeaf) {
  Tensor x = leaf({1., 2.});
  std::vector<std::vector<double>> seen;
  const TensorImpl* seen_impl = nullptr;
  x.register_post_accumulate_grad_hook([&](const Tensor& p) {
    seen_impl = p.impl();
    seen.push_back(p.grad().to_vector());
  });
  (x * x).sum().backward();  // grad 2x
  (x * 3).sum().backward();  // accumulated: 2x + 3
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], (std::vector<double>{2, 4}));
  EXPECT_EQ(seen[1], (std::vector<double>{5, 7}));
  EXPECT_EQ(seen_impl, x.impl());
}

TEST(PostAccumulateGradHook, RunsOncePerBackwardForALeafUsedTwice) {
  Tensor x = leaf({1., 2.});
  int calls = 0;
  x.register_post_accumulate_grad_hook([&](const Tensor&) { ++calls; });
  (x * x + x.exp()).sum().backward();
  EXPECT_EQ(calls, 1);
}

TEST(PostAccumulateGradHook, RunsAfterTheGradientHooksAndIsRemovable) {
  Tensor x = leaf({1.});
  std::vector<std::string> order;
  x.register_hook([&](const Tensor& g) {
    order.push_back("grad");
    return g * 10;
  });
  int id = x.register_post_accumulate_grad_hook([&](const Tensor& p) {
    order.push_back("post");
    EXPECT_EQ(p.grad().item<double>(), 10.0);  // the hooked gradient was accumulated
  });
  (x * 1).sum().backward();
  EXPECT_EQ(order, (std::vector<std::string>{"grad", "post"}));
  x.remove_hook(id);
  (x * 1).sum().backward();
  EXPECT_EQ(order.size(), 3u);  // only the gradient hook ran again
}

TEST(PostAccumulateGradHook, NotForGradFnInputsOfAutogradGrad) {
  Tensor x = leaf({1., 2.});
  int calls = 0;
  x.register_post_accumulate_grad_hook([&](const Tensor&) { ++calls; });
  autograd::grad({(x * x).sum()}, {x});  // grad() never writes .grad, so no hook
  EXPECT_EQ(calls, 0);
}

TEST(PostAccumulateGradHook, Errors) {
  expect_error<AutogradError>([] { ones({2}).register_post_accumulate_grad_hook([](const Tensor&) {}); },
                              {"register_post_accumulate_grad_hook", "doesn't require gradient"});
  Tensor x = leaf({1.});
  Tensor y = x * 2;
  expect_error<AutogradError>([&] { y.register_post_accumulate_grad_hook([](const Tensor&) {}); },
                              {"register_post_accumulate_grad_hook", "non-leaf"});
}
