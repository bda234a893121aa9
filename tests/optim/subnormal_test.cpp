// The optimizer updates' subnormal flushing (Note [Optimizer updates flush subnormals]): with an eps
// that dominates, subnormal state is flushed and the parameter is what IEEE arithmetic gives; with
// eps = 0 the update keeps IEEE arithmetic, so a subnormal second moment still divides to a finite step.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>
#include <limits>

using namespace nabla;

namespace {

constexpr float kTiny = 1e-39f;  // subnormal: below 2^-126 = 1.18e-38
static_assert(kTiny < std::numeric_limits<float>::min() && kTiny > 0);

float at(const Tensor& t, int64_t i) { return t.data_ptr<float>()[i]; }

// One Adam step on p = [1, 1e-3] with grad 0, after the first step's state was replaced by subnormals.
struct AdamWithSubnormalState {
  Tensor p = tensor({1.0f, 1e-3f}).requires_grad_();
  optim::Adam opt;
  explicit AdamWithSubnormalState(double eps) : opt({p}, {.lr = 0.1, .eps = eps}) {
    p.set_grad(ones({2}));
    opt.step();  // creates the state, step = 1
    {
      NoGradGuard no_grad;
      p.copy_(tensor({1.0f, 1e-3f}));
    }
    optim::ParamState& s = *const_cast<optim::ParamState*>(opt.state(p));
    s.at("exp_avg").fill_(kTiny);
    s.at("exp_avg_sq").fill_(kTiny);
    p.set_grad(zeros({2}));
    opt.step();  // step 2: m = 0.9 m, v = 0.999 v, both subnormal in IEEE arithmetic
  }
  Tensor state(const char* name) const { return opt.state(p)->at(name); }
};

}  // namespace

TEST(OptimSubnormal, AdamWithDefaultEpsFlushesStateAndKeepsTheIeeeParameter) {
  AdamWithSubnormalState a(1e-8);
  // IEEE: the step is lr / (1 - 0.9^2) * 0.9e-39 / (sqrt(0.999e-39) / sqrt(1 - 0.999^2) + 1e-8) ~ 5e-32,
  // below half an ulp of either parameter, so both stay as they were.
  EXPECT_EQ(at(a.p, 0), 1.0f);
  EXPECT_EQ(at(a.p, 1), 1e-3f);
#if defined(__x86_64__)
  EXPECT_EQ(at(a.state("exp_avg"), 0), 0.0f);  // flushed where PyTorch would store 0.9e-39
  EXPECT_EQ(at(a.state("exp_avg_sq"), 1), 0.0f);
#endif
}

TEST(OptimSubnormal, AdamWithZeroEpsKeepsIeeeArithmetic) {
  AdamWithSubnormalState a(0.0);
  // Flushing here would give 0 / 0; IEEE divides two subnormals into a finite step.
  const float m = 0.9f * kTiny, v = 0.999f * kTiny;
  EXPECT_EQ(at(a.state("exp_avg"), 0), m);
  EXPECT_EQ(at(a.state("exp_avg_sq"), 0), v);
  const double bc1 = 1 - 0.9 * 0.9, bc2 = 1 - 0.999 * 0.999;
  const double step = 0.1 / bc1 * m / (std::sqrt(double(v)) / std::sqrt(bc2));
  for (int64_t i = 0; i < 2; ++i) {
    const float before = i == 0 ? 1.0f : 1e-3f;
    EXPECT_TRUE(std::isfinite(at(a.p, i)));
    EXPECT_NEAR(at(a.p, i), before - step, 1e-6 * before) << i;
  }
}

TEST(OptimSubnormal, AdagradFlushesOnlyWithADominatingEps) {
  for (double eps : {1e-8, 0.0}) {
    Tensor p = tensor({1.0f}).requires_grad_();
    optim::Adagrad opt({p}, {.lr = 0.1, .eps = eps});
    p.set_grad(full({1}, kTiny));
    opt.step();  // sum = g^2 underflows to 0 in any arithmetic; g itself is subnormal
    // IEEE: 1 - 0.1 * 1e-39 / (0 + eps) is 1 with eps = 1e-8 (flushed or not), and 1 - 0.1 * g / 0 is
    // -inf with eps = 0 (flushing g would make it 0 / 0, NaN).
    EXPECT_EQ(at(p, 0), eps > 0 ? 1.0f : -std::numeric_limits<float>::infinity()) << eps;
  }
}
