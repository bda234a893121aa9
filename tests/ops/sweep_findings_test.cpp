// sweep_findings_test.cpp — what the randomized differential sweep (tests/golden/gen_sweep.py) found,
// one test per symptom. Expected values come from torch 1.13 (the one-liner beside each).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>

#include "expect_values.h"

using namespace nabla;
using nabla::testing::expect_values;
using nabla::testing::kInf;
using nabla::testing::kNan;
namespace F = nabla::nn::functional;

namespace {

Tensor f32(const std::vector<double>& v) {
  return from_buffer(v.data(), {static_cast<int64_t>(v.size())}, kFloat64).to(kFloat32);
}
Tensor leaf(const std::vector<double>& v) { return f32(v).requires_grad_(); }

// A [0, 0] tensor has no run to visit; the strided loop divided by its 0 extent (SIGFPE).
TEST(SweepFindings, ZeroSizeTensorsDoNotCrash) {
  Tensor x = zeros({0, 0}, {.dtype = kFloat64}).requires_grad_();
  EXPECT_EQ(F::elu(x).sizes(), x.sizes());
  EXPECT_EQ(isfinite(zeros({0, 0}, {.dtype = kBool})).sizes(), x.sizes());
  Tensor p = prod(x, 1);  // torch.zeros(0, 0).prod(1) -> shape [0]
  EXPECT_EQ(p.sizes().vec(), std::vector<int64_t>{0});
  p.sum().backward();
  EXPECT_EQ(x.grad().sizes(), x.sizes());
}

// F.binary_cross_entropy_with_logits(x, y, reduction='sum') at x = 0: gradient sigmoid(0) - y = 0.5 - y
// (the composite took abs's and clamp's kink conventions and gave 1 - y or -y).
TEST(SweepFindings, BceWithLogitsGradientAtZeroLogit) {
  Tensor x = leaf({0.0, 0.0}), y = f32({0.25, 1.0});
  F::binary_cross_entropy_with_logits(x, y, Tensor(), Tensor(), "sum").backward();
  expect_values(x.grad(), {0.25, -0.5});
  // pos_weight 2: (pw y + 1 - y) sigmoid(0) - pw y -> [0.625 - 0.5, 1.0 - 2.0]
  Tensor x2 = leaf({0.0, 0.0});
  F::binary_cross_entropy_with_logits(x2, y, Tensor(), f32({2.0, 2.0}), "sum").backward();
  expect_values(x2.grad(), {0.125, -1.0});
}

// PyTorch's gradient is clamp(x / beta, -1, 1) for smooth L1 (clamp(x, -delta, delta) for Huber):
// finite at an infinite difference (was NaN from the unused where() branch), NaN at a NaN one (was 0).
TEST(SweepFindings, SmoothL1AndHuberGradientsAtNonFinite) {
  for (bool huber : {false, true}) {
    Tensor x = leaf({kInf, -kInf, kNan, 0.5});
    Tensor t = zeros({4});
    Tensor l = huber ? F::huber_loss(x, t, "sum", 2.0) : F::smooth_l1_loss(x, t, "sum", 2.0);
    l.backward();
    if (huber)
      expect_values(x.grad(), {2.0, -2.0, kNan, 0.5});
    else
      expect_values(x.grad(), {1.0, -1.0, kNan, 0.25});
  }
}

// torch.tensor([2., 2., 2.], requires_grad=True).std() -> 0, backward: zeros (PyTorch masks 0 / 0).
TEST(SweepFindings, StdGradientOfAConstantLaneIsZero) {
  Tensor x = leaf({2.0, 2.0, 2.0});
  x.std().backward();
  expect_values(x.grad(), {0, 0, 0});
}

// torch.tensor([inf, 1., 2.], requires_grad=True).var() is nan; its gradient is [nan, -inf, -inf]
// (2 (x - mean) / (n - 1)); differentiating through mean() made every element NaN.
TEST(SweepFindings, VarGradientWithAnInfinity) {
  Tensor x = leaf({kInf, 1.0, 2.0});
  Tensor v = x.var();
  expect_values(v, {kNan});
  v.backward();
  expect_values(x.grad(), {kNan, -kInf, -kInf});
}

// float32 std of [1e30, -1e30, 0] is 1e30 (PyTorch accumulates in double; squares overflowed float32).
TEST(SweepFindings, StdOfHugeFloat32ValuesDoesNotOverflow) {
  expect_values(f32({1e30, -1e30, 0.0}).std(), {1e30});
}

// torch.lerp(start, end, weight) with weight = inf: gradients (1 - w) g, w g, (end - start) g =
// [-inf, inf, 1] (the composite's where() gave NaN); and lerp(-0.274, -inf, -0.5) = inf (branch
// weight < 0.5, not |weight| < 0.5).
TEST(SweepFindings, LerpWithInfinities) {
  Tensor a = leaf({1.0}), b = leaf({2.0}), w = leaf({kInf});
  lerp(a, b, w).sum().backward();
  expect_values(a.grad(), {-kInf});
  expect_values(b.grad(), {kInf});
  expect_values(w.grad(), {1.0});
  expect_values(lerp(f32({-0.274}), f32({-kInf}), Scalar(-0.5)), {kInf});
}

// torch.div(a, b) with b = 1e-30: d/db = -(a / b) / b = -1e60 -> -inf in float32 but for a = 1e-31,
// -0.1 / 1e-30 * ... = -1e29 (b * b underflowed to 0 and gave -inf).
TEST(SweepFindings, DivGradientWithATinyDivisor) {
  Tensor a = f32({1e-31}), b = leaf({1e-30});
  div(a, b).backward();
  expect_values(b.grad(), {-1e29}, 1e-5);
}

// torch.addcdiv(s, t1, t2) with t1 = 0 and t2 = 1e-30: d/dt2 = -t1 / (t2 * t2) = 0 / 0 = nan.
TEST(SweepFindings, AddcdivGradientFollowsPyTorchsFormula) {
  Tensor s = f32({1.0}), t1 = leaf({0.0}), t2 = leaf({1e-30});
  addcdiv(s, t1, t2).backward();
  expect_values(t1.grad(), {1e30});
  expect_values(t2.grad(), {kNan});
}

// F.embedding(idx, weight, padding_idx=2) keeps the weight's dtype and its infinities.
TEST(SweepFindings, EmbeddingWithPaddingIdxKeepsDtypeAndValues) {
  Tensor idx = tensor({0, 2, 1}, {.dtype = kInt64});
  Tensor wi = tensor({{1, 2}, {3, 4}, {5, 6}}, {.dtype = kInt64});
  Tensor e = F::embedding(idx, wi, 2);
  EXPECT_EQ(e.dtype(), kInt64);
  expect_values(e, {1, 2, 5, 6, 3, 4});
  Tensor wf = tensor({{-kInf, 1.0}, {2.0, 3.0}, {4.0, 5.0}}, {.dtype = kFloat32});
  expect_values(F::embedding(idx, wf, 2), {-kInf, 1, 4, 5, 2, 3});
}

// torch.tensor([1, 0], dtype=torch.uint8).all() is tensor(0, dtype=torch.uint8) (not bool).
TEST(SweepFindings, AllAnyKeepUint8) {
  Tensor u = tensor({1, 0}, {.dtype = kUInt8});
  EXPECT_EQ(u.all().dtype(), kUInt8);
  EXPECT_EQ(u.any(0, false).dtype(), kUInt8);
  expect_values(u.any(), {1});
  EXPECT_EQ(tensor({1, 0}, {.dtype = kInt64}).all().dtype(), kBool);
}

// Products of expanded (stride-0) operands: oneDNN refused the descriptor.
TEST(SweepFindings, MatmulOfExpandedOperands) {
  Tensor a = f32({1, 2, 3}).reshape({1, 1, 3}).expand({2, 2, 3});  // batch and rows broadcast
  Tensor b = f32({1, 0, 2, 1, 0, 1}).reshape({1, 3, 2}).expand({2, 3, 2});
  Tensor want = matmul(a.contiguous(), b.contiguous());
  expect_values(bmm(a, b), want.to_vector());
  expect_values(matmul(a, b), want.to_vector());
  Tensor w = f32({1, 2, 3}).reshape({1, 3}).expand({2, 3});  // [out=2, in=3] with stride-0 rows
  expect_values(F::linear(a, w, Tensor()), matmul(a.contiguous(), w.contiguous().t()).to_vector());
}

// Bool inputs: torch.sign(b) is b; clamp(b, min=0, max=1) is int64; b.pow(2) is int64.
TEST(SweepFindings, BoolSignClampPow) {
  Tensor b = tensor({1, 0}, {.dtype = kBool});
  EXPECT_EQ(sign(b).dtype(), kBool);
  expect_values(sign(b), {1, 0});
  EXPECT_EQ(clamp(b, Scalar(0), Scalar(1)).dtype(), kInt64);
  EXPECT_EQ(clamp(b, Scalar(-0.5), Scalar(0.5)).dtype(), kFloat32);
  expect_values(clamp(b, Scalar(-0.5), Scalar(0.5)), {0.5, 0});
  EXPECT_EQ(pow(b, Scalar(2)).dtype(), kInt64);
}

// torch.bucketize(torch.tensor([True, False]), torch.tensor([0.5, 1.])) -> [1, 0]
TEST(SweepFindings, BucketizeBoolValues) {
  expect_values(bucketize(tensor({1, 0}, {.dtype = kBool}), f32({0.5, 1.0})), {1, 0});
}

// F.cross_entropy with an ignored row holding NaN: the row contributes nothing (was NaN), also with
// a class weight that is NaN for the ignored row's placeholder class.
TEST(SweepFindings, IgnoredSamplesDoNotPoisonTheLoss) {
  Tensor x = tensor({{kNan, 0.0}, {1.0, 0.0}}, {.dtype = kFloat32});
  Tensor t = tensor({-100, 0}, {.dtype = kInt64});
  expect_values(F::cross_entropy(x, t), {0.3132617});  // -log_softmax([1, 0])[0]
  Tensor w = f32({kNan, 1.0});
  Tensor t2 = tensor({-100, 1}, {.dtype = kInt64});
  expect_values(F::nll_loss(F::log_softmax(tensor({{0.0, 0.0}, {1.0, 0.0}}, {.dtype = kFloat32}), 1), t2, w),
                {1.3132617});
}

// A conv bias of another dtype is a DTypeError naming the op (was an internal data_ptr message).
TEST(SweepFindings, ConvBiasDtypeIsChecked) {
  Tensor x = zeros({1, 1, 4}, {.dtype = kFloat64}), w = zeros({1, 1, 2}, {.dtype = kFloat64});
  try {
    F::conv1d(x, w, zeros({1}, {.dtype = kInt64}));
    FAIL() << "expected a DTypeError";
  } catch (const DTypeError& e) {
    EXPECT_NE(std::string(e.what()).find("conv1d"), std::string::npos) << e.what();
  }
}

// F.binary_cross_entropy(x, t, w, reduction='sum') with w = inf: d/dt = -logit(x) w = [inf, nan, inf] for
// x = [0.3, 0.5, 0] (the composite's log(1 - x) w - log(x) w was inf - inf = NaN, and 100 at x = 0).
TEST(SweepFindings, BceTargetGradientIsMinusLogitTimesWeight) {
  Tensor x = f32({0.3, 0.5, 0.0}), t = leaf({0.2, 0.4, 0.7});
  F::binary_cross_entropy(x, t, f32({kInf, kInf, 2.0}), "sum").backward();
  expect_values(t.grad(), {kInf, kNan, kInf});
}

// float16 binary_cross_entropy at x = t = 0 and x = t = 1: PyTorch's gradient (x - t) / max((1 - x) x,
// 1e-12) computed in float32 is 0; in float16 the 1e-12 underflowed and gave 0 / 0 = NaN.
TEST(SweepFindings, BceFloat16GradientAtZeroAndOne) {
  Tensor x = f32({0.0, 1.0, 0.25}).to(kFloat16).requires_grad_();
  Tensor l = F::binary_cross_entropy(x, f32({0.0, 1.0, 0.5}).to(kFloat16), Tensor(), "sum");
  EXPECT_EQ(l.dtype(), kFloat16);
  l.backward();
  EXPECT_EQ(x.grad().dtype(), kFloat16);
  expect_values(x.grad(), {0.0, 0.0, -1.3330078125});
}

// F.nll_loss(x, [0, 1], weight=[0., 0.]): the total weight is 0 with no target ignored, so the loss is
// nan and so is the gradient at the targets, -w / total = 0 / 0 (it was 0, the every-target-ignored rule).
TEST(SweepFindings, NllLossZeroTotalWeightGradientIsNan) {
  Tensor x = f32({0.1, 0.2, 0.3, 0.4}).reshape({2, 2}).requires_grad_();
  Tensor l = F::nll_loss(x, tensor({0, 1}, {.dtype = kInt64}), f32({0.0, 0.0}));
  expect_values(l, {kNan});
  l.backward();
  expect_values(x.grad(), {kNan, 0.0, 0.0, kNan});
}

// torch.addcmul(zeros(3), t1=[1.], t2=[inf]) backward with [1, -1, 2]: PyTorch sums g * inf over the
// broadcast, nan (was sum(g) * inf = inf); with an empty output t1's gradient is 0 even for t2 = nan;
// a uint8 t2 times value = -2 wraps in uint8 ([3, 200] -> [250, 112]).
TEST(SweepFindings, AddcmulGradientsFollowPyTorch) {
  Tensor t1 = leaf({1.0});
  addcmul(zeros({3}), t1, f32({kInf})).backward(f32({1.0, -1.0, 2.0}));
  expect_values(t1.grad(), {kNan});
  Tensor e1 = f32({1.0, 2.0}).reshape({1, 2}).requires_grad_();
  addcmul(zeros({0, 2}), e1, f32({kNan}).reshape({})).sum().backward();
  expect_values(e1.grad(), {0.0, 0.0});
  Tensor u1 = leaf({1.0, 2.0});
  Tensor u2 = tensor({3, 200}, {.dtype = kUInt8});
  Tensor y = addcmul(zeros({2}), u1, u2, -2);
  expect_values(y, {-6.0, -800.0});
  y.sum().backward();
  expect_values(u1.grad(), {250.0, 112.0});
}

// x = [[0, 2, -1], [-2, inf, 3]]: x.prod(1) backward is [[-2, -0, 0], [inf, -6, -inf]]: with a zero
// anywhere in the tensor PyTorch multiplies the other elements for every lane (prod / x gave inf / inf
// = NaN in the second lane); over all elements, two zeros give 0 even next to a NaN.
TEST(SweepFindings, ProdGradientWithZerosElsewhere) {
  Tensor x = f32({0.0, 2.0, -1.0, -2.0, kInf, 3.0}).reshape({2, 3}).requires_grad_();
  prod(x, 1).sum().backward();
  expect_values(x.grad(), {-2.0, 0.0, 0.0, kInf, -6.0, -kInf});
  Tensor z = leaf({0.0, kNan, 0.0});
  z.prod().backward();
  expect_values(z.grad(), {0.0, 0.0, 0.0});
  Tensor o = leaf({0.0, kNan, 2.0});
  o.prod().backward();
  expect_values(o.grad(), {kNan, 0.0, kNan});
}

// torch.pow(x, -0.5) is rsqrt and pow(x, 0.5) sqrt (PyTorch's specializations): at [-inf, -0, 4] they
// give [nan, -inf, 0.5] and [nan, -0, 2] where std::pow gives [0, inf, 0.5] and [inf, 0, 2]; the
// gradient 0.5 pow(x, -0.5) follows ([-inf, nan, 0.25]).
TEST(SweepFindings, PowScalarSpecializations) {
  Tensor x = leaf({-kInf, -0.0, 4.0});
  expect_values(pow(x, Scalar(-0.5)), {kNan, -kInf, 0.5});
  Tensor r = pow(x, Scalar(0.5));
  expect_values(r, {kNan, 0.0, 2.0});
  EXPECT_TRUE(std::signbit(r.at({1}).to_double()));
  r.sum().backward();
  expect_values(x.grad(), {kNan, -kInf, 0.25});
}

// torch.norm(x, 1.5) backward at x = [0, 0, 1, 1]: sgn(x) |x|^0.5 / ||x||^0.5 = [0, 0, 0.7937, 0.7937]
// (x |x|^(p - 2) was 0 * inf = NaN at 0); p = 0.5 at [0, -2, 1]: [0, -1.7071, 2.4142].
TEST(SweepFindings, NormGradientAtZeroBelowPTwo) {
  Tensor x = leaf({0.0, 0.0, 1.0, 1.0});
  norm(x, 1.5).backward();
  expect_values(x.grad(), {0.0, 0.0, 0.7937005, 0.7937005}, 1e-5);
  Tensor y = leaf({0.0, -2.0, 1.0});
  norm(y, 0.5).backward();
  expect_values(y.grad(), {0.0, -1.7071068, 2.4142137}, 1e-5);
}

// torch.logsumexp(torch.zeros(4, 0), [-1, 0]) is -inf with an empty gradient (max() over the empty
// dims refused).
TEST(SweepFindings, LogsumexpOverEmptyDims) {
  Tensor x = zeros({4, 0}).requires_grad_();
  Tensor y = logsumexp(x, {-1, 0});
  expect_values(y, {-kInf});
  y.backward();
  EXPECT_EQ(x.grad().sizes(), x.sizes());
  expect_values(logsumexp(zeros({4, 0}), {1}), {-kInf, -kInf, -kInf, -kInf});
}

// torch.allclose([-0., 0.0742], [-0., -inf], equal_nan=True) is False: an infinite difference is never
// close (inf <= atol + rtol * inf held).
TEST(SweepFindings, AllcloseFiniteAgainstInfinity) {
  Tensor a = tensor({-0.0, 0.0742}, {.dtype = kFloat64}), b = tensor({-0.0, -kInf}, {.dtype = kFloat64});
  EXPECT_FALSE(allclose(a, b, 1e-5, 1e-8, true));
  EXPECT_TRUE(allclose(b, b, 1e-5, 1e-8, true));
}

// torch.addmm on int64 with beta=0.5, alpha=2.7: the scalars become 0 and 2, the result stays int64
// ([[1]], [[3]], [[2]] -> [[12]]); a float Scalar promoted it to float32 (13.7).
TEST(SweepFindings, IntegerAddmmTruncatesItsScalars) {
  Tensor one = tensor({int64_t{1}}).reshape({1, 1});
  Tensor r = addmm(one, one * 3, one * 2, 0.5, 2.7);
  EXPECT_EQ(r.dtype(), kInt64);
  expect_values(r, {12});
}

// x[:, 0] = 0.667 three times (float64): x.std(0)[0] is exactly 0 and its gradient 0 (the two-pass
// mean rounded, std was 1e-17 and the gradient 0.1).
TEST(SweepFindings, StdOfAConstantFloat64LaneIsExactlyZero) {
  Tensor x =
      tensor({0.667, 1.0, 0.667, 2.0, 0.667, 3.0}, {.dtype = kFloat64}).reshape({3, 2}).requires_grad_();
  Tensor y = x.std(std::vector<int64_t>{0});
  EXPECT_EQ(y.at({0}).to_double(), 0.0);
  y.sum().backward();
  expect_values(x.grad(), {0.0, -0.5, 0.0, 0.0, 0.0, 0.5});
}

// F.linear of a 1-D int32 input and int32 weight with an int64 bias is int32 ([4, -6]): PyTorch adds
// the bias in place; float32 with a float64 bias stays float32 and the bias gradient float64.
TEST(SweepFindings, LinearKeepsTheProductsDtype) {
  Tensor x = tensor({-2, -1, 1}, {.dtype = kInt32});
  Tensor w = tensor({1, -4, -3, 5, 3, 2}, {.dtype = kInt32}).reshape({2, 3});
  Tensor r = F::linear(x, w, tensor({5, 5}, {.dtype = kInt64}));
  EXPECT_EQ(r.dtype(), kInt32);
  expect_values(r, {4, -6});
  Tensor b = tensor({0.1}, {.dtype = kFloat64}).requires_grad_();
  Tensor y = F::linear(f32({0.5, 1.0, 2.0}), f32({1.0, 2.0, 3.0}).reshape({1, 3}), b);
  EXPECT_EQ(y.dtype(), kFloat32);
  y.sum().backward();
  EXPECT_EQ(b.grad().dtype(), kFloat64);
}

// bfloat16 std of [1e30, 0.97, -1.84, 0.105] (correction 0) is 4.33e29 with gradient [0.906, -0.301 x3]
// for g = 2.08: the squares overflowed float32 staging (inf, gradient 0).
TEST(SweepFindings, BFloat16StdOfHugeValues) {
  Tensor x = f32({1e30, 0.97265625, -1.84375, 0.10498047}).to(kBFloat16).requires_grad_();
  Tensor y = x.std(std::vector<int64_t>{0}, 0);
  expect_values(y, {4.3328e29}, 4e-3);
  y.backward(full({}, 2.078125, {.dtype = kBFloat16}));
  expect_values(x.grad(), {0.90625, -0.30078125, -0.30078125, -0.30078125}, 4e-3);
}

// torch.cumprod(x, 0) of a [1, 3] x with -inf: the gradient is g (a dim of size 1); y / x was NaN.
TEST(SweepFindings, CumprodOverASizeOneDim) {
  Tensor x = tensor({0.345, -kInf, 0.338}, {.dtype = kFloat64}).reshape({1, 3}).requires_grad_();
  cumprod(x, 0).backward(tensor({-0.562, 2.07, -0.299}, {.dtype = kFloat64}).reshape({1, 3}));
  expect_values(x.grad(), {-0.562, 2.07, -0.299});
}

// x.cumprod(1) backward on [[1.53, -inf, 0, -1.87], [2, 0, nan, 3]] with g = [[-1.04, -1.15, 0.152,
// -0.973], [1, 1, 1, 1]]: [[inf, nan, -inf, 0], [1, nan, 0, 0]] (PyTorch masks the terms after a zero;
// g * y summed them and gave NaN at the first element).
TEST(SweepFindings, CumprodGradientDropsTermsAfterAZero) {
  Tensor x = f32({1.53, -kInf, 0.0, -1.87, 2.0, 0.0, kNan, 3.0}).reshape({2, 4}).requires_grad_();
  cumprod(x, 1).backward(f32({-1.04, -1.15, 0.152, -0.973, 1.0, 1.0, 1.0, 1.0}).reshape({2, 4}));
  expect_values(x.grad(), {kInf, kNan, -kInf, 0.0, 1.0, kNan, 0.0, 0.0});
}

// F.max_pool2d over [[nan, nan], [1, 1]]: the index is the last NaN (PyTorch: val > max || isnan(val)),
// so the gradient goes to element 1 (nabla stopped at a row's first NaN).
TEST(SweepFindings, MaxPoolPicksTheLastNan) {
  Tensor x = f32({kNan, kNan, 1.0, 1.0}).reshape({1, 1, 2, 2}).requires_grad_();
  F::max_pool2d(x, {.kernel_size = {2, 2}}).backward(ones({1, 1, 1, 1}));
  expect_values(x.grad(), {0.0, 1.0, 0.0, 0.0});
}

// float16 pow(x, y) at x = 0.0705, y = -3, g = -0.353: y x^(y - 1) = -1.2e5 overflows float16 but the
// gradient, 4.288e4, fits; computed in float32 and rounded once (it was inf). Same for pow(x, -3.0).
TEST(SweepFindings, Float16PowGradientDoesNotOverflowInBetween) {
  Tensor x = f32({0.070495605}).to(kFloat16).requires_grad_();
  Tensor y = f32({-3.0}).to(kFloat16).requires_grad_();
  pow(x, y).backward(f32({-0.35302734}).to(kFloat16));
  EXPECT_EQ(x.grad().dtype(), kFloat16);
  expect_values(x.grad(), {42880.0}, 1e-3);
  Tensor xs = f32({0.070495605}).to(kFloat16).requires_grad_();
  pow(xs, Scalar(-3.0)).backward(f32({-0.35302734}).to(kFloat16));
  expect_values(xs.grad(), {42880.0}, 1e-3);
}

}  // namespace
