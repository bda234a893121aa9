// expect_values.h — element checks against values printed by torch: NaN matches NaN, infinities
// match exactly, finite values to a tolerance; and the NaN/inf probe the activation tests share.
#pragma once
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>
#include <functional>
#include <utility>
#include <vector>

namespace nabla::testing {

inline constexpr double kNan = NAN, kInf = INFINITY;

// t's elements equal want's (NaN matches NaN, infinities exactly, finite values to tol).
inline void expect_values(const Tensor& t, const std::vector<double>& want, double tol = 1e-5) {
  const std::vector<double> got = t.to_vector();
  ASSERT_EQ(got.size(), want.size()) << t;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i]))
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i << " of " << t;
    else if (std::isinf(want[i]))
      EXPECT_EQ(got[i], want[i]) << "element " << i << " of " << t;
    else
      EXPECT_NEAR(got[i], want[i], tol * (1 + std::abs(want[i]))) << "element " << i << " of " << t;
  }
}

// y = f(x) for x = [NaN, inf, -inf, 1, -1] (float32) and the gradient of y.sum(), as the torch one-liner
// x = torch.tensor([nan, inf, -inf, 1., -1.], requires_grad=True); y = f(x); y.sum().backward()
inline std::pair<Tensor, Tensor> value_and_grad(const std::function<Tensor(const Tensor&)>& f) {
  Tensor x = tensor({kNan, kInf, -kInf, 1.0, -1.0}, {.dtype = kFloat32}).requires_grad_();
  Tensor y = f(x);
  y.sum().backward();
  return {y, x.grad()};
}

}  // namespace nabla::testing
