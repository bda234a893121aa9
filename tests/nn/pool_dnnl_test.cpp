// max_pool2d and avg_pool2d in float32 run on oneDNN's pooling primitives; in float64 on nabla's own
// max-pooling kernel and composite average (the paths the golden tests and gradcheck cover). With
// identical inputs the two must agree on outputs, indices and input gradients — ties included (the
// first maximum in window order takes the gradient, as in PyTorch) and NaN/-inf, which oneDNN would
// pool differently (Note [oneDNN max pooling vs PyTorch] in src/ops/dnnl/pool.cpp). Channels-last
// inputs must also come out channels-last, output and input gradient (Note [Pooling keeps channels-last]).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace nabla;
namespace F = nabla::nn::functional;
using F::Pair;

namespace {

struct Case {
  std::string name;
  std::vector<int64_t> shape;  // 3-D or 4-D
  F::PoolOptions o;
  enum Layout { Contiguous, Transposed, ChannelsLast } layout = Contiguous;  // Transposed: H, W swapped
};

F::PoolOptions opts(Pair k, std::optional<Pair> s = std::nullopt, Pair p = {0, 0}, Pair d = {1, 1},
                    bool ceil = false, bool include_pad = true) {
  return {.kernel_size = k,
          .stride = s,
          .padding = p,
          .dilation = d,
          .ceil_mode = ceil,
          .count_include_pad = include_pad};
}

std::vector<Case> max_cases() {
  return {
      {"k2", {2, 16, 8, 8}, opts({2, 2})},
      {"k2_small", {1, 2, 4, 4}, opts({2, 2})},
      {"k2_odd", {2, 16, 7, 9}, opts({2, 2})},
      {"k3_s2_p1", {2, 16, 9, 9}, opts({3, 3}, Pair{2, 2}, {1, 1})},
      {"k3_s1_p1", {2, 3, 6, 5}, opts({3, 3}, Pair{1, 1}, {1, 1})},
      {"ceil", {2, 16, 7, 7}, opts({2, 2}, std::nullopt, {0, 0}, {1, 1}, true)},
      {"ceil_pad", {1, 16, 8, 7}, opts({3, 3}, Pair{2, 2}, {1, 1}, {1, 1}, true)},
      {"dilation", {2, 16, 9, 9}, opts({2, 2}, Pair{1, 1}, {0, 0}, {2, 2})},  // our kernel (see pool.cpp)
      {"rect", {2, 16, 6, 9}, opts({2, 3}, Pair{1, 2})},
      {"rect_pad_ceil", {2, 16, 9, 11}, opts({3, 2}, Pair{2, 1}, {1, 1}, {1, 1}, true)},
      {"all_options", {2, 16, 9, 11}, opts({3, 2}, Pair{2, 1}, {1, 1}, {1, 2}, true)},
      {"window_256", {1, 2, 16, 16}, opts({16, 16})},  // a workspace of int32 positions
      {"large", {4, 32, 64, 64}, opts({2, 2})},        // enough work for the scans to use threads
      {"input_3d", {16, 8, 8}, opts({2, 2})},
      {"transposed", {2, 16, 6, 8}, opts({2, 2}), Case::Transposed},
      {"transposed_3d", {4, 7, 9}, opts({3, 3}, Pair{2, 2}, {1, 1}), Case::Transposed},
      {"channels_last", {2, 16, 8, 8}, opts({2, 2}), Case::ChannelsLast},
      {"channels_last_pad_ceil",
       {2, 16, 9, 7},
       opts({3, 3}, Pair{2, 2}, {1, 1}, {1, 1}, true),
       Case::ChannelsLast},
  };
}

std::vector<Case> avg_cases() {
  return {
      {"k2", {2, 16, 8, 8}, opts({2, 2})},
      {"k2_small", {1, 2, 4, 4}, opts({2, 2})},
      {"global_k8", {4, 16, 8, 8}, opts({8, 8})},
      {"k3_s2_p1_include", {2, 16, 9, 9}, opts({3, 3}, Pair{2, 2}, {1, 1})},
      {"k3_s2_p1_exclude", {2, 16, 9, 9}, opts({3, 3}, Pair{2, 2}, {1, 1}, {1, 1}, false, false)},
      {"ceil_include", {2, 16, 7, 7}, opts({2, 2}, std::nullopt, {0, 0}, {1, 1}, true)},
      {"ceil_exclude", {2, 16, 7, 7}, opts({2, 2}, std::nullopt, {0, 0}, {1, 1}, true, false)},
      {"ceil_pad_include", {1, 16, 8, 7}, opts({3, 3}, Pair{2, 2}, {1, 1}, {1, 1}, true)},  // composite path
      {"ceil_pad_exclude", {1, 16, 8, 7}, opts({3, 3}, Pair{2, 2}, {1, 1}, {1, 1}, true, false)},
      {"ceil_pad_no_overhang", {1, 16, 9, 9}, opts({3, 3}, Pair{2, 2}, {1, 1}, {1, 1}, true)},
      {"rect_pad_exclude_ceil", {2, 16, 5, 7}, opts({2, 3}, Pair{2, 2}, {1, 1}, {1, 1}, true, false)},
      {"input_3d", {16, 8, 8}, opts({3, 3}, Pair{1, 1}, {1, 1})},
      {"transposed", {2, 16, 6, 8}, opts({2, 2}), Case::Transposed},
      {"transposed_3d", {4, 7, 9}, opts({3, 3}, Pair{2, 2}, {1, 1}, {1, 1}, false, false), Case::Transposed},
      {"channels_last", {2, 16, 8, 8}, opts({2, 2}), Case::ChannelsLast},
      {"channels_last_global", {2, 16, 8, 8}, opts({8, 8}), Case::ChannelsLast},
      {"channels_last_exclude_ceil",
       {2, 16, 9, 7},
       opts({3, 3}, Pair{2, 2}, {1, 1}, {1, 1}, true, false),
       Case::ChannelsLast},
  };
}

// An input of the case's shape and layout holding `values`.
Tensor input_like(const Case& c, const Tensor& values) {
  if (c.layout == Case::ChannelsLast) return values.reshape(c.shape).contiguous(MemoryFormat::ChannelsLast);
  if (c.layout == Case::Contiguous) return values.reshape(c.shape);
  std::vector<int64_t> swapped = c.shape;
  std::swap(swapped[swapped.size() - 1], swapped[swapped.size() - 2]);
  return values.reshape(swapped).transpose(-1, -2);
}

struct Result {
  Tensor y, indices, gx;
};

// Forward and input gradient for cotangent gy (a float64 input runs the reference paths).
Result run(bool max, const Tensor& x_values, const Case& c, const Tensor& gy_values, bool with_indices) {
  Tensor x = input_like(c, x_values).detach().requires_grad_(true);
  Result r;
  if (max && with_indices)
    std::tie(r.y, r.indices) = F::max_pool2d_with_indices(x, c.o);
  else
    r.y = max ? F::max_pool2d(x, c.o) : F::avg_pool2d(x, c.o);
  r.y.backward(gy_values.to(x.dtype()).reshape(r.y.sizes()));
  r.gx = x.grad();
  return r;
}

void expect_close(const Tensor& a32, const Tensor& b64, double tol, const std::string& what) {
  ASSERT_EQ(a32.dtype(), DType::Float32) << what;
  ASSERT_EQ(a32.sizes(), b64.sizes()) << what;
  Tensor a = a32.detach().to(DType::Float64), b = b64.detach();
  EXPECT_TRUE(allclose(a, b, tol, tol / 10, /*equal_nan=*/true))
      << what << ": max |diff| " << (a - b).abs().max().item<double>();
}

// Runs a case in both dtypes on the same float32-representable values and compares everything.
void compare(bool max, const Case& c, const Tensor& x32, bool with_indices = true) {
  Tensor probe = max ? F::max_pool2d(input_like(c, x32), c.o) : F::avg_pool2d(input_like(c, x32), c.o);
  Tensor gy32 = randn(probe.sizes());
  Result a = run(max, x32, c, gy32, with_indices),
         b = run(max, x32.to(DType::Float64), c, gy32, with_indices);
  const double tol = max ? 0 : 1e-5;  // max pooling moves values exactly; the gradient too (sums aside)
  expect_close(a.y, b.y, tol, c.name + " output");
  if (c.layout == Case::ChannelsLast) {  // float32 keeps it (Note [Pooling keeps channels-last])
    EXPECT_TRUE(a.y.is_contiguous(MemoryFormat::ChannelsLast)) << c.name;
    EXPECT_TRUE(a.gx.is_contiguous(MemoryFormat::ChannelsLast) && !a.gx.is_contiguous()) << c.name;
  }
  expect_close(a.gx, b.gx, 1e-5, c.name + " input gradient");
  if (with_indices) {
    ASSERT_TRUE(a.indices.defined()) << c.name;
    EXPECT_EQ(a.indices.dtype(), DType::Int64) << c.name;
    EXPECT_TRUE(equal(a.indices, b.indices)) << c.name << " indices";
  }
}

class MaxPoolDnnl : public ::testing::TestWithParam<Case> {};
class AvgPoolDnnl : public ::testing::TestWithParam<Case> {};

TEST_P(MaxPoolDnnl, MatchesFloat64Reference) {
  manual_seed(11);
  compare(true, GetParam(), randn(GetParam().shape).flatten());
  compare(true, GetParam(), randn(GetParam().shape).flatten(), /*with_indices=*/false);
}

// Small integers: most windows hold several equal maxima.
TEST_P(MaxPoolDnnl, TiesMatchFloat64Reference) {
  manual_seed(12);
  compare(true, GetParam(), randint(0, 3, GetParam().shape).to(DType::Float32).flatten());
}

TEST_P(AvgPoolDnnl, MatchesFloat64Reference) {
  manual_seed(13);
  compare(false, GetParam(), randn(GetParam().shape).flatten(), false);
}

auto case_name = [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; };
INSTANTIATE_TEST_SUITE_P(Cases, MaxPoolDnnl, ::testing::ValuesIn(max_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Cases, AvgPoolDnnl, ::testing::ValuesIn(avg_cases()), case_name);

// PyTorch gives each window's gradient to its first maximum in window order (the first element
// inside the input when the window overlaps the padding).
TEST(MaxPoolDnnlTies, GradientGoesToFirstMaximum) {
  Tensor x = ones({1, 16, 4, 4}).requires_grad_(true);
  auto [y, idx] = F::max_pool2d_with_indices(x, opts({3, 3}, Pair{1, 1}, {1, 1}));
  y.sum().backward();
  for (int64_t oy = 0; oy < 4; ++oy)
    for (int64_t ox = 0; ox < 4; ++ox)
      EXPECT_EQ(idx[0][5][oy][ox].item<int64_t>(),
                std::max<int64_t>(oy - 1, 0) * 4 + std::max<int64_t>(ox - 1, 0));
  // Row 0 is the first row of the windows at oy = 0 and 1, rows 1 and 2 of one each; columns alike.
  Tensor want =
      tensor({{4.0, 2.0, 2.0, 0.0}, {2.0, 1.0, 1.0, 0.0}, {2.0, 1.0, 1.0, 0.0}, {0.0, 0.0, 0.0, 0.0}},
             {.dtype = kFloat32});
  EXPECT_TRUE(equal(x.grad()[0][7], want));

  Tensor z = ones({2, 16, 4, 4}).requires_grad_(true);
  F::max_pool2d(z, opts({2, 2})).sum().backward();
  Tensor first =
      tensor({{1.0, 0.0, 1.0, 0.0}, {0.0, 0.0, 0.0, 0.0}, {1.0, 0.0, 1.0, 0.0}, {0.0, 0.0, 0.0, 0.0}},
             {.dtype = kFloat32});
  EXPECT_TRUE(equal(z.grad()[1][3], first));
}

// NaN propagates and a window of -inf gives -inf, as in PyTorch (oneDNN alone would do neither).
TEST(MaxPoolDnnlNonFinite, MatchesFloat64Reference) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  Case c{"non_finite", {2, 16, 6, 6}, opts({2, 2})};
  manual_seed(14);
  Tensor x = randn({2, 16, 6, 6});
  x[0][3][1][1].fill_(nan);
  x[1][2][4][5].fill_(nan);
  x[1][0].narrow(0, 2, 2).narrow(1, 0, 2).fill_(-inf);
  compare(true, c, x.flatten());
  NoGradGuard ng;
  Tensor y = F::max_pool2d(x, c.o);
  EXPECT_TRUE(std::isnan(y[0][3][0][0].item<float>()));
  EXPECT_EQ(y[1][0][1][0].item<float>(), -inf);
}

// create_graph: the gradient of max pooling is a scatter, differentiable in the cotangent w. Average
// pooling y = A x has gradient A^T w, so d<A^T w, r>/dw = A r: the pooling of r (the float64
// composite has no double backward where it uses a convolution, so it cannot serve here).
TEST(PoolDnnlDoubleBackward, MatchesReference) {
  Case c{"double_backward", {2, 16, 7, 7}, opts({3, 3}, Pair{2, 2}, {1, 1}, {1, 1}, true, false)};
  manual_seed(15);
  Tensor x32 = randn(c.shape), r32 = randn(c.shape), w32 = randn({2, 16, 4, 4});
  auto grad_grad = [&](bool max, DType dt, MemoryFormat f) {
    Tensor x = x32.to(dt).contiguous(f).requires_grad_(true), w = w32.to(dt).requires_grad_(true);
    Tensor y = max ? F::max_pool2d(x, c.o) : F::avg_pool2d(x, c.o);
    Tensor gx = autograd::grad({(y * w).sum()}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
    return autograd::grad({(gx * r32.to(dt)).sum()}, {w})[0];
  };
  for (MemoryFormat f : {MemoryFormat::Contiguous, MemoryFormat::ChannelsLast}) {
    expect_close(grad_grad(true, DType::Float32, f), grad_grad(true, DType::Float64, f), 1e-5,
                 "max_pool2d double backward");
    expect_close(grad_grad(false, DType::Float32, f), F::avg_pool2d(r32.to(DType::Float64), c.o), 1e-5,
                 "avg_pool2d double backward");
  }
}

// float32 average pooling records one node (oneDNN), except where its divisor cannot express
// PyTorch's: count_include_pad with padding and a ceil_mode window hanging past it (composite).
TEST(AvgPoolDnnlPath, OneNodeUnlessDivisorDiffers) {
  Tensor x = randn({1, 16, 8, 7}).requires_grad_(true);
  EXPECT_EQ(F::avg_pool2d(x, opts({3, 3}, Pair{2, 2}, {1, 1}, {1, 1}, true, false)).grad_fn()->name(),
            "AvgPool2dBackward0");
  EXPECT_EQ(F::avg_pool2d(x, opts({2, 2}, std::nullopt, {0, 0}, {1, 1}, true)).grad_fn()->name(),
            "AvgPool2dBackward0");
  EXPECT_NE(F::avg_pool2d(x, opts({3, 3}, Pair{2, 2}, {1, 1}, {1, 1}, true)).grad_fn()->name(),
            "AvgPool2dBackward0");
}

TEST(PoolDnnlErrors, TypedErrorsNameTheOp) {
  Tensor x = randn({1, 2, 4, 4});
  EXPECT_THROW(F::avg_pool2d(x.to(DType::Int64), opts({2, 2})), DTypeError);
  EXPECT_THROW(F::max_pool2d(x.to(DType::Int64), opts({2, 2})), DTypeError);
  EXPECT_THROW(F::max_pool2d(x, opts({2, 2}, std::nullopt, {0, 0}, {0, 1})), ValueError);
  EXPECT_THROW(F::avg_pool2d(x, opts({5, 5})), ShapeError);
  EXPECT_THROW(F::max_pool2d(randn({4, 4}), opts({2, 2})), ShapeError);
  try {
    F::max_pool2d(x, opts({3, 3}, std::nullopt, {2, 2}));
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("max_pool2d"), std::string::npos) << e.what();
  }
}

}  // namespace
