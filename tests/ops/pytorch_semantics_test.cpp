// PyTorch 1.13 semantics on inputs that used to go wrong (issue #17): strided matmul operands oneDNN
// cannot describe, NaN/inf propagation, loss edge cases, Scalar promotion, precision on large values.
// Expected values come from torch (the one-liner beside each).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>
#include <functional>

#include "expect_values.h"

using namespace nabla;
using nabla::testing::expect_values;
using nabla::testing::kInf;
using nabla::testing::kNan;
using nabla::testing::value_and_grad;

namespace {

void expect_close(const Tensor& got, const Tensor& want, double tol = 1e-5) {
  ASSERT_EQ(got.sizes(), want.sizes());
  EXPECT_TRUE(allclose(got.to(kFloat64), want.to(kFloat64), tol, tol)) << got << "\nvs\n" << want;
}

// Every other column of a [rows, 2 * cols - 1] tensor: row stride 2*cols-1 < cols x column step 2,
// a layout oneDNN's memory descriptors refuse.
Tensor every_other_column(const Tensor& t) { return t.slice(t.dim() - 1, 0, t.size(-1), 2); }

// ---- item 1: matmul on layouts oneDNN cannot describe, checked against the float64 path ----

TEST(StridedMatmul, MmForwardAndBackward) {
  Tensor a0 = randn({6, 15}).requires_grad_();
  Tensor b = randn({8, 3}).requires_grad_();
  Tensor a = every_other_column(a0);  // [6, 8], strides [15, 2]
  Tensor w = randn({6, 3});
  Tensor y = mm(a, b);
  (y * w).sum().backward();
  Tensor a64 = a0.detach().to(kFloat64).requires_grad_(), b64 = b.detach().to(kFloat64).requires_grad_();
  Tensor y64 = mm(every_other_column(a64), b64);
  (y64 * w.to(kFloat64)).sum().backward();
  expect_close(y, y64);
  expect_close(a0.grad(), a64.grad());
  expect_close(b.grad(), b64.grad());
}

TEST(StridedMatmul, MatmulBmmAddmmLinear) {
  Tensor a = every_other_column(randn({6, 15})), b = randn({8, 5});
  Tensor a64 = a.to(kFloat64), b64 = b.to(kFloat64);
  expect_close(matmul(a, b), matmul(a64, b64));
  // W^T of a strided weight: [8, 5] with strides [2, 15].
  Tensor w = every_other_column(randn({5, 15})), bias = randn({5});
  expect_close(F::linear(a, w, bias), F::linear(a64, w.to(kFloat64), bias.to(kFloat64)));
  expect_close(addmm(bias, a, b), addmm(bias.to(kFloat64), a64, b64));
  Tensor a3 = every_other_column(randn({3, 6, 15})), b3 = randn({3, 8, 4});
  expect_close(bmm(a3, b3), bmm(a3.to(kFloat64), b3.to(kFloat64)));
  expect_close(matmul(a3, b3), matmul(a3.to(kFloat64), b3.to(kFloat64)));
  // A broadcast (stride-0) column operand.
  Tensor e = randn({8, 1}).expand({8, 6});
  expect_close(mm(a, e), mm(a64, e.to(kFloat64)));
}

TEST(StridedMatmul, BatchedBackward) {
  Tensor a0 = randn({2, 6, 15}).requires_grad_();
  Tensor b = randn({2, 8, 3}).requires_grad_();
  matmul(every_other_column(a0), b).sum().backward();
  Tensor a64 = a0.detach().to(kFloat64).requires_grad_(), b64 = b.detach().to(kFloat64).requires_grad_();
  matmul(every_other_column(a64), b64).sum().backward();
  expect_close(a0.grad(), a64.grad());
  expect_close(b.grad(), b64.grad());
}

// ---- item 2: NaN and infinities, as PyTorch propagates them ----

TEST(NanInf, Relu) {
  // x=torch.tensor([nan,inf,-inf,1.,-1.],requires_grad=True); y=torch.relu(x); y.sum().backward()
  auto [y, g] = value_and_grad([](const Tensor& x) { return relu(x); });
  expect_values(y, {kNan, kInf, 0, 1, 0});
  expect_values(g, {1, 1, 0, 1, 0});
  // The differentiable backward (create_graph) agrees.
  Tensor x = tensor({kNan, 2.0, -1.0}, {.dtype = kFloat32}).requires_grad_();
  Tensor gx = autograd::grad({relu(x).sum()}, {x}, {}, std::nullopt, true)[0];
  expect_values(gx, {1, 1, 0});
}

TEST(NanInf, Activations) {
  // Same x; F.leaky_relu / F.elu / F.softplus / torch.sigmoid / torch.tanh / F.gelu / F.silu.
  auto [ly, lg] = value_and_grad([](const Tensor& x) { return F::leaky_relu(x, 0.01); });
  expect_values(ly, {kNan, kInf, -kInf, 1, -0.01});
  expect_values(lg, {0.01, 1, 0.01, 1, 0.01});
  auto [ey, eg] = value_and_grad([](const Tensor& x) { return F::elu(x); });
  expect_values(ey, {kNan, kInf, -1, 1, -0.6321205496788025});
  expect_values(eg, {1, 1, 0, 1, 0.3678794503211975});
  auto [sy, sg] = value_and_grad([](const Tensor& x) { return F::softplus(x, 1, 20); });
  expect_values(sy, {kNan, kInf, 0, 1.31326162815094, 0.3132616877555847});
  expect_values(sg, {kNan, 1, 0, 0.7310585975646973, 0.2689414322376251});
  auto [gy, gg] = value_and_grad([](const Tensor& x) { return sigmoid(x); });
  expect_values(gy, {kNan, 1, 0, 0.7310585975646973, 0.2689414322376251});
  expect_values(gg, {kNan, 0, 0, 0.1966119259595871, 0.1966119408607483});
  auto [ty, tg] = value_and_grad([](const Tensor& x) { return tanh(x); });
  expect_values(ty, {kNan, 1, -1, 0.7615941762924194, -0.7615941762924194});
  expect_values(tg, {kNan, 0, 0, 0.41997429728507996, 0.41997429728507996});
  auto [uy, ug] = value_and_grad([](const Tensor& x) { return F::gelu(x); });
  expect_values(uy, {kNan, kInf, kNan, 0.8413447141647339, -0.1586552858352661});
  expect_values(ug, {kNan, kNan, kNan, 1.083315372467041, -0.08331543207168579});
  auto [iy, ig] = value_and_grad([](const Tensor& x) { return F::silu(x); });
  expect_values(iy, {kNan, kInf, kNan, 0.7310585975646973, -0.2689414322376251});
  expect_values(ig, {kNan, kNan, kNan, 0.9276705384254456, 0.07232948392629623});
  auto [cy, cg] = value_and_grad([](const Tensor& x) { return clamp(x, -0.5, 0.5); });
  expect_values(cy, {kNan, 0.5, -0.5, 0.5, -0.5});
  expect_values(cg, {0, 0, 0, 0, 0});
}

TEST(NanInf, EluLargeInputHasFiniteGradient) {
  // x=torch.tensor([100.],requires_grad=True); F.elu(x).sum().backward(); x.grad -> [1.]
  Tensor x = tensor({100.0}, {.dtype = kFloat32}).requires_grad_();
  F::elu(x).sum().backward();
  expect_values(x.grad(), {1});
}

TEST(NanInf, MaxMinAll) {
  // x=torch.tensor([1.,nan,3.,-inf],requires_grad=True); x.max() -> nan, grad [0,1,0,0]; same for min
  for (bool is_max : {true, false}) {
    Tensor x = tensor({1.0, kNan, 3.0, -kInf}, {.dtype = kFloat32}).requires_grad_();
    Tensor y = is_max ? x.max() : x.min();
    y.backward();
    expect_values(y, {kNan});
    expect_values(x.grad(), {0, 1, 0, 0});
  }
  // torch.tensor([[1.,nan,3.]]).max(1) -> (nan, 1)
  auto [v, i] = max(tensor({{1.0, kNan, 3.0}}, {.dtype = kFloat32}), 1);
  expect_values(v, {kNan});
  expect_values(i, {1});
}

TEST(NanInf, MaximumMinimum) {
  // a=torch.tensor([1.,nan,2.,inf]); b=torch.tensor([nan,1.,2.,1.]) (both requiring grad);
  // torch.maximum(a,b).sum().backward(): [nan,nan,2,inf], a.grad [1,1,.5,1], b.grad [1,1,.5,0]
  for (bool is_max : {true, false}) {
    Tensor a = tensor({1.0, kNan, 2.0, kInf}, {.dtype = kFloat32}).requires_grad_();
    Tensor b = tensor({kNan, 1.0, 2.0, 1.0}, {.dtype = kFloat32}).requires_grad_();
    Tensor y = is_max ? maximum(a, b) : minimum(a, b);
    y.sum().backward();
    expect_values(y, {kNan, kNan, 2, is_max ? kInf : 1});
    expect_values(a.grad(), {1, 1, 0.5, is_max ? 1.0 : 0.0});
    expect_values(b.grad(), {1, 1, 0.5, is_max ? 0.0 : 1.0});
  }
}

TEST(NanInf, Logsumexp) {
  // x=torch.tensor(r,requires_grad=True); y=torch.logsumexp(x,0); y.backward()
  struct Case {
    std::vector<double> x;
    double y;
    std::vector<double> grad;
  };
  const std::vector<Case> cases = {{{1, kInf, 2}, kInf, {0, kNan, 0}},
                                   {{1, kNan, kInf}, kNan, {kNan, kNan, kNan}},
                                   {{kInf, kInf, 1}, kInf, {kNan, kNan, 0}},
                                   {{-kInf, -kInf, -kInf}, -kInf, {kNan, kNan, kNan}}};
  for (const auto& c : cases) {
    Tensor x = tensor({c.x[0], c.x[1], c.x[2]}, {.dtype = kFloat32}).requires_grad_();
    Tensor y = logsumexp(x, {0});
    y.backward();
    expect_values(y, {c.y});
    expect_values(x.grad(), c.grad);
  }
}

TEST(NanInf, SortTopk) {
  // x=torch.tensor([3.,nan,1.,2.,nan,-inf]); torch.sort(x); torch.sort(x,descending=True);
  // torch.topk(x,3); torch.topk(x,3,largest=False)
  Tensor x = tensor({3.0, kNan, 1.0, 2.0, kNan, -kInf}, {.dtype = kFloat32});
  auto [sv, si] = x.sort();
  expect_values(sv, {-kInf, 1, 2, 3, kNan, kNan});
  expect_values(si, {5, 2, 3, 0, 1, 4});
  auto [dv, di] = x.sort(-1, true);
  expect_values(dv, {kNan, kNan, 3, 2, 1, -kInf});
  expect_values(di, {1, 4, 0, 3, 2, 5});
  auto [tv, ti] = x.topk(3);
  expect_values(tv, {kNan, kNan, 3});
  expect_values(ti, {1, 4, 0});
  auto [lv, li] = x.topk(3, -1, false);
  expect_values(lv, {-kInf, 1, 2});
  expect_values(li, {5, 2, 3});
}

TEST(NanInf, Pooling) {
  // p=torch.tensor([[[[1.,nan],[3.,4.]]]],requires_grad=True); F.max_pool2d(p,2) -> nan,
  // grad [[0,1],[0,0]]; F.avg_pool2d(p,2) -> nan, grad 0.25 everywhere
  F::PoolOptions o;
  o.kernel_size = {2, 2};
  Tensor p = tensor({{{{1.0, kNan}, {3.0, 4.0}}}}, {.dtype = kFloat32}).requires_grad_();
  Tensor y = F::max_pool2d(p, o);
  y.sum().backward();
  expect_values(y, {kNan});
  expect_values(p.grad(), {0, 1, 0, 0});
  Tensor q = tensor({{{{1.0, kNan}, {3.0, 4.0}}}}, {.dtype = kFloat32}).requires_grad_();
  Tensor z = F::avg_pool2d(q, o);
  z.sum().backward();
  expect_values(z, {kNan});
  expect_values(q.grad(), {0.25, 0.25, 0.25, 0.25});
}

// ---- item 3: binary_cross_entropy at predictions exactly 0 or 1 ----

TEST(BinaryCrossEntropy, FiniteGradientAtZeroAndOne) {
  // x=torch.tensor([0.,1.,0.,1.,0.3],dtype=torch.float64,requires_grad=True);
  // t=torch.tensor([0.,1.,1.,0.,0.6],dtype=torch.float64); l=F.binary_cross_entropy(x,t,reduction='none')
  // l.sum().backward() -> l [0,0,100,100,0.86505366], x.grad [0,0,-1000000003995.8029,1000000003995.8029,
  // -1.4285714285714286] (EPSILON is the float 1e-12f)
  Tensor x = tensor({0.0, 1.0, 0.0, 1.0, 0.3}, {.dtype = kFloat64}).requires_grad_();
  Tensor t = tensor({0.0, 1.0, 1.0, 0.0, 0.6}, {.dtype = kFloat64});
  Tensor l = F::binary_cross_entropy(x, t, {}, "none");
  l.sum().backward();
  expect_values(l, {0, 0, 100, 100, 0.8650536601710546}, 1e-12);
  expect_values(x.grad(), {0, 0, -1000000003995.8029, 1000000003995.8029, -1.4285714285714286}, 1e-12);
  // Weighted sum: F.binary_cross_entropy(x,t,torch.tensor([2.,1,1,1,3],dtype=torch.float64),reduction='sum')
  // -> 202.59516098051316, x.grad [0,0,-1000000003995.8029,1000000003995.8029,-4.285714285714286]
  Tensor x2 = tensor({0.0, 1.0, 0.0, 1.0, 0.3}, {.dtype = kFloat64}).requires_grad_();
  Tensor w = tensor({2.0, 1.0, 1.0, 1.0, 3.0}, {.dtype = kFloat64});
  Tensor s = F::binary_cross_entropy(x2, t, w, "sum");
  s.backward();
  expect_values(s, {202.59516098051316}, 1e-12);
  expect_values(x2.grad(), {0, 0, -1000000003995.8029, 1000000003995.8029, -4.285714285714286}, 1e-12);
}

// ---- item 4: Scalar promotion of integer tensors ----

TEST(ScalarPromotion, ClampWithFloatingBounds) {
  Tensor t = tensor({int64_t{-3}, int64_t{0}, int64_t{3}});
  // torch.clamp(torch.tensor([-3,0,3]),-0.5,2.5) -> float32 [-0.5, 0, 2.5]
  Tensor c = clamp(t, -0.5, 2.5);
  EXPECT_EQ(c.dtype(), kFloat32);
  expect_values(c, {-0.5, 0, 2.5});
  // torch.clamp(t,min=-0.5) -> float32 [-0.5,0,3]; torch.clamp(t,max=2.5) -> float32 [-3,0,2.5]
  Tensor lo = clamp(t, -0.5, std::nullopt), hi = clamp(t, std::nullopt, 2.5);
  EXPECT_EQ(lo.dtype(), kFloat32);
  EXPECT_EQ(hi.dtype(), kFloat32);
  expect_values(lo, {-0.5, 0, 3});
  expect_values(hi, {-3, 0, 2.5});
  // torch.clamp(t,-1,2) -> int64 [-1,0,2]
  Tensor i = clamp(t, int64_t{-1}, int64_t{2});
  EXPECT_EQ(i.dtype(), kInt64);
  expect_values(i, {-1, 0, 2});
}

TEST(ScalarPromotion, ArithmeticAndFills) {
  Tensor t = tensor({int64_t{-3}, int64_t{0}, int64_t{3}});
  // t+0.5, t-0.5, t*0.5, t/2 -> float32; t**0.5 -> float32 [nan,0,1.7321]; t**2 -> int64 [9,0,9]
  EXPECT_EQ((t + 0.5).dtype(), kFloat32);
  expect_values(t + 0.5, {-2.5, 0.5, 3.5});
  expect_values(t - 0.5, {-3.5, -0.5, 2.5});
  expect_values(t * 0.5, {-1.5, 0, 1.5});
  EXPECT_EQ((t / 2).dtype(), kFloat32);
  expect_values(t / 2, {-1.5, 0, 1.5});
  expect_values(pow(t, 0.5), {kNan, 0, 1.7320508075688772});
  EXPECT_EQ(pow(t, 2).dtype(), kInt64);
  expect_values(pow(t, 2), {9, 0, 9});
  // torch.pow(2.5,t) -> float32 [0.0640, 1, 15.625]
  EXPECT_EQ(pow(2.5, t).dtype(), kFloat32);
  expect_values(pow(2.5, t), {0.064, 1, 15.625});
  // t.masked_fill(t>0, 0.5) -> int64 [-3,0,0] (the value is cast to the tensor's dtype)
  Tensor m = t.masked_fill(t > 0, 0.5);
  EXPECT_EQ(m.dtype(), kInt64);
  expect_values(m, {-3, 0, 0});
  // torch.full((2,),1.5).dtype float32; torch.full((2,),2).dtype int64; torch.full((2,),True).dtype bool
  EXPECT_EQ(full({2}, 1.5).dtype(), kFloat32);
  EXPECT_EQ(full({2}, int64_t{2}).dtype(), kInt64);
  EXPECT_EQ(full({2}, true).dtype(), kBool);
  // torch.tensor([True,False])*1.5 -> float32 [1.5, 0]; +1 -> int64 [2, 1]
  Tensor b = tensor({true, false});
  EXPECT_EQ((b * 1.5).dtype(), kFloat32);
  expect_values(b * 1.5, {1.5, 0});
  EXPECT_EQ((b + 1).dtype(), kInt64);
  expect_values(b + 1, {2, 1});
}

// ---- item 5: precision ----

TEST(Precision, LogSoftmaxOnLargeLogits) {
  // F.log_softmax(torch.tensor([1e4,1e4+1,9999.5]),0) -> [-1.4643688201904297, -0.4643687903881073,
  // -1.9643688201904297] (float32; the exact values are -1.46436882.., so this is rounding only)
  Tensor x = tensor({1e4, 1e4 + 1, 9999.5}, {.dtype = kFloat32});
  expect_values(log_softmax(x, 0), {-1.4643688201904297, -0.4643687903881073, -1.9643688201904297}, 1e-7);
  // F.cross_entropy(x.unsqueeze(0),torch.tensor([0])) -> 1.4643688201904297,
  // grad [-0.7687761187553406, 0.6285316944122314, 0.14024437963962555]
  Tensor xg = tensor({1e4, 1e4 + 1, 9999.5}, {.dtype = kFloat32}).requires_grad_();
  Tensor l = F::cross_entropy(xg.unsqueeze(0), tensor({int64_t{0}}));
  l.backward();
  expect_values(l, {1.4643688201904297}, 1e-7);
  expect_values(xg.grad(), {-0.7687761187553406, 0.6285316944122314, 0.14024437963962555}, 1e-6);
}

TEST(Precision, LayerNormOnConstantRows) {
  // Within 2x of torch (nabla's float64 mean now gives exactly 0 here).
  // F.layer_norm(torch.full((1,64),0.1),(64,)).abs().max() -> 8.5e-07;
  // F.layer_norm(torch.full((1,1000),1e3+0.1),(1000,)).abs().max() -> 0.00799
  const double a = F::layer_norm(full({1, 64}, 0.1f), {64}).abs().max().item<double>();
  const double b = F::layer_norm(full({1, 1000}, 1e3f + 0.1f), {1000}).abs().max().item<double>();
  EXPECT_LE(a, 2 * 8.6e-7);
  EXPECT_LE(b, 2 * 0.008);
}

}  // namespace
