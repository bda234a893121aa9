// loss_semantics_test.cpp — PyTorch 1.13's conventions for losses (issue #17 items 7 and 8): a target
// that broadcasts to a different shape (a warning, once per loss, then broadcasting), every target
// ignored, kl_div's target gradient at 0, probability targets with ignore_index. Expected values come
// from torch (the one-liner beside each).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>
#include <string>

using namespace nabla;

namespace {

constexpr double kNan = NAN;

void expect_values(const Tensor& t, const std::vector<double>& want, double tol = 1e-12) {
  const std::vector<double> got = t.to_vector();
  ASSERT_EQ(got.size(), want.size()) << t;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i]))
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i << " of " << t;
    else
      EXPECT_NEAR(got[i], want[i], tol * (1 + std::abs(want[i]))) << "element " << i << " of " << t;
  }
}

int count_of(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// ---- item 7: a target that broadcasts to a different shape ----

// x=torch.tensor([[0.2],[0.7],[0.5],[0.9]],dtype=torch.float64,requires_grad=True)
// t=torch.tensor([0.,1.,0.3,0.6],dtype=torch.float64): x is [4, 1], t is [4], they broadcast to [4, 4].
Tensor column() { return tensor({0.2, 0.7, 0.5, 0.9}, {.dtype = kFloat64}).reshape({4, 1}).requires_grad_(); }
Tensor row() { return tensor({0.0, 1.0, 0.3, 0.6}, {.dtype = kFloat64}); }

TEST(LossTargetBroadcast, WarnsOncePerLossAndBroadcasts) {
  // F.mse_loss(x,t) -> 0.21375, x.grad [-0.1375,0.1125,0.0125,0.2125], UserWarning "Using a target size
  // (torch.Size([4])) that is different to the input size (torch.Size([4, 1])). This will likely lead to
  // incorrect results due to broadcasting. Please ensure they have the same size."
  // F.mse_loss(x,t,reduction='sum') -> 3.42; F.l1_loss(x,t) -> 0.3875, grad [-0.125,0.125,0,0.125];
  // F.smooth_l1_loss(x,t,beta=0.5) -> 0.195, grad [-0.1,0.0875,0.0125,0.15];
  // F.huber_loss(x,t,delta=0.5) -> 0.0975, grad [-0.05,0.04375,0.00625,0.075]
  struct Case {
    const char* op;
    std::function<Tensor(const Tensor&, const Tensor&)> fn;
    double value;
    std::vector<double> grad;
  };
  const std::vector<Case> cases = {
      {"mse_loss",
       [](auto& x, auto& t) { return F::mse_loss(x, t); },
       0.21375,
       {-0.1375, 0.1125, 0.0125, 0.2125}},
      {"l1_loss", [](auto& x, auto& t) { return F::l1_loss(x, t); }, 0.3875, {-0.125, 0.125, 0, 0.125}},
      {"smooth_l1_loss",
       [](auto& x, auto& t) { return F::smooth_l1_loss(x, t, "mean", 0.5); },
       0.195,
       {-0.1, 0.0875, 0.0125, 0.15}},
      {"huber_loss",
       [](auto& x, auto& t) { return F::huber_loss(x, t, "mean", 0.5); },
       0.0975,
       {-0.05, 0.04375, 0.00625, 0.075}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    Tensor x = column();
    testing::internal::CaptureStderr();
    Tensor l;
    try {
      l = c.fn(x, row());
      c.fn(x, row());  // a second call stays silent
      expect_values(F::mse_loss(x, row(), "sum"), {3.42});
    } catch (const Error& e) {
      testing::internal::GetCapturedStderr();
      FAIL() << e.what();
    }
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(count_of(err, "\n"), 1) << err;
    EXPECT_EQ(
        count_of(err, std::string(c.op) + ": Using a target size ([4]) that is different to the input "
                                          "size ([4, 1]). This will likely lead to incorrect results "
                                          "due to broadcasting. Please ensure they have the same size."),
        1)
        << err;
    l.backward();
    expect_values(l, {c.value});
    expect_values(x.grad(), c.grad);
  }
}

TEST(LossTargetBroadcast, KlDivBroadcastsSilently) {
  // F.kl_div(x,t,reduction='sum') -> -7.040748862229501, x.grad [-1.9]*4, no warning;
  // log_target=True -> 1.0184463000858246, x.grad [-6.890259436425557]*4
  Tensor x = column();
  testing::internal::CaptureStderr();
  Tensor l = F::kl_div(x, row(), "sum");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  l.backward();
  expect_values(l, {-7.040748862229501});
  expect_values(x.grad(), {-1.9, -1.9, -1.9, -1.9});
  Tensor x2 = column();
  Tensor l2 = F::kl_div(x2, row(), "sum", /*log_target=*/true);
  l2.backward();
  expect_values(l2, {1.0184463000858246});
  expect_values(x2.grad(), std::vector<double>(4, -6.890259436425557));
}

TEST(LossTargetBroadcast, ErrorsWherePyTorchErrs) {
  // F.binary_cross_entropy(x,t) -> ValueError "Using a target size (torch.Size([4])) that is different
  // to the input size (torch.Size([4, 1])) is deprecated. Please ensure they have the same size."
  // F.binary_cross_entropy_with_logits(x,t) -> ValueError "Target size (torch.Size([4])) must be the same
  // as input size (torch.Size([4, 1]))"
  try {
    F::binary_cross_entropy(column(), row());
    ADD_FAILURE() << "no error";
  } catch (const ShapeError& e) {
    EXPECT_NE(
        std::string(e.what()).find("binary_cross_entropy: Using a target size ([4]) that is different to "
                                   "the input size ([4, 1]) is deprecated"),
        std::string::npos)
        << e.what();
  }
  try {
    F::binary_cross_entropy_with_logits(column(), row());
    ADD_FAILURE() << "no error";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("Target size ([4]) must be the same as input size ([4, 1])"),
              std::string::npos)
        << e.what();
  }
  // Shapes that do not broadcast at all: F.mse_loss(torch.zeros(4),torch.zeros(3)) -> RuntimeError
  EXPECT_THROW(F::mse_loss(zeros({4}), zeros({3})), ShapeError);
}

// ---- item 8: conventions ----

// x=torch.tensor([[0.5,-1.,2.],[0.1,0.2,-0.3]],dtype=torch.float64,requires_grad=True); t=[-100,-100]
Tensor logits() {
  return tensor({0.5, -1.0, 2.0, 0.1, 0.2, -0.3}, {.dtype = kFloat64}).reshape({2, 3}).requires_grad_();
}

TEST(LossConventions, EveryTargetIgnored) {
  // F.cross_entropy(x,t) -> nan, x.grad all 0; reduction='sum' -> 0, 'none' -> [0,0] (grads 0);
  // F.nll_loss likewise; with weight=[1,2,3], label_smoothing=0.1, or float32: nan with zero grads.
  const Tensor t = tensor({int64_t{-100}, int64_t{-100}});
  const std::vector<double> zero_grad(6, 0.0);
  for (const std::string red : {"mean", "sum", "none"}) {
    SCOPED_TRACE(red);
    const std::vector<double> want = red == "mean"  ? std::vector<double>{kNan}
                                     : red == "sum" ? std::vector<double>{0}
                                                    : std::vector<double>{0, 0};
    Tensor x = logits();
    Tensor l = F::cross_entropy(x, t, {}, red);
    l.sum().backward();
    expect_values(l, want);
    expect_values(x.grad(), zero_grad);
    Tensor x2 = logits();
    Tensor n = F::nll_loss(x2, t, {}, red);
    n.sum().backward();
    expect_values(n, want);
    expect_values(x2.grad(), zero_grad);
  }
  Tensor xw = logits();
  Tensor lw = F::cross_entropy(xw, t, tensor({1.0, 2.0, 3.0}, {.dtype = kFloat64}));
  lw.backward();
  expect_values(lw, {kNan});
  expect_values(xw.grad(), zero_grad);
  Tensor xs = logits();
  Tensor ls = F::cross_entropy(xs, t, {}, "mean", -100, 0.1);
  ls.backward();
  expect_values(ls, {kNan});
  expect_values(xs.grad(), zero_grad);
  Tensor x32 = logits().detach().to(kFloat32).requires_grad_();
  Tensor l32 = F::cross_entropy(x32, t);
  l32.backward();
  expect_values(l32, {kNan});
  expect_values(x32.grad(), zero_grad);
}

TEST(LossConventions, KlDivTargetGradientAtZero) {
  // inp=torch.tensor([-1.,-0.5,-2.,-0.1],dtype=torch.float64,requires_grad=True)
  // tg=torch.tensor([0.,0.3,0.,0.7],dtype=torch.float64,requires_grad=True)
  // F.kl_div(inp,tg,reduction='sum') -> -0.39086430205489353, inp.grad [-0,-0.3,-0,-0.7],
  // tg.grad [nan, 0.2960271956740639, nan, 0.7433250560612675] (kl_div is xlogy(t,t) - t*inp)
  Tensor inp = tensor({-1.0, -0.5, -2.0, -0.1}, {.dtype = kFloat64}).requires_grad_();
  Tensor tg = tensor({0.0, 0.3, 0.0, 0.7}, {.dtype = kFloat64}).requires_grad_();
  Tensor l = F::kl_div(inp, tg, "sum");
  l.backward();
  expect_values(l, {-0.39086430205489353});
  expect_values(inp.grad(), {0, -0.3, 0, -0.7});
  expect_values(tg.grad(), {kNan, 0.2960271956740639, kNan, 0.7433250560612675});
  // reduction='none' -> [0, -0.21119184129778082, 0, -0.17967246075711268], same gradients
  Tensor tg2 = tg.detach().requires_grad_();
  Tensor n = F::kl_div(inp.detach(), tg2, "none");
  n.sum().backward();
  expect_values(n, {0, -0.21119184129778082, 0, -0.17967246075711268});
  expect_values(tg2.grad(), {kNan, 0.2960271956740639, kNan, 0.7433250560612675});
  // A negative target: F.kl_div(torch.tensor([-1.,-0.5]),torch.tensor([-0.5,0.3]),reduction='sum') -> nan,
  // input grad [0.5,-0.3], target grad [nan, 0.2960271956740639]
  Tensor i3 = tensor({-1.0, -0.5}, {.dtype = kFloat64}).requires_grad_();
  Tensor t3 = tensor({-0.5, 0.3}, {.dtype = kFloat64}).requires_grad_();
  Tensor l3 = F::kl_div(i3, t3, "sum");
  l3.backward();
  expect_values(l3, {kNan});
  expect_values(i3.grad(), {0.5, -0.3});
  expect_values(t3.grad(), {kNan, 0.2960271956740639});
  // log_target=True: -> 5.690889212037184, inp.grad [-1,-1.3498588075760032,-1,-2.0137527074704766],
  // tg.grad [2, 2.4297458536368057, 3, 3.6247548734468578]
  Tensor i4 = inp.detach().requires_grad_(), t4 = tg.detach().requires_grad_();
  Tensor l4 = F::kl_div(i4, t4, "sum", true);
  l4.backward();
  expect_values(l4, {5.690889212037184});
  expect_values(i4.grad(), {-1, -1.3498588075760032, -1, -2.0137527074704766});
  expect_values(t4.grad(), {2, 2.4297458536368057, 3, 3.6247548734468578});
}

TEST(LossConventions, ProbabilityTargetsWithIgnoreIndex) {
  // F.cross_entropy(x,torch.tensor([[0.2,0.3,0.5],[1.,0,0]],dtype=torch.float64),ignore_index=1) ->
  // RuntimeError "ignore_index is not supported for floating point target"; the default -100 is fine.
  Tensor p = tensor({0.2, 0.3, 0.5, 1.0, 0.0, 0.0}, {.dtype = kFloat64}).reshape({2, 3});
  try {
    F::cross_entropy(logits(), p, {}, "mean", 1);
    ADD_FAILURE() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(
        std::string(e.what()).find("cross_entropy: ignore_index is not supported for floating point target"),
        std::string::npos)
        << e.what();
  }
  EXPECT_THROW(F::cross_entropy(logits(), p, {}, "mean", 0, 0.1), ValueError);
  EXPECT_NO_THROW(F::cross_entropy(logits(), p, {}, "mean", -100));
}

}  // namespace
