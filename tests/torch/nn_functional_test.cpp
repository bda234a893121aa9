// torch::nn::functional, the torch::-level nn ops and torch::nn::init: each LibTorch spelling gives
// exactly what nabla's own function gives, honours its options, and matches PyTorch's numbers.
// Values marked "PyTorch 1.13" were printed by /usr/bin/python3 with torch 1.13 on the same inputs.
#include <gtest/gtest.h>

#include <cmath>

#include "../expect_values.h"
#include "nabla/nn/functional.h"
#include "torch/nn/functional.h"
#include "torch/nn/init.h"
#include "torch/nn/ops.h"

namespace F = torch::nn::functional;
namespace NF = nabla::nn::functional;
using nabla::testing::expect_values;
using torch::Tensor;

namespace {

// [-1.5, -1.25, ..., 1.25] as [3, 4]
Tensor xa() { return torch::arange(-6, 6, torch::kFloat32).reshape({3, 4}) / 4.0; }
// conv inputs: x [1, 2, 5, 5], w [3, 2, 2, 3], b [3]
Tensor conv_x() { return (torch::arange(50, torch::kFloat32).reshape({1, 2, 5, 5}) - 25) / 10.0; }
Tensor conv_w() { return (torch::arange(36, torch::kFloat32).reshape({3, 2, 2, 3}) - 18) / 20.0; }
Tensor conv_b() { return torch::tensor({0.1f, -0.2f, 0.3f}); }

}  // namespace

// ---------------------------------------------------------------- activations

TEST(TorchFunctional, ActivationsEqualNablas) {
  Tensor x = xa();
  EXPECT_TRUE(torch::equal(F::relu(x), nabla::relu(x)));
  EXPECT_TRUE(torch::equal(F::relu6(x * 10), NF::relu6(x * 10)));
  EXPECT_TRUE(torch::equal(F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2)),
                           nabla::leaky_relu(x, 0.2)));
  EXPECT_FALSE(torch::equal(F::leaky_relu(x), nabla::leaky_relu(x, 0.2)));  // the default slope is 0.01
  EXPECT_TRUE(torch::equal(F::elu(x, F::ELUFuncOptions().alpha(0.5)), NF::elu(x, 0.5)));
  EXPECT_TRUE(torch::equal(F::gelu(x), nabla::gelu(x)));
  EXPECT_TRUE(torch::equal(F::silu(x), NF::silu(x)));
  EXPECT_TRUE(torch::equal(F::selu(x), nabla::selu(x)));
  EXPECT_TRUE(torch::equal(F::celu(x, F::CELUFuncOptions().alpha(2)), nabla::celu(x, 2)));
  EXPECT_TRUE(torch::equal(F::hardtanh(x, F::HardtanhFuncOptions().min_val(-0.5).max_val(0.7)),
                           nabla::hardtanh(x, -0.5, 0.7)));
  EXPECT_TRUE(
      torch::equal(F::softplus(x, F::SoftplusFuncOptions().beta(2).threshold(1)), nabla::softplus(x, 2, 1)));
  EXPECT_TRUE(torch::equal(F::softmax(x, F::SoftmaxFuncOptions(1)), nabla::softmax(x, 1)));
  EXPECT_TRUE(torch::equal(F::softmax(x, 0), nabla::softmax(x, 0)));  // the dim converts to the options
  EXPECT_TRUE(torch::equal(F::log_softmax(x, F::LogSoftmaxFuncOptions(1)), nabla::log_softmax(x, 1)));
  EXPECT_TRUE(torch::equal(F::logsigmoid(x), nabla::logsigmoid(x)));
  EXPECT_TRUE(torch::equal(F::mish(x), nabla::mish(x)));
}

TEST(TorchFunctional, ActivationValuesMatchPyTorch) {
  Tensor x = xa();
  // PyTorch 1.13: F.elu(x, alpha=0.5), F.gelu(x, approximate='tanh'), F.softmin(x, 1), F.glu(x, 1),
  // F.softshrink(x, 0.5)
  expect_values(F::elu(x, F::ELUFuncOptions().alpha(0.5)),
                {-0.3884349, -0.3567476, -0.3160603, -0.2638167, -0.1967347, -0.1105996, 0.0, 0.25, 0.5, 0.75,
                 1.0, 1.25});
  expect_values(F::gelu(x, F::GELUFuncOptions().approximate("tanh")),
                {-0.1004284, -0.1322858, -0.158808, -0.1700395, -0.154286, -0.1003246, 0.0, 0.1496754,
                 0.345714, 0.5799606, 0.841192, 1.1177142});
  expect_values(F::softmin(x, F::SoftminFuncOptions(1)).select(0, 0),
                {0.349932, 0.2725273, 0.2122445, 0.1652962});
  expect_values(F::glu(x, F::GLUFuncOptions(1)),
                {-0.4034122, -0.4010266, -0.25, -0.1405441, 0.3655293, 0.5829749});
  expect_values(F::softshrink(x, 0.5), {-1.0, -0.75, -0.5, -0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.5, 0.75});
  expect_values(F::threshold(x, F::ThresholdFuncOptions(0.5, -9)),
                {-9, -9, -9, -9, -9, -9, -9, -9, -9, 0.75, 1.0, 1.25});
}

TEST(TorchFunctional, InplaceOptionWritesIntoTheInput) {
  Tensor x = xa();
  Tensor y = F::relu(x, F::ReLUFuncOptions().inplace(true));
  EXPECT_TRUE(torch::equal(x, nabla::relu(xa())));
  EXPECT_TRUE(y.is_same(x));
  Tensor z = xa();
  F::leaky_relu(z, F::LeakyReLUFuncOptions().negative_slope(0.5).inplace(true));
  EXPECT_TRUE(torch::equal(z, nabla::leaky_relu(xa(), 0.5)));
  Tensor w = xa();
  Tensor out = F::elu(w);  // not in place by default
  EXPECT_TRUE(torch::equal(w, xa()));
  EXPECT_FALSE(torch::equal(out, w));
}

TEST(TorchFunctional, SoftmaxDtypeCastsFirst) {
  Tensor x = xa();
  Tensor y = F::softmax(x, F::SoftmaxFuncOptions(1).dtype(torch::kFloat64));
  EXPECT_EQ(y.dtype(), torch::kFloat64);
  EXPECT_TRUE(torch::equal(y, nabla::softmax(x.to(torch::kFloat64), 1)));
  Tensor z = torch::log_softmax(x, 1, torch::kFloat64);
  EXPECT_EQ(z.dtype(), torch::kFloat64);
  EXPECT_TRUE(torch::equal(z, nabla::log_softmax(x.to(torch::kFloat64), 1)));
  EXPECT_TRUE(torch::equal(torch::softmax(x, 1, std::nullopt), nabla::softmax(x, 1)));
}

TEST(TorchOps, ActivationsEqualNablas) {
  Tensor x = xa();
  EXPECT_TRUE(torch::equal(torch::elu(x, 0.5), NF::elu(x, 0.5)));
  // scale and input_scale: scale * (x > 0 ? x : alpha * (exp(x * input_scale) - 1))
  Tensor e = torch::elu(x, 1.0, 2.0, 0.5);
  EXPECT_TRUE(torch::allclose(e, torch::where(x > 0, 2 * x, 2 * (torch::exp(0.5 * x) - 1))));
  EXPECT_TRUE(torch::equal(torch::silu(x), NF::silu(x)));
  EXPECT_TRUE(torch::equal(torch::relu6(x * 10), NF::relu6(x * 10)));
  EXPECT_TRUE(torch::equal(torch::threshold(x, 0, 7), F::threshold(x, F::ThresholdFuncOptions(0, 7))));
}

// ---------------------------------------------------------------- convolution

TEST(TorchFunctional, Conv2dOptionsReachNabla) {
  Tensor x = conv_x(), w = conv_w(), b = conv_b();
  NF::ConvOptions o;
  o.stride = {2, 2};
  o.padding = {1, 1};
  Tensor want = NF::conv2d(x, w, b, o);
  EXPECT_TRUE(torch::equal(F::conv2d(x, w, F::Conv2dFuncOptions().stride(2).padding(1).bias(b)), want));
  EXPECT_TRUE(torch::equal(torch::conv2d(x, w, b, 2, 1), want));
  EXPECT_TRUE(torch::equal(at::conv2d(x, w, b, {2, 2}, {1, 1}), want));
  // PyTorch 1.13: F.conv2d(x, w, b, stride=2, padding=1) is [1, 3, 3, 3] with these sums per channel
  EXPECT_EQ(want.sizes().vec(), (std::vector<int64_t>{1, 3, 3, 3}));
  expect_values(want.sum({2, 3}), {16.16, 11.36, 13.76});
  // defaults: stride 1, no padding, no bias
  EXPECT_TRUE(torch::equal(F::conv2d(x, w), NF::conv2d(x, w)));
  EXPECT_TRUE(torch::equal(torch::conv2d(x, w), NF::conv2d(x, w)));
  // asymmetric lists, dilation and groups
  NF::ConvOptions o2;
  o2.padding = {1, 2};
  o2.dilation = {2, 1};
  EXPECT_TRUE(torch::equal(F::conv2d(x, w, F::Conv2dFuncOptions().padding({1, 2}).dilation({2, 1})),
                           NF::conv2d(x, w, {}, o2)));
  Tensor wg = conv_w().narrow(1, 0, 1).repeat({2, 1, 1, 1});  // [6, 1, 2, 3]
  NF::ConvOptions og;
  og.groups = 2;
  EXPECT_TRUE(torch::equal(F::conv2d(x, wg, F::Conv2dFuncOptions().groups(2)), NF::conv2d(x, wg, {}, og)));
  EXPECT_TRUE(torch::equal(torch::conv2d(x, wg, {}, 1, 0, 1, 2), NF::conv2d(x, wg, {}, og)));
}

TEST(TorchFunctional, ConvPaddingSameAndValid) {
  Tensor x = conv_x(), w = conv_w();
  NF::ConvOptions same;
  same.padding_same = true;
  Tensor want = NF::conv2d(x, w, {}, same);
  EXPECT_EQ(want.size(3), 5);
  EXPECT_TRUE(torch::equal(F::conv2d(x, w, F::Conv2dFuncOptions().padding(torch::kSame)), want));
  EXPECT_TRUE(torch::equal(torch::conv2d(x, w, {}, 1, "same"), want));
  EXPECT_TRUE(torch::equal(F::conv2d(x, w, F::Conv2dFuncOptions().padding(torch::kValid)), NF::conv2d(x, w)));
  EXPECT_THROW(torch::conv2d(x, w, {}, 1, "full"), nabla::ValueError);
}

TEST(TorchFunctional, Conv1dAndTransposed) {
  Tensor x = (torch::arange(14, torch::kFloat32).reshape({1, 2, 7}) - 7) / 5.0;
  Tensor w = (torch::arange(12, torch::kFloat32).reshape({3, 2, 2}) - 6) / 10.0;
  NF::ConvOptions o;
  o.stride = {1, 2};
  o.padding = {0, 1};
  Tensor want = NF::conv1d(x, w, {}, o);
  EXPECT_TRUE(torch::equal(F::conv1d(x, w, F::Conv1dFuncOptions().stride(2).padding(1)), want));
  EXPECT_TRUE(torch::equal(torch::conv1d(x, w, {}, 2, 1), want));

  // conv_transpose2d: the same options as nabla's
  Tensor x2 = conv_x(), wt2 = conv_w().transpose(0, 1).contiguous();  // [2, 3, 2, 3]
  NF::ConvTransposeOptions ot;
  ot.stride = {2, 1};
  ot.padding = {1, 0};
  ot.output_padding = {1, 0};
  Tensor want2 = NF::conv_transpose2d(x2, wt2, conv_b(), ot);
  EXPECT_TRUE(torch::equal(
      F::conv_transpose2d(
          x2, wt2,
          F::ConvTranspose2dFuncOptions().stride({2, 1}).padding({1, 0}).output_padding({1, 0}).bias(
              conv_b())),
      want2));
  EXPECT_TRUE(torch::equal(torch::conv_transpose2d(x2, wt2, conv_b(), {2, 1}, {1, 0}, {1, 0}), want2));

  // conv_transpose1d (not in nabla): PyTorch 1.13 F.conv_transpose1d(x, wt, [0, 1, -1], stride=2,
  // padding=1, output_padding=1)
  Tensor wt = (torch::arange(12, torch::kFloat32).reshape({2, 3, 2}) - 6) / 10.0;
  Tensor bt = torch::tensor({0.f, 1.f, -1.f});
  Tensor y = F::conv_transpose1d(
      x, wt, F::ConvTranspose1dFuncOptions().stride(2).padding(1).output_padding(1).bias(bt));
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{1, 3, 13}));
  expect_values(y, {0.7,   0.72,  0.62,  0.6,   0.54, 0.48, 0.46,  0.36,  0.38,  0.24,  0.3,   0.12,  0.22,
                    1.42,  1.52,  1.42,  1.48,  1.42, 1.44, 1.42,  1.40,  1.42,  1.36,  1.42,  1.32,  1.42,
                    -0.86, -0.68, -0.78, -0.64, -0.7, -0.6, -0.62, -0.56, -0.54, -0.52, -0.46, -0.48, -0.38});
  EXPECT_TRUE(torch::equal(torch::conv_transpose1d(x, wt, bt, 2, 1, 1), y));
}

// ---------------------------------------------------------------- pooling

TEST(TorchFunctional, PoolingOptionsReachNabla) {
  Tensor x = conv_x();
  NF::PoolOptions p;
  p.kernel_size = {2, 2};
  p.stride = {1, 1};
  Tensor want = NF::max_pool2d(x, p);
  EXPECT_TRUE(torch::equal(F::max_pool2d(x, F::MaxPool2dFuncOptions(2).stride(1)), want));
  EXPECT_TRUE(torch::equal(torch::max_pool2d(x, 2, 1), want));
  // the stride defaults to the kernel size
  EXPECT_EQ(F::max_pool2d(x, F::MaxPool2dFuncOptions(2)).sizes().vec(), (std::vector<int64_t>{1, 2, 2, 2}));
  EXPECT_EQ(torch::max_pool2d(x, {2, 2}).sizes().vec(), (std::vector<int64_t>{1, 2, 2, 2}));
  EXPECT_EQ(torch::max_pool2d(x, 2, {}, 0, 1, /*ceil_mode=*/true).sizes().vec(),
            (std::vector<int64_t>{1, 2, 3, 3}));
  auto [v, i] = F::max_pool2d_with_indices(x, F::MaxPool2dFuncOptions(2).stride(1));
  auto [v2, i2] = NF::max_pool2d_with_indices(x, p);
  EXPECT_TRUE(torch::equal(v, v2));
  EXPECT_TRUE(torch::equal(i, i2));

  NF::PoolOptions a;
  a.kernel_size = {3, 3};
  a.stride = {2, 2};
  a.padding = {1, 1};
  a.count_include_pad = false;
  Tensor avg = NF::avg_pool2d(x, a);
  EXPECT_TRUE(torch::equal(
      F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(2).padding(1).count_include_pad(false)), avg));
  EXPECT_TRUE(torch::equal(torch::avg_pool2d(x, 3, 2, 1, false, false), avg));
  // PyTorch 1.13: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
  expect_values(avg, {-2.2, -2.05, -1.9, -1.45, -1.3, -1.15, -0.7, -0.55, -0.4, 0.3, 0.45, 0.6, 1.05, 1.2,
                      1.35, 1.8, 1.95, 2.1});
  // count_include_pad=true divides the border windows by 9 instead: different values
  EXPECT_FALSE(torch::allclose(F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(2).padding(1)), avg));
  a.divisor_override = 2;
  EXPECT_TRUE(torch::equal(
      F::avg_pool2d(
          x, F::AvgPool2dFuncOptions(3).stride(2).padding(1).count_include_pad(false).divisor_override(2)),
      NF::avg_pool2d(x, a)));
}

TEST(TorchFunctional, AdaptiveAndOneDimensionalPooling) {
  Tensor x = conv_x();
  Tensor gap = F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions({1, 1}));
  EXPECT_TRUE(torch::allclose(gap.flatten(), x.mean({2, 3}).flatten()));
  EXPECT_TRUE(torch::equal(torch::adaptive_avg_pool2d(x, {2, 3}), NF::adaptive_avg_pool2d(x, {2, 3})));
  EXPECT_TRUE(torch::equal(F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions(2)),
                           NF::adaptive_avg_pool2d(x, {2, 2})));
  // a std::nullopt element keeps the input's size in that dim
  EXPECT_TRUE(torch::equal(F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions({std::nullopt, 2})),
                           NF::adaptive_avg_pool2d(x, {5, 2})));

  // PyTorch 1.13: F.max_pool1d([[[3, 1, 4, 1, 5, 9, 2, 6]]], 3, stride=2, padding=1)
  Tensor s = torch::tensor({3.f, 1.f, 4.f, 1.f, 5.f, 9.f, 2.f, 6.f}).reshape({1, 1, 8});
  expect_values(F::max_pool1d(s, F::MaxPool1dFuncOptions(3).stride(2).padding(1)), {3, 4, 9, 9});
  expect_values(torch::max_pool1d(s, 3, 2, 1), {3, 4, 9, 9});
  expect_values(F::avg_pool1d(s, F::AvgPool1dFuncOptions(2)), {2, 2.5, 7, 4});
  expect_values(torch::avg_pool1d(s, 4), {2.25, 5.5});
  expect_values(F::adaptive_avg_pool1d(s, F::AdaptiveAvgPool1dFuncOptions(2)), {2.25, 5.5});
}

// ---------------------------------------------------------------- dropout

TEST(TorchFunctional, DropoutEvalIsIdentityAndTrainScales) {
  Tensor x = torch::ones({64, 32});
  EXPECT_TRUE(torch::equal(F::dropout(x, F::DropoutFuncOptions().p(0.5).training(false)), x));
  EXPECT_TRUE(torch::equal(torch::dropout(x, 0.5, false), x));
  EXPECT_TRUE(torch::equal(F::dropout2d(x.reshape({4, 8, 8, 8}), F::Dropout2dFuncOptions().training(false)),
                           x.reshape({4, 8, 8, 8})));
  torch::manual_seed(0);
  Tensor y = F::dropout(x, F::DropoutFuncOptions().p(0.5));  // the functional form trains by default
  Tensor kept = (y == 2.0), dropped = (y == 0.0);
  EXPECT_TRUE(torch::equal(kept.logical_or(dropped), torch::ones({64, 32}, torch::kBool)));
  const double frac = dropped.to(torch::kFloat64).mean().item<double>();
  EXPECT_GT(frac, 0.4);
  EXPECT_LT(frac, 0.6);
  // same generator state, same mask as nabla's
  torch::manual_seed(7);
  Tensor a = torch::dropout(x, 0.3, true);
  torch::manual_seed(7);
  EXPECT_TRUE(torch::equal(a, NF::dropout(x, 0.3, true)));
  // dropout2d zeroes whole channels
  torch::manual_seed(1);
  Tensor c = F::dropout2d(torch::ones({4, 8, 3, 3}), F::Dropout2dFuncOptions().p(0.5));
  Tensor per_channel = c.amax({2, 3}) - c.amin({2, 3});
  EXPECT_EQ(per_channel.abs().max().item<double>(), 0.0);
  EXPECT_GT((c == 0).to(torch::kFloat32).sum().item<double>(), 0.0);
}

// ---------------------------------------------------------------- normalization

TEST(TorchFunctional, BatchNormTrainingUpdatesRunningStatsLikeNabla) {
  Tensor x = conv_x() * torch::arange(1, 3, torch::kFloat32).reshape({1, 2, 1, 1});
  Tensor w = torch::tensor({1.5f, 0.5f}), b = torch::tensor({0.1f, -0.1f});
  Tensor rm1 = torch::zeros({2}), rv1 = torch::ones({2}), rm2 = torch::zeros({2}), rv2 = torch::ones({2});
  Tensor rm3 = torch::zeros({2}), rv3 = torch::ones({2});
  Tensor y1 = F::batch_norm(
      x, rm1, rv1, F::BatchNormFuncOptions().weight(w).bias(b).training(true).momentum(0.3).eps(1e-3));
  Tensor y2 = NF::batch_norm(x, rm2, rv2, w, b, true, 0.3, 1e-3);
  Tensor y3 = torch::batch_norm(x, w, b, rm3, rv3, true, 0.3, 1e-3, false);
  EXPECT_TRUE(torch::equal(y1, y2));
  EXPECT_TRUE(torch::equal(y3, y2));
  EXPECT_TRUE(torch::equal(rm1, rm2));
  EXPECT_TRUE(torch::equal(rv3, rv2));
  EXPECT_FALSE(torch::equal(rm1, torch::zeros({2})));  // the running mean moved
  // eval mode (the default) normalises with the running stats and leaves them alone
  Tensor before = rm1.clone();
  EXPECT_TRUE(torch::equal(F::batch_norm(x, rm1, rv1), NF::batch_norm(x, rm1, rv1)));
  EXPECT_TRUE(torch::equal(rm1, before));
  EXPECT_THROW(F::batch_norm(x, rm1, rv1, F::BatchNormFuncOptions().momentum(std::nullopt)),
               nabla::ValueError);
}

TEST(TorchFunctional, LayerGroupNormAndNormalize) {
  Tensor x = conv_x();
  Tensor w = torch::rand({5, 5}), b = torch::rand({5, 5});
  EXPECT_TRUE(torch::equal(F::layer_norm(x, F::LayerNormFuncOptions({5, 5}).weight(w).bias(b).eps(1e-3)),
                           NF::layer_norm(x, {5, 5}, w, b, 1e-3)));
  EXPECT_TRUE(torch::equal(torch::layer_norm(x, {5, 5}, w, b, 1e-3), NF::layer_norm(x, {5, 5}, w, b, 1e-3)));
  EXPECT_TRUE(torch::equal(torch::layer_norm(x, 5), NF::layer_norm(x, {5})));
  Tensor x4 = torch::rand({2, 4, 3, 3}), gw = torch::rand({4}), gb = torch::rand({4});
  EXPECT_TRUE(torch::equal(F::group_norm(x4, F::GroupNormFuncOptions(2).weight(gw).bias(gb)),
                           NF::group_norm(x4, 2, gw, gb)));
  EXPECT_TRUE(torch::equal(torch::group_norm(x4, 2, gw, gb), NF::group_norm(x4, 2, gw, gb)));
  // PyTorch 1.13: F.normalize(x, p=1.0, dim=0)
  Tensor n = F::normalize(xa(), F::NormalizeFuncOptions().p(1).dim(0));
  expect_values(n, {-0.6, -0.5555556, -0.5, -0.3333333, -0.2, -0.1111111, 0.0, 0.1111111, 0.2, 0.3333333, 0.5,
                    0.5555556});
  // the default is the L2 norm over dim 1, eps keeping a zero row finite
  Tensor rows = F::normalize(torch::tensor({{3.f, 4.f}, {0.f, 0.f}}));
  expect_values(rows, {0.6, 0.8, 0, 0});
}

// ---------------------------------------------------------------- linear, embedding

TEST(TorchFunctional, LinearBilinearEmbedding) {
  Tensor x = xa(), w = torch::rand({5, 4}), b = torch::rand({5});
  EXPECT_TRUE(torch::equal(F::linear(x, w, b), NF::linear(x, w, b)));
  EXPECT_TRUE(torch::equal(torch::linear(x, w, b), NF::linear(x, w, b)));
  EXPECT_TRUE(torch::equal(torch::linear(x, w), NF::linear(x, w)));
  // PyTorch 1.13: F.bilinear([[1, 2, 3]], [[0.5, -1, 2, 0]], (arange(24) - 12).reshape(2, 3, 4) / 10, [1,
  // -1])
  Tensor wb = (torch::arange(24, torch::kFloat32).reshape({2, 3, 4}) - 12) / 10.0;
  expect_values(F::bilinear(torch::tensor({{1.f, 2.f, 3.f}}), torch::tensor({{0.5f, -1.f, 2.f, 0.f}}), wb,
                            torch::tensor({1.f, -1.f})),
                {-3.2, 5.6});

  Tensor weight = torch::rand({6, 3});
  Tensor idx = torch::tensor({{0, 5, 2}, {5, 1, 1}}).to(torch::kInt64);
  EXPECT_TRUE(torch::equal(F::embedding(idx, weight), NF::embedding(idx, weight)));
  EXPECT_TRUE(torch::equal(F::embedding(idx, weight, F::EmbeddingFuncOptions().padding_idx(-1)),
                           NF::embedding(idx, weight, 5)));
  EXPECT_TRUE(torch::equal(torch::embedding(weight, idx), NF::embedding(idx, weight)));  // ATen: weight first
  // padding_idx: that row gets no gradient
  Tensor wg = weight.clone().requires_grad_();
  F::embedding(idx, wg, F::EmbeddingFuncOptions().padding_idx(5)).sum().backward();
  expect_values(wg.grad().select(0, 5), {0, 0, 0});
  expect_values(wg.grad().select(0, 1), {2, 2, 2});
  EXPECT_THROW(F::embedding(idx, weight, F::EmbeddingFuncOptions().padding_idx(6)), nabla::IndexError);
}

TEST(TorchFunctional, EmbeddingMaxNormRenormsTheWeightInPlace) {
  // PyTorch 1.13: emb = arange(12.).reshape(4, 3); F.embedding([1, 3], emb, max_norm=5.0) rescales rows 1
  // and 3 of emb in place
  Tensor emb = torch::arange(12, torch::kFloat32).reshape({4, 3});
  Tensor out =
      F::embedding(torch::tensor({1, 3}).to(torch::kInt64), emb, F::EmbeddingFuncOptions().max_norm(5.0));
  expect_values(
      emb, {0.0, 1.0, 2.0, 2.1213202, 2.8284271, 3.5355339, 6.0, 7.0, 8.0, 2.5894589, 2.8771768, 3.1648943});
  expect_values(out, {2.1213202, 2.8284271, 3.5355339, 2.5894589, 2.8771768, 3.1648943});
}

TEST(TorchFunctional, OneHot) {
  Tensor t = torch::tensor({0, 2, 1}).to(torch::kInt64);
  EXPECT_TRUE(torch::equal(F::one_hot(t, 4), nabla::one_hot(t, 4)));
  EXPECT_EQ(F::one_hot(t).size(1), 3);
}

// ---------------------------------------------------------------- pad, interpolate

TEST(TorchFunctional, PadModes) {
  Tensor x = torch::arange(6, torch::kFloat32).reshape({1, 2, 3});
  EXPECT_TRUE(torch::equal(F::pad(x, F::PadFuncOptions({1, 2}).value(-1)), NF::pad(x, {1, 2}, -1)));
  EXPECT_TRUE(torch::equal(torch::pad(x, {1, 2}, "constant", -1), NF::pad(x, {1, 2}, -1)));
  EXPECT_TRUE(torch::equal(torch::constant_pad_nd(x, {1, 2}, -1), NF::pad(x, {1, 2}, -1)));
  // PyTorch 1.13: F.pad(arange(6.).reshape(1, 2, 3), ..., mode=...)
  expect_values(F::pad(x, F::PadFuncOptions({2, 1}).mode(torch::kReflect)),
                {2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4});
  expect_values(F::pad(x, F::PadFuncOptions({1, 2}).mode(torch::kReplicate)),
                {0, 0, 1, 2, 2, 2, 3, 3, 4, 5, 5, 5});
  expect_values(F::pad(x, F::PadFuncOptions({2, 1}).mode(torch::kCircular)),
                {1, 2, 0, 1, 2, 0, 4, 5, 3, 4, 5, 3});
  expect_values(torch::pad(x, {2, 1}, "reflect"), {2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4});
  // PyTorch 1.13: F.pad(arange(12.).reshape(1, 1, 3, 4), (1, 1, 1, 0), mode='reflect')
  Tensor x4 = torch::arange(12, torch::kFloat32).reshape({1, 1, 3, 4});
  Tensor r = F::pad(x4, F::PadFuncOptions({1, 1, 1, 0}).mode(torch::kReflect));
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{1, 1, 4, 6}));
  expect_values(r, {5, 4, 5, 6, 7, 6, 1, 0, 1, 2, 3, 2, 5, 4, 5, 6, 7, 6, 9, 8, 9, 10, 11, 10});
  EXPECT_THROW(F::pad(x, F::PadFuncOptions({3, 0}).mode(torch::kReflect)), nabla::ValueError);
  EXPECT_THROW(torch::pad(x, {1, 1}, "reflect", 0.0), nabla::ValueError);
  // the gathered padding is differentiable: each source element's gradient counts its copies
  Tensor xg = x.clone().requires_grad_();
  F::pad(xg, F::PadFuncOptions({2, 1}).mode(torch::kReflect)).sum().backward();
  expect_values(xg.grad(), {1, 3, 2, 1, 3, 2});
}

TEST(TorchFunctional, Interpolate) {
  Tensor x4 = torch::arange(12, torch::kFloat32).reshape({1, 1, 3, 4});
  NF::InterpolateOptions o;
  o.size = {2, 3};
  o.mode = "bilinear";
  o.align_corners = true;
  Tensor want = NF::interpolate(x4, o);
  Tensor got = F::interpolate(x4, F::InterpolateFuncOptions()
                                      .size(std::vector<int64_t>{2, 3})
                                      .mode(torch::kBilinear)
                                      .align_corners(true));
  EXPECT_TRUE(torch::equal(got, want));
  // PyTorch 1.13: F.interpolate(x4, size=(2, 3), mode='bilinear', align_corners=True)
  expect_values(got, {0.0, 1.5, 3.0, 8.0, 9.5, 11.0});
  Tensor up =
      F::interpolate(x4, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2}));  // nearest
  EXPECT_EQ(up.sizes().vec(), (std::vector<int64_t>{1, 1, 6, 8}));
  EXPECT_TRUE(torch::equal(up.narrow(2, 0, 1).narrow(3, 0, 2), torch::zeros({1, 1, 1, 2})));
  NF::InterpolateOptions ne;
  ne.size = {5, 7};
  ne.mode = "nearest-exact";
  EXPECT_TRUE(torch::equal(
      F::interpolate(x4,
                     F::InterpolateFuncOptions().size(std::vector<int64_t>{5, 7}).mode(torch::kNearestExact)),
      NF::interpolate(x4, ne)));
}

// ---------------------------------------------------------------- losses

TEST(TorchFunctional, LossReductionsEqualNablas) {
  Tensor a = torch::tensor({0.0f, 1.0f, 3.0f, -2.0f}), c = torch::tensor({0.5f, 0.0f, 0.0f, 0.0f});
  EXPECT_TRUE(torch::equal(F::mse_loss(a, c), NF::mse_loss(a, c)));
  EXPECT_TRUE(torch::equal(F::mse_loss(a, c, torch::kSum), NF::mse_loss(a, c, "sum")));
  EXPECT_TRUE(torch::equal(F::mse_loss(a, c, F::MSELossFuncOptions().reduction(torch::kNone)),
                           NF::mse_loss(a, c, "none")));
  EXPECT_EQ(F::mse_loss(a, c, torch::kNone).dim(), 1);
  EXPECT_NEAR(F::mse_loss(a, c, torch::kSum).item<double>(), 4 * F::mse_loss(a, c).item<double>(), 1e-5);
  EXPECT_TRUE(torch::equal(torch::mse_loss(a, c, at::Reduction::Sum), NF::mse_loss(a, c, "sum")));
  EXPECT_TRUE(torch::equal(F::l1_loss(a, c, torch::kSum), NF::l1_loss(a, c, "sum")));
  EXPECT_TRUE(torch::equal(torch::l1_loss(a, c), NF::l1_loss(a, c)));
  EXPECT_TRUE(torch::equal(F::huber_loss(a, c, F::HuberLossFuncOptions().delta(0.5)),
                           NF::huber_loss(a, c, "mean", 0.5)));
  EXPECT_TRUE(
      torch::equal(torch::huber_loss(a, c, at::Reduction::None, 0.5), NF::huber_loss(a, c, "none", 0.5)));
  EXPECT_TRUE(
      torch::equal(torch::smooth_l1_loss(a, c, at::Reduction::Mean, 2), NF::smooth_l1_loss(a, c, "mean", 2)));
  // PyTorch 1.13: F.smooth_l1_loss(a, c, beta=2.0), F.huber_loss(a, c, reduction='sum', delta=0.5)
  expect_values(F::smooth_l1_loss(a, c, F::SmoothL1LossFuncOptions().beta(2)), {0.828125});
  expect_values(F::smooth_l1_loss(a, c, {}, 2.0), {0.828125});  // LibTorch's trailing beta
  expect_values(F::huber_loss(a, c, F::HuberLossFuncOptions(torch::kSum).delta(0.5)), {2.75});

  Tensor p = torch::tensor({0.2f, 0.9f, 0.5f}), t = torch::tensor({0.f, 1.f, 1.f}),
         bw = torch::tensor({1.f, 2.f, 3.f});
  EXPECT_TRUE(torch::equal(
      F::binary_cross_entropy(p, t, F::BinaryCrossEntropyFuncOptions().weight(bw).reduction(torch::kSum)),
      NF::binary_cross_entropy(p, t, bw, "sum")));
  EXPECT_TRUE(torch::equal(torch::binary_cross_entropy(p, t, bw, at::Reduction::Sum),
                           NF::binary_cross_entropy(p, t, bw, "sum")));
  EXPECT_TRUE(torch::equal(torch::binary_cross_entropy(p, t), NF::binary_cross_entropy(p, t)));
}

TEST(TorchFunctional, ClassificationLosses) {
  Tensor logits = torch::tensor({{1.0f, 2.0f, 0.5f}, {0.1f, -1.0f, 3.0f}});
  Tensor tgt = torch::tensor({1, 2}).to(torch::kInt64);
  Tensor cw = torch::tensor({1.f, 0.5f, 2.f});
  EXPECT_TRUE(torch::equal(F::cross_entropy(logits, tgt), NF::cross_entropy(logits, tgt)));
  EXPECT_TRUE(torch::equal(
      F::cross_entropy(logits, tgt, F::CrossEntropyFuncOptions().weight(cw).reduction(torch::kSum)),
      NF::cross_entropy(logits, tgt, cw, "sum")));
  EXPECT_TRUE(torch::equal(torch::cross_entropy_loss(logits, tgt, cw, at::Reduction::Sum),
                           NF::cross_entropy(logits, tgt, cw, "sum")));
  // ignore_index: the ignored sample drops out of the mean
  EXPECT_TRUE(torch::allclose(F::cross_entropy(logits, tgt, F::CrossEntropyFuncOptions().ignore_index(2)),
                              F::cross_entropy(logits.narrow(0, 0, 1), tgt.narrow(0, 0, 1))));
  // PyTorch 1.13: F.cross_entropy(logits, tgt, label_smoothing=0.1)
  expect_values(F::cross_entropy(logits, tgt, F::CrossEntropyFuncOptions().label_smoothing(0.1)),
                {0.4242382});

  Tensor lp = F::log_softmax(logits, 1);
  EXPECT_TRUE(torch::equal(F::nll_loss(lp, tgt), NF::nll_loss(lp, tgt)));
  EXPECT_TRUE(torch::equal(F::nll_loss(lp, tgt, F::NLLLossFuncOptions().weight(cw).reduction(torch::kNone)),
                           NF::nll_loss(lp, tgt, cw, "none")));
  EXPECT_TRUE(torch::equal(torch::nll_loss(lp, tgt), NF::nll_loss(lp, tgt)));
  EXPECT_TRUE(
      torch::equal(torch::nll_loss(lp, tgt, {}, at::Reduction::Sum, 1), NF::nll_loss(lp, tgt, {}, "sum", 1)));
  EXPECT_TRUE(torch::allclose(F::nll_loss(lp, tgt), F::cross_entropy(logits, tgt)));

  Tensor q = torch::tensor({{0.2f, 0.3f, 0.5f}, {0.6f, 0.3f, 0.1f}});
  // PyTorch 1.13: F.kl_div(log_softmax(logits, 1), q, reduction='batchmean')
  expect_values(F::kl_div(lp, q, F::KLDivFuncOptions(torch::kBatchMean)), {1.2487723});
  EXPECT_TRUE(torch::equal(F::kl_div(lp, q, torch::kSum), NF::kl_div(lp, q, "sum")));
  EXPECT_TRUE(torch::equal(F::kl_div(lp, q.log(), F::KLDivFuncOptions().log_target(true)),
                           NF::kl_div(lp, q.log(), "mean", true)));
  EXPECT_TRUE(torch::equal(torch::kl_div(lp, q, at::Reduction::Sum), NF::kl_div(lp, q, "sum")));

  Tensor bt = torch::tensor({{0.f, 1.f, 1.f}, {1.f, 0.f, 0.f}}), pw = torch::tensor({1.f, 2.f, 3.f});
  // PyTorch 1.13: F.binary_cross_entropy_with_logits(logits, bt, pos_weight=[1, 2, 3])
  Tensor bce = F::binary_cross_entropy_with_logits(
      logits, bt, F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(pw));
  expect_values(bce, {1.1659325});
  EXPECT_TRUE(torch::equal(bce, NF::binary_cross_entropy_with_logits(logits, bt, {}, pw)));
  EXPECT_TRUE(torch::equal(torch::binary_cross_entropy_with_logits(logits, bt, {}, pw), bce));
  EXPECT_THROW(torch::mse_loss(logits, bt, 7), nabla::ValueError);
}

// As in LibTorch, the functional options of losses, pools and simple activations are the modules'
// options: a module's options can be passed to F:: directly.
TEST(TorchFunctional, ModuleOptionsAreFunctionalOptions) {
  Tensor x = conv_x(), a = torch::tensor({0.0f, 1.0f, 3.0f}), c = torch::tensor({0.5f, 0.0f, 0.0f});
  EXPECT_TRUE(
      torch::equal(F::mse_loss(a, c, torch::nn::MSELossOptions(torch::kSum)), NF::mse_loss(a, c, "sum")));
  EXPECT_TRUE(torch::equal(F::max_pool2d(x, torch::nn::MaxPool2dOptions(3).stride(1)),
                           F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(1))));
  EXPECT_TRUE(torch::equal(F::leaky_relu(x, torch::nn::LeakyReLUOptions().negative_slope(0.3)),
                           nabla::leaky_relu(x, 0.3)));
}

TEST(TorchFunctional, LossesBackpropagate) {
  Tensor x = torch::tensor({{1.0f, 2.0f, 0.5f}}).requires_grad_();
  F::cross_entropy(x, torch::tensor({0}).to(torch::kInt64)).backward();
  ASSERT_TRUE(x.grad().defined());
  EXPECT_NEAR(x.grad().sum().item<double>(), 0.0, 1e-6);  // softmax - onehot sums to 0
  EXPECT_LT(x.grad()[0][0].item<double>(), 0.0);
}

// ---------------------------------------------------------------- init

TEST(TorchInit, RunsWithoutAutogradAndHonoursArguments) {
  Tensor w = torch::empty({300, 400}).requires_grad_();
  torch::nn::init::kaiming_uniform_(w, 0, torch::kFanIn, torch::kReLU);
  EXPECT_TRUE(w.is_leaf());
  EXPECT_EQ(w.grad_fn(), nullptr);
  const double bound = std::sqrt(2.0) * std::sqrt(3.0 / 400);
  EXPECT_LE(w.abs().max().item<double>(), bound);
  EXPECT_GT(w.abs().max().item<double>(), 0.98 * bound);
  torch::nn::init::kaiming_normal_(w, 0, torch::kFanOut, torch::kReLU);
  EXPECT_NEAR(w.to(torch::kFloat64).std().item<double>(), std::sqrt(2.0 / 300), 0.03 * std::sqrt(2.0 / 300));
  // the default is leaky_relu with a = 0, that is relu's gain
  torch::nn::init::kaiming_uniform_(w);
  EXPECT_GT(w.abs().max().item<double>(), 0.98 * bound);
  torch::nn::init::kaiming_uniform_(w, std::sqrt(5.0));  // nn.Linear's: bound 1/sqrt(fan_in)
  EXPECT_LE(w.abs().max().item<double>(), 1 / std::sqrt(400.0));

  torch::nn::init::xavier_uniform_(w, 2.0);
  EXPECT_LE(w.abs().max().item<double>(), 2.0 * std::sqrt(6.0 / 700));
  torch::nn::init::uniform_(w, 3, 4);
  EXPECT_GE(w.min().item<double>(), 3.0);
  torch::nn::init::normal_(w, 5, 0.01);
  EXPECT_NEAR(w.mean().item<double>(), 5.0, 0.01);
  torch::nn::init::constant_(w, 0.25);
  EXPECT_TRUE(torch::equal(w, torch::full({300, 400}, 0.25)));
  torch::nn::init::zeros_(w);
  EXPECT_TRUE(torch::equal(w, torch::zeros({300, 400})));
  torch::nn::init::ones_(w);
  EXPECT_TRUE(torch::equal(w, torch::ones({300, 400})));
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.requires_grad());
}

TEST(TorchInit, GainEyeDiracOrthogonal) {
  EXPECT_DOUBLE_EQ(torch::nn::init::calculate_gain(torch::kReLU), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(torch::nn::init::calculate_gain(torch::kTanh), 5.0 / 3);
  EXPECT_DOUBLE_EQ(torch::nn::init::calculate_gain(torch::kLeakyReLU, 0.2), std::sqrt(2.0 / 1.04));
  EXPECT_DOUBLE_EQ(torch::nn::init::calculate_gain(torch::kConv2D), 1.0);
  EXPECT_DOUBLE_EQ(torch::nn::init::calculate_gain(torch::kSigmoid), 1.0);
  auto [fan_in, fan_out] = torch::nn::init::_calculate_fan_in_and_fan_out(torch::empty({8, 4, 3, 3}));
  EXPECT_EQ(fan_in, 36);
  EXPECT_EQ(fan_out, 72);

  Tensor m = torch::empty({3, 5}).requires_grad_();
  torch::nn::init::eye_(m);
  EXPECT_TRUE(torch::equal(m, torch::eye(3, 5)));
  EXPECT_TRUE(m.is_leaf());

  Tensor k = torch::empty({2, 3, 3, 3});
  torch::nn::init::dirac_(k);
  EXPECT_EQ(k.sum().item<double>(), 2.0);
  EXPECT_EQ(k[1][1][1][1].item<double>(), 1.0);
  // a dirac conv passes the first channels through
  Tensor x = torch::rand({1, 3, 4, 4});
  EXPECT_TRUE(torch::allclose(F::conv2d(x, k, F::Conv2dFuncOptions().padding(1)), x.narrow(1, 0, 2)));

  Tensor q = torch::empty({4, 6});
  torch::nn::init::orthogonal_(q, 2.0);
  EXPECT_TRUE(torch::allclose(torch::matmul(q, q.t()), 4 * torch::eye(4), 1e-4, 1e-5));
}
