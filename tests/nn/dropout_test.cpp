// F::dropout builds its keep-mask in one pass (kernels::dropout_mask). These tests pin that it is the
// same mask, draw for draw, as the composite it replaced — rand(), `>= p`, convert, `* 1/(1-p)` — so
// seeded runs recorded before the change reproduce; and that its gradient is the mask.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {

// The mask as dropout computed it before the fused kernel.
Tensor composite_mask(IntArrayRef shape, DType dtype, double p) {
  Tensor u = rand(shape, {.dtype = dtype});
  return (u >= p).to(dtype) * (1.0 / (1.0 - p));
}

}  // namespace

TEST(Dropout, SameMaskAsTheCompositeForTheSameSeed) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    for (double p : {0.1, 0.2, 1.0 / 3, 0.5, 0.9}) {
      Tensor x = ones({7, 129}, {.dtype = dtype});
      manual_seed(42);
      Tensor expected = composite_mask(x.sizes(), dtype, p);
      manual_seed(42);
      Tensor got = F::dropout(x, p, /*training=*/true);
      EXPECT_TRUE(equal(got, expected)) << "dtype " << static_cast<int>(dtype) << " p " << p;
      // The stream continues where the composite's would: the next draw is the same too.
      Tensor after = rand({3}, {.dtype = dtype});
      manual_seed(42);
      composite_mask(x.sizes(), dtype, p);
      EXPECT_TRUE(equal(after, rand({3}, {.dtype = dtype})));
    }
  }
}

TEST(Dropout, ExplicitGeneratorIsUsedAndDefaultIsNot) {
  RandomGenerator gen(7), same(7);
  manual_seed(1);
  Tensor before = rand({4});
  manual_seed(1);
  Tensor x = ones({1000});
  Tensor a = F::dropout(x, 0.3, true, &gen);
  EXPECT_TRUE(equal(rand({4}), before));  // the default stream was not consumed
  Tensor u = rand({1000}, {}, &same);
  EXPECT_TRUE(equal(a, (u >= 0.3).to(DType::Float32) * (1.0 / 0.7)));
}

TEST(Dropout, GradientIsTheMaskAndKeptFractionIsAboutOneMinusP) {
  manual_seed(3);
  Tensor x = randn({200, 100}).requires_grad_();
  Tensor y = F::dropout(x, 0.25, true);
  y.sum().backward();
  Tensor mask = x.grad();
  // y = x * mask, with mask in {0, 1/(1-p)}.
  EXPECT_TRUE(allclose(y, x.detach() * mask));
  EXPECT_TRUE(equal((mask == 0) || (mask == 1.0f / 0.75f), ones({200, 100}, {.dtype = DType::Bool})));
  double kept = (mask > 0).to(DType::Float64).mean().item<double>();
  EXPECT_NEAR(kept, 0.75, 0.02);  // 20,000 draws: the standard deviation is 0.003
}

TEST(Dropout, ReducedFloatsAndEvalAndEdgeProbabilities) {
  Tensor x = ones({64}, {.dtype = DType::BFloat16});
  Tensor y = F::dropout(x, 0.5, true);
  EXPECT_EQ(y.dtype(), DType::BFloat16);
  EXPECT_TRUE(equal((y == 0) || (y == 2), ones({64}, {.dtype = DType::Bool})));
  Tensor z = randn({5});
  EXPECT_TRUE(equal(F::dropout(z, 0.5, /*training=*/false), z));
  EXPECT_TRUE(equal(F::dropout(z, 0.0, true), z));
  EXPECT_TRUE(equal(F::dropout(z, 1.0, true), zeros({5})));
}
