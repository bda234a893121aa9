// Default initialisation follows torch.nn's distributions, and nn::init matches torch.nn.init's formulas.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>

using namespace nabla;

namespace {
// Max |x| and standard deviation of a tensor's elements.
std::pair<double, double> spread(const Tensor& t) {
  return {t.abs().max().item<double>(), t.to(kFloat64).std().item<double>()};
}
}  // namespace

TEST(Init, LinearAndConvAreUniformOneOverSqrtFanIn) {
  manual_seed(0);
  nn::Linear lin(400, 300);
  const double bound =
      1 / std::sqrt(400.0);  // kaiming_uniform_(a=sqrt(5)) == U(-1/sqrt(fan_in), 1/sqrt(fan_in))
  auto [wmax, wstd] = spread(lin.weight);
  EXPECT_LE(wmax, bound);
  EXPECT_GT(wmax, 0.99 * bound);
  EXPECT_NEAR(wstd, bound / std::sqrt(3.0), 0.01 * bound);
  EXPECT_LE(spread(lin.bias).first, bound);
  nn::Conv2d conv(16, 64, 3);
  const double cb = 1 / std::sqrt(16.0 * 9);
  auto [cmax, cstd] = spread(conv.weight);
  EXPECT_LE(cmax, cb);
  EXPECT_NEAR(cstd, cb / std::sqrt(3.0), 0.03 * cb);
}

TEST(Init, NormEmbeddingAndRecurrentDefaults) {
  nn::BatchNorm2d bn(8);
  EXPECT_TRUE(equal(bn.weight, ones({8})));
  EXPECT_TRUE(equal(bn.bias, zeros({8})));
  EXPECT_TRUE(equal(bn.running_var, ones({8})));
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 0);
  nn::Embedding emb(1000, 64, 3);
  EXPECT_NEAR(spread(emb.weight).second, 1.0, 0.03);  // N(0, 1)
  EXPECT_TRUE(equal(emb.weight.select(0, 3), zeros({64})));
  nn::GRU gru(32, 100);
  for (auto& [name, p] : gru.named_parameters())
    EXPECT_LE(spread(p).first, 0.1) << name;  // U(-1/sqrt(H), 1/sqrt(H))
}

TEST(Init, FunctionsFollowTorchFormulas) {
  Tensor w = empty({200, 300});
  nn::init::xavier_uniform_(w);
  EXPECT_LE(spread(w).first, std::sqrt(6.0 / 500));
  nn::init::kaiming_normal_(w, 0, nn::init::FanMode::FanIn, "relu");
  EXPECT_NEAR(spread(w).second, std::sqrt(2.0 / 300), 0.03 * std::sqrt(2.0 / 300));
  Tensor q = empty({6, 4});
  nn::init::orthogonal_(q);
  EXPECT_TRUE(allclose(matmul(q.t(), q), eye(4), 1e-5, 1e-5));  // orthonormal columns
  EXPECT_NEAR(nn::init::calculate_gain("leaky_relu", 0.2), std::sqrt(2.0 / 1.04), 1e-12);
  EXPECT_THROW(nn::init::calculate_gain("swish"), ValueError);
}
