// Autograd behaviours, each against PyTorch's semantics (values checked by hand-derived formulas).
#include <gtest/gtest.h>
#include <nabla/nabla.h>
#include <sys/resource.h>

#include <cmath>
#include <fstream>

#include "autograd/record.h"
#include "expect_error.h"

using namespace nabla;

namespace {
std::vector<double> V(const Tensor& t) { return t.to_vector(); }
Tensor leaf(NestedList v) { return tensor(v, {.dtype = kFloat64, .requires_grad = true}); }
using nabla::testing::expect_error;
}  // namespace

TEST(Autograd, LeafFlagsAndGradFnNames) {
  Tensor x = leaf({1., 2.});
  EXPECT_TRUE(x.is_leaf());
  EXPECT_TRUE(x.requires_grad());
  Tensor y = x * 2 + 1;
  EXPECT_FALSE(y.is_leaf());
  ASSERT_TRUE(y.grad_fn());
  EXPECT_EQ(y.grad_fn()->name(), "AddBackward0");
  EXPECT_EQ((x * x).grad_fn()->name(), "MulBackward0");
  EXPECT_EQ(x.log_softmax(0).grad_fn()->name(), "LogSoftmaxBackward0");
  EXPECT_FALSE(ones({2}).requires_grad());
  expect_error<AutogradError>([] { ones({2}, {.dtype = kInt64}).requires_grad_(); }, "floating point");
}

TEST(Autograd, BackwardAccumulatesIntoLeaves) {
  Tensor x = leaf({1., 2., 3.});
  (x * x).sum().backward();
  EXPECT_EQ(V(x.grad()), (std::vector<double>{2, 4, 6}));
  (x * 3).sum().backward();
  EXPECT_EQ(V(x.grad()), (std::vector<double>{5, 7, 9}));
  Tensor y = x.exp();
  y.backward(ones({3}, {.dtype = kFloat64}));
  EXPECT_NEAR(x.grad().at({0}).to<double>(), 5 + std::exp(1.0), 1e-12);
}

TEST(Autograd, SharedSubgraphAndBroadcastReduceGradients) {
  Tensor a = leaf({{1., 2.}, {3., 4.}});
  Tensor b = leaf({10., 20.});
  Tensor c = a * b;          // b broadcast over rows
  Tensor d = (c + c).sum();  // c used twice
  d.backward();
  EXPECT_EQ(V(a.grad()), (std::vector<double>{20, 40, 20, 40}));
  EXPECT_EQ(V(b.grad()), (std::vector<double>{8, 12}));
}

TEST(Autograd, BackwardTwiceNeedsRetainGraph) {
  Tensor x = leaf({1., 2.});
  Tensor y = (x * x).sum();
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();
  EXPECT_EQ(V(x.grad()), (std::vector<double>{4, 8}));
  expect_error<AutogradError>([&] { y.backward(); }, "backward through the graph a second time");
}

TEST(Autograd, InplaceOnSavedTensorIsDetected) {
  Tensor x = leaf({1., 2.});
  Tensor y = x * 2;
  Tensor z = y * y;  // saves y
  {
    NoGradGuard ng;
    y.add_(1);
  }
  expect_error<AutogradError>([&] { z.sum().backward(); }, "modified by an inplace operation");
}

TEST(Autograd, InplaceOnLeafRequiringGradIsAnError) {
  Tensor x = leaf({1., 2.});
  expect_error<AutogradError>([&] { x.add_(1); }, "leaf Variable that requires grad");
  NoGradGuard ng;
  x.add_(1);  // fine without grad mode (like an optimizer step)
  EXPECT_EQ(V(x), (std::vector<double>{2, 3}));
}

TEST(Autograd, InplaceOnNonLeafRebasesHistory) {
  Tensor x = leaf({1., 2.});
  Tensor y = x * 3;
  y.mul_(x);  // y = 3x^2 -> dy/dx = 6x
  EXPECT_EQ(y.grad_fn()->name(), "MulBackward0");
  y.sum().backward();
  EXPECT_EQ(V(x.grad()), (std::vector<double>{6, 12}));
  // Like PyTorch, y.mul_(y) overwrites a tensor its own backward needs.
  Tensor z = x * 3;
  z.mul_(z);
  expect_error<AutogradError>([&] { z.sum().backward(); }, "modified by an inplace operation");
}

// relu_ writes in place without the generic path's clone: the same values and gradients as relu,
// through a view (CopySlices on the base) and a double backward; a tensor saved before it is caught;
// a leaf requiring grad is refused; without grad mode it is a plain write that bumps the version.
TEST(Autograd, ReluInPlaceMatchesRelu) {
  manual_seed(31);
  Tensor base = randn({4, 6}, {.dtype = kFloat64});
  Tensor gy = randn({4, 6}, {.dtype = kFloat64});
  Tensor x1 = base.detach().requires_grad_(), x2 = base.detach().requires_grad_();
  Tensor y1 = relu(x1 * 2), y2 = (x2 * 2).relu_();
  EXPECT_TRUE(equal(y1, y2));
  EXPECT_EQ(y2.grad_fn()->name(), "ReluBackward0");
  (y1 * gy).sum().backward();
  (y2 * gy).sum().backward();
  EXPECT_TRUE(equal(x1.grad(), x2.grad()));

  // Into a view of a graph tensor: the base's history goes through CopySlices.
  Tensor x3 = base.detach().requires_grad_();
  Tensor t = x3 * 1.0;
  t.narrow(1, 0, 3).relu_();
  (t * gy).sum().backward();
  Tensor want = gy.clone();
  {
    NoGradGuard ng;
    want.narrow(1, 0, 3).mul_((base.narrow(1, 0, 3) > 0).to(kFloat64));
  }
  EXPECT_TRUE(allclose(x3.grad(), want));

  // Double backward through relu_ (its derivative is differentiable in g).
  Tensor x4 = base.detach().requires_grad_();
  Tensor y4 = (x4 * x4).relu_();
  auto g = autograd::grad({(y4 * gy).sum()}, {x4}, {}, true, true);
  auto gg = autograd::grad({g[0].sum()}, {x4});
  EXPECT_TRUE(allclose(gg[0], 2.0 * gy * (base * base > 0).to(kFloat64)));

  // A tensor saved by an earlier node, then overwritten: backward refuses, as PyTorch does.
  Tensor x5 = base.detach().requires_grad_();
  Tensor h = x5 * 2, s = h * h;  // saves h
  h.relu_();
  expect_error<AutogradError>([&] { s.sum().backward(); }, "modified by an inplace operation");
  expect_error<AutogradError>([&] { base.detach().requires_grad_().relu_(); },
                              "leaf Variable that requires grad");

  Tensor plain = base.clone();
  const auto v0 = plain.version();
  plain.relu_();
  EXPECT_TRUE(equal(plain, relu(base)));
  EXPECT_GT(plain.version(), v0);
  Tensor cl = randn({2, 3, 4, 5}).contiguous(MemoryFormat::ChannelsLast), cl_copy = cl.clone();
  EXPECT_TRUE(equal(cl.relu_(), relu(cl_copy)));
  EXPECT_TRUE(cl.is_contiguous(MemoryFormat::ChannelsLast));
  expect_error<DTypeError>([&] { ones({2}, {.dtype = kBool}).relu_(); }, "bool");
}

TEST(Autograd, NonScalarNeedsGradient) {
  Tensor x = leaf({1., 2.});
  expect_error<AutogradError>([&] { (x * 2).backward(); }, "implicitly created only for scalar outputs");
  expect_error<AutogradError>([&] { ones({2}).sum().backward(); }, "does not require grad");
}

TEST(Autograd, GradModeGuards) {
  Tensor x = leaf({1., 2.});
  {
    NoGradGuard ng;
    EXPECT_FALSE((x * 2).requires_grad());
    {
      EnableGradGuard eg;
      EXPECT_TRUE((x * 2).requires_grad());
    }
  }
  set_grad_enabled(false);
  EXPECT_FALSE((x + 1).requires_grad());
  set_grad_enabled(true);
  {
    InferenceMode im;
    Tensor t = ones({2});
    uint32_t v = t.version();
    t.add_(1);
    EXPECT_EQ(t.version(), v);  // no version tracking
    EXPECT_FALSE((x * 2).requires_grad());
  }
  EXPECT_TRUE(is_grad_enabled());
}

TEST(Autograd, DetachAndClone) {
  Tensor x = leaf({1., 2.});
  Tensor d = x.detach();
  EXPECT_FALSE(d.requires_grad());
  d.index_put_({0}, 5.0);
  EXPECT_EQ(x.at({0}).to<double>(), 5);  // shares storage
  Tensor c = x.clone();
  EXPECT_EQ(c.grad_fn()->name(), "CloneBackward0");
  (c * 2).sum().backward();
  EXPECT_EQ(V(x.grad()), (std::vector<double>{2, 2}));
  Tensor y = x * 2;
  y.detach_();
  EXPECT_FALSE(y.requires_grad());
}

TEST(Autograd, HooksCanReplaceGradients) {
  Tensor x = leaf({1., 2.});
  std::vector<double> seen;
  int h = x.register_hook([&](const Tensor& g) {
    seen = g.to_vector();
    return g * 10;
  });
  (x * 2).sum().backward();
  EXPECT_EQ(seen, (std::vector<double>{2, 2}));
  EXPECT_EQ(V(x.grad()), (std::vector<double>{20, 20}));
  x.remove_hook(h);
  x.mutable_grad().zero_();
  Tensor y = x * 2;
  y.register_hook([](const Tensor& g) { return g + 1; });  // non-leaf hook changes what flows on
  (y * 3).sum().backward();
  EXPECT_EQ(V(x.grad()), (std::vector<double>{8, 8}));
}

TEST(Autograd, RetainGradForNonLeaves) {
  Tensor x = leaf({1., 2.});
  Tensor y = x * x;
  y.retain_grad();
  EXPECT_TRUE(y.retains_grad());
  (y * 3).sum().backward();
  EXPECT_EQ(V(y.grad()), (std::vector<double>{3, 3}));
  EXPECT_FALSE((x * 2).grad().defined());
}

TEST(Autograd, GradFunctionDoesNotTouchDotGrad) {
  Tensor x = leaf({1., 2.});
  Tensor y = (x * x * x).sum();
  TensorList g = autograd::grad({y}, {x});
  EXPECT_EQ(V(g[0]), (std::vector<double>{3, 12}));
  EXPECT_FALSE(x.grad().defined());
  Tensor unused = leaf({1.});
  expect_error<AutogradError>([&] { autograd::grad({(x * 2).sum()}, {unused}); }, "not have been used");
  EXPECT_FALSE(autograd::grad({(x * 2).sum()}, {unused}, {}, std::nullopt, false, true)[0].defined());
}

TEST(Autograd, CreateGraphGivesHessianVectorProducts) {
  // f = sum(x^3) -> grad = 3x^2 -> H v = 6 x * v
  Tensor x = leaf({1., 2., 3.});
  Tensor f = (x * x * x).sum();
  Tensor g = autograd::grad({f}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
  Tensor v = tensor({1., 0.5, 2.}, {.dtype = kFloat64});
  Tensor hv = autograd::grad({(g * v).sum()}, {x})[0];
  EXPECT_EQ(V(hv), (std::vector<double>{6, 6, 36}));
  // Gradient penalty: d/dx ||grad||^2 through a matmul and tanh.
  Tensor w = leaf({{0.5, -1.}, {2., 0.25}});
  Tensor out = tanh(matmul(w, x.narrow(0, 0, 2))).sum();
  Tensor gw = autograd::grad({out}, {w}, {}, std::nullopt, true)[0];
  Tensor penalty = (gw * gw).sum();
  penalty.backward();
  EXPECT_TRUE(w.grad().defined());
  EXPECT_TRUE(gradgradcheck([](const TensorList& in) { return TensorList{tanh(matmul(in[0], in[1]))}; },
                            {randn({2, 3}, {.dtype = kFloat64}).requires_grad_(),
                             randn({3, 2}, {.dtype = kFloat64}).requires_grad_()}));
}

namespace {
struct CubeFn : autograd::Function<CubeFn> {
  static Tensor forward(autograd::AutogradContext* ctx, const Tensor& x) {
    ctx->save_for_backward({x});
    return x * x * x;
  }
  static TensorList backward(autograd::AutogradContext* ctx, TensorList g) {
    Tensor x = ctx->get_saved_variables()[0];
    return {g[0] * 3 * x * x};
  }
};
}  // namespace

TEST(Autograd, CustomFunctionComposes) {
  Tensor x = leaf({1., 2.});
  Tensor y = CubeFn::apply(x * 2);  // (2x)^3, d/dx = 24 x^2
  EXPECT_FALSE(y.is_leaf());
  y.sum().backward();
  EXPECT_EQ(V(x.grad()), (std::vector<double>{24, 96}));
  EXPECT_TRUE(gradcheck([](const TensorList& in) { return TensorList{CubeFn::apply(in[0])}; },
                        {randn({3}, {.dtype = kFloat64}).requires_grad_()}));
}

TEST(Autograd, GradcheckCatchesAWrongDerivative) {
  struct WrongFn : autograd::Function<WrongFn> {
    static Tensor forward(autograd::AutogradContext*, const Tensor& x) { return x * x; }
    static TensorList backward(autograd::AutogradContext*, TensorList g) { return {g[0] * 3}; }
  };
  GradcheckOptions o;
  o.raise_exception = false;
  EXPECT_FALSE(gradcheck([](const TensorList& in) { return TensorList{WrongFn::apply(in[0])}; },
                         {randn({3}, {.dtype = kFloat64}).requires_grad_()}, o));
  EXPECT_THROW(gradcheck([](const TensorList& in) { return TensorList{WrongFn::apply(in[0])}; },
                         {randn({3}, {.dtype = kFloat64}).requires_grad_()}),
               AutogradError);
}

TEST(Autograd, LongChainDoesNotOverflowTheStack) {
  Tensor x = leaf({1.});
  Tensor y = x;
  for (int i = 0; i < 100000; ++i) y = y * 1.0;
  y.sum().backward();
  EXPECT_EQ(x.grad().item<double>(), 1.0);
  y = Tensor();  // destroying the 100,000-node graph must not recurse either
}

namespace {
long rss_kb() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * 4;
}
}  // namespace

TEST(Autograd, TrainingLoopDoesNotLeak) {
  Tensor w = randn({32, 16}, {.requires_grad = true});
  Tensor x = randn({8, 32});
  auto step = [&] {
    Tensor loss = (matmul(x, w).relu() - 1).pow(2).mean();
    loss.backward();
    NoGradGuard ng;
    w.sub_(w.grad() * 0.01);
    w.mutable_grad().zero_();
  };
  for (int i = 0; i < 200; ++i) step();
  const int64_t live = TensorImpl::live_count();
  [[maybe_unused]] const long rss = rss_kb();  // unused under ASan (below)
  for (int i = 0; i < 10000; ++i) step();
  EXPECT_EQ(TensorImpl::live_count(), live);
#ifndef __SANITIZE_ADDRESS__  // ASan quarantines freed blocks, so RSS grows by design (live_count holds)
  EXPECT_LT(rss_kb() - rss, 2048) << "RSS grew by " << rss_kb() - rss << " kB";
#endif
}

// Note [Recording an op]: a backward reads saved tensors by role; reading one its forward did not
// save is an internal error naming the op, never a wrong tensor.
TEST(Autograd, SavedTensorsByRoleAndMisuseNamesTheOp) {
  Tensor x = leaf({1., 2.}), y = leaf({3., 4.});
  Tensor out = (x * y).detach();
  autograd::record(OpId::mul, {x, y}, {out}, {.inputs = {1}, .outputs = {0}, .extra = {x + 10.0}},
                   [](const autograd::BackwardContext& ctx, const TensorList& g) -> TensorList {
                     EXPECT_EQ(V(ctx.input(1)), std::vector<double>({3., 4.}));
                     EXPECT_EQ(V(ctx.output(0)), std::vector<double>({3., 8.}));
                     EXPECT_EQ(V(ctx.extra(0)), std::vector<double>({11., 12.}));
                     expect_error<Error>([&] { (void)ctx.input(0); }, {"internal error", "mul", "input 0"});
                     expect_error<Error>([&] { (void)ctx.output(1); }, {"mul", "output 1"});
                     expect_error<Error>([&] { (void)ctx.extra(1); }, {"mul", "extra"});
                     return {g[0] * ctx.input(1), Tensor()};
                   });
  out.sum().backward();
  EXPECT_EQ(V(x.grad()), std::vector<double>({3., 4.}));
}

// LibTorch's convention: backward returns one gradient per forward argument, undefined for non-tensors.
struct ScaleBy : autograd::Function<ScaleBy> {
  static Tensor forward(autograd::AutogradContext* ctx, Tensor x, double c) {
    ctx->saved_data["c"] = c;
    return x * c;
  }
  static TensorList backward(autograd::AutogradContext* ctx, TensorList g) {
    return {g[0] * ctx->saved_data["c"].toDouble(), Tensor()};
  }
};

TEST(CustomFunction, BackwardMayReturnOneGradientPerArgumentLikeLibTorch) {
  Tensor x = ones({3}).requires_grad_();
  ScaleBy::apply(x, 2.5).sum().backward();
  EXPECT_TRUE(equal(x.grad(), full({3}, 2.5)));
}
