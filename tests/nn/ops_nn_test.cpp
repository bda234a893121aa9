// ops_nn_test.cpp — what the golden sweeps cannot say about the activations, prelu, pixel shuffle,
// avg_pool2d's divisor_override and interpolate: NaN/inf as PyTorch 1.13 propagates them (JSON has no
// NaN), user errors, and interpolate's double backward. Expected values come from torch (one-liners).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>
#include <functional>

#include "expect_error.h"
#include "expect_values.h"

using namespace nabla;
using nabla::testing::expect_error;
using nabla::testing::expect_values;
using nabla::testing::kInf;
using nabla::testing::kNan;
using nabla::testing::value_and_grad;

namespace {

// f(x) and its gradient at x = [nan, inf, -inf, 1, -1] equal torch's y and g.
void expect_nan_inf(const std::function<Tensor(const Tensor&)>& f, const std::vector<double>& y,
                    const std::vector<double>& g) {
  auto [out, grad] = value_and_grad(f);
  expect_values(out, y);
  expect_values(grad, g);
}

TEST(OpsNnNanInf, Activations) {
  expect_nan_inf([](const Tensor& x) { return F::hardtanh(x); }, {kNan, 1, -1, 1, -1}, {1, 0, 0, 0, 0});
  expect_nan_inf([](const Tensor& x) { return F::selu(x); },
                 {kNan, kInf, -1.7580993175506592, 1.0507010221481323, -1.1113307476043701},
                 {1.0507010221481323, 1.0507010221481323, 0, 1.0507010221481323, 0.6467686295509338});
  expect_nan_inf([](const Tensor& x) { return F::celu(x, 0.5); }, {kNan, kInf, -0.5, 1, -0.4323323667049408},
                 {1, 1, 0, 1, 0.1353352814912796});
  expect_nan_inf([](const Tensor& x) { return F::mish(x); },
                 {kNan, kInf, kNan, 0.8650983572006226, -0.3034014403820038},
                 {kNan, kNan, kNan, 1.0490362644195557, 0.059216730296611786});
  expect_nan_inf([](const Tensor& x) { return F::hardswish(x); },
                 {kNan, kInf, kNan, 0.6666666865348816, -0.3333333432674408},
                 {1, 1, 0, 0.8333333730697632, 0.1666666567325592});
  expect_nan_inf([](const Tensor& x) { return F::hardsigmoid(x); },
                 {kNan, 1, 0, 0.6666666865348816, 0.3333333432674408},
                 {0, 0, 0, 0.1666666716337204, 0.1666666716337204});
  expect_nan_inf([](const Tensor& x) { return F::logsigmoid(x); },
                 {kNan, 0, -kInf, -0.3132616877555847, -1.3132617473602295},
                 {kNan, 0, 1, 0.2689414322376251, 0.7310585975646973});
  expect_nan_inf([](const Tensor& x) { return F::softsign(x); }, {kNan, kNan, kNan, 0.5, -0.5},
                 {kNan, kNan, kNan, 0.25, 0.25});
  expect_nan_inf([](const Tensor& x) { return F::prelu(x, tensor({0.25}, {.dtype = kFloat32})); },
                 {kNan, kInf, -kInf, 1, -0.25}, {0.25, 1, 0.25, 1, 0.25});
}

TEST(OpsNnNanInf, PreluWeightGradientIgnoresPositiveInfinity) {
  // x = torch.tensor([inf, -2., 3.]); w = torch.tensor([0.5], requires_grad=True)
  // F.prelu(x, w).sum().backward() -> w.grad = [-2.]
  Tensor w = tensor({0.5}, {.dtype = kFloat32}).requires_grad_();
  F::prelu(tensor({kInf, -2.0, 3.0}, {.dtype = kFloat32}), w).sum().backward();
  expect_values(w.grad(), {-2});
}

TEST(OpsNn, HardtanhKeepsIntegers) {
  // F.hardtanh(torch.tensor([-4, -1, 0, 2, 5])) -> int64 [-1, -1, 0, 1, 1]
  Tensor y = F::hardtanh(tensor({-4, -1, 0, 2, 5}, {.dtype = kInt64}));
  EXPECT_EQ(y.dtype(), kInt64);
  expect_values(y, {-1, -1, 0, 1, 1});
  expect_values(F::relu6(tensor({-4, -1, 0, 2, 7}, {.dtype = kInt64})), {0, 0, 0, 2, 6});
}

TEST(OpsNnErrors, NameTheOpAndShapes) {
  expect_error<ShapeError>(
      [] {
        F::pixel_shuffle(zeros({1, 6, 2, 2}), 2);
      },
      {"pixel_shuffle", "[1, 6, 2, 2]"});
  expect_error<ShapeError>([] { F::pixel_shuffle(zeros({6, 2}), 2); }, {"pixel_shuffle", "[6, 2]"});
  expect_error<ShapeError>(
      [] {
        F::pixel_unshuffle(zeros({1, 1, 3, 4}), 2);
      },
      {"pixel_unshuffle", "[1, 1, 3, 4]"});
  expect_error<ValueError>(
      [] {
        F::pixel_shuffle(zeros({1, 4, 2, 2}), 0);
      },
      {"pixel_shuffle", "upscale_factor"});
  expect_error<ShapeError>([] { F::prelu(zeros({2, 3, 4}), zeros({4})); }, {"prelu", "[4]", "[2, 3, 4]"});
  expect_error<DTypeError>(
      [] {
        F::prelu(zeros({2, 3}), zeros({3}, {.dtype = kFloat64}));
      },
      {"prelu", "float64"});
  expect_error<ValueError>([] { nn::Hardtanh(1.0, -1.0); }, "Hardtanh");
  expect_error<ValueError>([] { nn::AvgPool2d(2, {.divisor_override = 0}); },
                           {"AvgPool2d", "divisor_override"});
  expect_error<ValueError>(
      [] {
        F::avg_pool2d(zeros({1, 1, 4, 4}), {.kernel_size = {2, 2}, .divisor_override = 0});
      },
      {"avg_pool2d", "divisor_override"});
}

TEST(OpsNnErrors, Interpolate) {
  Tensor x = zeros({1, 2, 3, 4});
  expect_error<ValueError>(
      [&] {
        F::interpolate(x, {.size = {4, 4}, .scale_factor = {2}});
      },
      {"interpolate", "only one of size or scale_factor"});
  expect_error<ValueError>([&] { F::interpolate(x, {}); }, {"interpolate", "either size or scale_factor"});
  expect_error<NotImplementedError>([&] { F::interpolate(x, {.size = {4}, .mode = "linear"}); },
                                    {"interpolate", "linear", "[1, 2, 3, 4]"});
  expect_error<NotImplementedError>(
      [] {
        F::interpolate(zeros({2, 3, 4}), {.size = {4, 4}, .mode = "bilinear"});
      },
      {"interpolate", "bilinear", "[2, 3, 4]"});
  expect_error<ValueError>(
      [&] {
        F::interpolate(x, {.size = {4, 4}, .align_corners = true});
      },
      {"interpolate", "align_corners", "nearest"});
  expect_error<ValueError>(
      [&] {
        F::interpolate(x, {.size = {4, 4, 4}});
      },
      {"interpolate", "[1, 2, 3, 4]", "size"});
  expect_error<ValueError>(
      [&] {
        F::interpolate(x, {.size = {4, 4}, .mode = "trilinear"});
      },
      {"interpolate", "trilinear"});
  expect_error<ShapeError>([&] { F::interpolate(x, {.scale_factor = {0.2}}); },
                           {"interpolate", "[1, 2, 3, 4]"});
  expect_error<DTypeError>(
      [] {
        F::interpolate(zeros({1, 1, 2, 2}, {.dtype = kInt64}), {.size = {3, 3}});
      },
      {"interpolate", "int64"});
}

TEST(OpsNn, InterpolateDoubleBackward) {
  // The backward records itself under create_graph: gradgradcheck of each kernel mode.
  for (const char* mode : {"nearest", "bilinear", "bicubic"}) {
    Tensor x = randn({1, 2, 3, 4}, {.dtype = kFloat64}).requires_grad_();
    auto f = [mode](const TensorList& in) {
      return TensorList{F::interpolate(in[0], {.size = {5, 3}, .mode = mode})};
    };
    EXPECT_TRUE(gradgradcheck(f, {x})) << mode;
  }
}

TEST(OpsNn, InterpolateKeepsValuesOfChannelsLastInput) {
  Tensor x = randn({2, 3, 4, 5});
  Tensor y =
      F::interpolate(x.contiguous(MemoryFormat::ChannelsLast), {.scale_factor = {1.5}, .mode = "bilinear"});
  EXPECT_TRUE(allclose(y, F::interpolate(x, {.scale_factor = {1.5}, .mode = "bilinear"}), 0, 0));
}

TEST(OpsNn, ModuleRepr) {
  EXPECT_EQ(nn::PReLU(3).extra_repr(), "num_parameters=3");
  EXPECT_EQ(nn::PixelShuffle(2).extra_repr(), "upscale_factor=2");
  EXPECT_EQ(nn::Upsample({.size = {4, 6}, .mode = "bicubic"}).extra_repr(), "size=(4, 6), mode='bicubic'");
  nn::PReLU p(3, 0.1);
  ASSERT_EQ(p.parameters().size(), 1u);
  expect_values(p.weight, {0.1, 0.1, 0.1});
}

}  // namespace
