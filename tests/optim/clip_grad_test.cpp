// clip_grad_norm_ / clip_grad_value_ against torch.nn.utils (tests/golden/optim.json).
#include <cmath>
#include <limits>

#include "optim_support.h"

using namespace nabla;
using namespace optim_test;

namespace {

std::vector<Tensor> params_with_grads(const Json& c, DType dtype) {
  std::vector<Tensor> params;
  for (size_t i = 0; i < c.at("shapes").size(); ++i) {
    const auto shape = c["shapes"][i].get<std::vector<int64_t>>();
    Tensor p = zeros(shape, {.dtype = dtype}).requires_grad_();
    p.set_grad(from_json(c.at("grads")[i], shape, dtype));
    params.push_back(p);
  }
  return params;
}

}  // namespace

TEST(ClipGradGolden, MatchesPyTorch) {
  for (const auto& c : golden().at("clip")) {
    const std::string name = c.at("name");
    const bool f32 = c.at("dtype") == "float32";
    const double rtol = f32 ? 1e-6 : 1e-12;
    std::vector<Tensor> params = params_with_grads(c, f32 ? kFloat32 : kFloat64);
    if (c.at("kind") == "norm") {
      const Json& nt = c.at("norm_type");
      const double inf = std::numeric_limits<double>::infinity();
      const double norm_type = nt.is_string() ? (nt == "inf" ? inf : -inf) : nt.get<double>();
      const double total = optim::clip_grad_norm_(params, c.at("max_norm"), norm_type);
      EXPECT_NEAR(total, c.at("total_norm").get<double>(), rtol * c.at("total_norm").get<double>()) << name;
    } else {
      optim::clip_grad_value_(params, c.at("clip_value"));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const auto expected = c.at("clipped")[i].get<std::vector<double>>();
      const auto actual = params[i].grad().to_vector();
      ASSERT_EQ(actual.size(), expected.size());
      for (size_t k = 0; k < actual.size(); ++k)
        EXPECT_NEAR(actual[k], expected[k], rtol * std::abs(expected[k]) + 1e-15) << name << " grad " << i;
    }
  }
}

TEST(ClipGrad, EdgeCases) {
  Tensor p = zeros({3}, {.dtype = kFloat64}).requires_grad_();
  EXPECT_EQ(optim::clip_grad_norm_(p, 1.0), 0.0);  // no gradient: nothing to clip
  p.set_grad(tensor({3.0, 4.0, 0.0}, {.dtype = kFloat64}));
  EXPECT_DOUBLE_EQ(optim::clip_grad_norm_(p, 1.0), 5.0);  // single-tensor overload
  EXPECT_NEAR(p.grad().norm().item<double>(), 1.0, 1e-6);
  p.set_grad(tensor({-3.0, 0.5, 2.0}, {.dtype = kFloat64}));
  optim::clip_grad_value_(p, 1.0);
  EXPECT_EQ(p.grad().to_vector(), (std::vector<double>{-1.0, 0.5, 1.0}));
  // Non-contiguous gradients are clipped in place like contiguous ones.
  Tensor q = zeros({2, 3}, {.dtype = kFloat64}).requires_grad_();
  q.set_grad(tensor({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}, {.dtype = kFloat64}).t());
  ASSERT_FALSE(q.grad().is_contiguous());
  const double total = optim::clip_grad_norm_(q, 1.0, 1.0);
  EXPECT_DOUBLE_EQ(total, 21.0);
  EXPECT_NEAR(q.grad().at({1, 2}).to<double>(), 6.0 / (21.0 + 1e-6), 1e-15);
  EXPECT_NEAR(q.grad().abs().sum().item<double>(), 1.0, 1e-6);
}

TEST(ClipGrad, NonFiniteNorms) {
  Tensor p = zeros({2}, {.dtype = kFloat64}).requires_grad_();
  const double inf = std::numeric_limits<double>::infinity();
  p.set_grad(tensor({inf, 1.0}, {.dtype = kFloat64}));
  expect_error<ValueError>([&] { optim::clip_grad_norm_(p, 1.0, 2.0, /*error_if_nonfinite=*/true); },
                           "The total norm of order 2.0 for gradients from `parameters` is non-finite");
  EXPECT_EQ(p.grad().to_vector(), (std::vector<double>{inf, 1.0}));  // untouched
  // Without the check PyTorch scales by max_norm / inf = 0 (and inf * 0 = nan).
  EXPECT_EQ(optim::clip_grad_norm_(p, 1.0), inf);
  EXPECT_TRUE(std::isnan(p.grad().to_vector()[0]));
  EXPECT_EQ(p.grad().to_vector()[1], 0.0);
}
