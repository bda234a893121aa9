// tensor_ops_test.cpp — the tensor ops of issue #17 item 9 beyond their golden cases: user errors
// (type and message), overloads and methods the golden invokers do not reach, in-place forms, and
// the places nabla deliberately differs from PyTorch 1.13 (unique's NaN counts, unsorted unique).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>

#include "expect_error.h"

using namespace nabla;
using nabla::testing::expect_error;

namespace {

std::vector<double> values(const Tensor& t) { return t.to_vector(); }

TEST(TensorOpsErrors, ShapeOps) {
  Tensor x = randn({2, 3});
  expect_error<ValueError>([&] { flip(x, {0, -2}); }, {"flip", "dim 0 appears multiple times"});
  expect_error<ValueError>([&] { roll(x, {1, 2}, {0}); }, {"roll", "shifts: 2", "dims: 1"});
  expect_error<ValueError>([&] { roll(x, IntArrayRef{}, {0}); }, {"roll", "shifts"});
  expect_error<ShapeError>([&] { x.repeat({2}); }, {"repeat", "[2, 3]"});
  expect_error<ValueError>([&] { x.repeat({1, -1}); }, {"repeat", "non-negative"});
  expect_error<ShapeError>([&] { tril(randn({3})); }, {"tril", "[3]"});
  expect_error<ShapeError>([&] { triu(randn({3})); }, {"triu", "[3]"});
  expect_error<ValueError>([&] { diagonal(x, 0, 1, -1); }, {"diagonal", "identical"});
  expect_error<ShapeError>([&] { diag(randn({2, 2, 2})); }, {"diag", "[2, 2, 2]"});
  expect_error<ValueError>(
      [&] {
        x.split_with_sizes({1, 1}, 1);
      },
      {"split_with_sizes", "sum exactly to 3", "[1, 1]"});
  expect_error<ValueError>([&] { x.split({3, -1}, 1); }, {"split_with_sizes", "non-negative"});
  expect_error<ShapeError>([&] { x.t().view_as(randn({6})); }, {"view", "[6]"});
  expect_error<ShapeError>([&] { meshgrid({x}); }, {"meshgrid", "[2, 3]"});
  expect_error<DTypeError>(
      [&] {
        meshgrid({randn({2}), ones({2}, {.dtype = kInt64})});
      },
      {"meshgrid", "float32", "int64"});
  expect_error<ValueError>([&] { meshgrid({randn({2})}, "ji"); }, {"meshgrid", "ji"});
}

TEST(TensorOpsErrors, ReductionsSearchAndPointwise) {
  expect_error<IndexError>([&] { amax(randn({2, 0}), {1}); }, {"amax", "non-zero size"});
  expect_error<IndexError>([&] { amin(randn({0})); }, {"amin", "non-zero size"});
  Tensor bounds = tensor({1.0, 2.0, 3.0});
  expect_error<ShapeError>([&] { bucketize(randn({2}), randn({2, 2})); }, {"bucketize", "[2, 2]"});
  expect_error<ShapeError>(
      [&] {
        searchsorted(randn({3, 4}), randn({2, 4}));
      },
      {"searchsorted", "[3, 4]", "[2, 4]"});
  expect_error<ValueError>([&] { searchsorted(bounds, randn({2}), false, false, "middle"); },
                           {"searchsorted", "middle"});
  expect_error<ValueError>([&] { searchsorted(bounds, randn({2}), false, true, "left"); },
                           {"searchsorted", "opposites"});
  expect_error<DTypeError>([&] { masked_scatter(randn({2}), ones({2}), randn({2})); },
                           {"masked_scatter", "bool"});
  expect_error<DTypeError>(
      [&] { masked_scatter(randn({2}), ones({2}, {.dtype = kBool}), randn({2}, {.dtype = kFloat64})); },
      {"masked_scatter", "float32", "float64"});
  expect_error<ShapeError>([&] { masked_scatter(randn({3}), ones({3}, {.dtype = kBool}), randn({2})); },
                           {"masked_scatter", "at least 3", "[2]"});
  expect_error<DTypeError>([&] { lerp(randn({2}), randn({2}, {.dtype = kFloat64}), 0.5); },
                           {"lerp", "end", "float64"});
  expect_error<DTypeError>([&] { lerp(randn({2}), randn({2}), randn({2}, {.dtype = kFloat64})); },
                           {"lerp", "weight"});
  expect_error<DTypeError>([&] { lerp(ones({2}, {.dtype = kInt64}), ones({2}, {.dtype = kInt64}), 1); },
                           {"lerp", "int64"});
  Tensor i = ones({2}, {.dtype = kInt64});
  expect_error<DTypeError>([&] { addcdiv(randn({2}), i, i); }, {"addcdiv", "Integer division"});
  expect_error<DTypeError>([&] { allclose(randn({2}), randn({2}, {.dtype = kFloat64})); },
                           {"allclose", "float32", "float64"});
  expect_error<ShapeError>([&] { allclose(randn({2}), randn({3})); }, {"allclose", "[2]", "[3]"});
}

TEST(TensorOpsErrors, Einsum) {
  Tensor a = randn({2, 3}), b = randn({3, 4});
  expect_error<ValueError>([&] { einsum("ij,jk", {a}); }, {"einsum", "fewer operands"});
  expect_error<ValueError>([&] { einsum("ij", {a, b}); }, {"einsum", "more operands"});
  expect_error<ValueError>([&] { einsum("i1,jk", {a, b}); }, {"einsum", "invalid subscript", "index 1"});
  expect_error<ValueError>([&] { einsum("ij->ii", {a}); },
                           {"einsum", "output subscript i appears more than once"});
  expect_error<ValueError>([&] { einsum("ij->k", {a}); }, {"einsum", "output subscript k does not appear"});
  expect_error<ShapeError>([&] { einsum("ijk", {a}); }, {"einsum", "(3)", "(2)", "operand 0"});
  expect_error<ShapeError>([&] { einsum("ij,ik", {a, b}); }, {"einsum", "subscript i", "size 3"});
  expect_error<ShapeError>([&] { einsum("ii", {a}); }, {"einsum", "subscript i is repeated", "2 != 3"});
  expect_error<DTypeError>(
      [&] {
        einsum("ij,jk", {a, randn({3, 4}, {.dtype = kFloat64})});
      },
      {"einsum", "float32", "float64"});
  expect_error<ValueError>([&] { einsum("i.j", {randn({2, 2})}); }, {"einsum", "ellipsis"});
}

TEST(TensorOps, MethodsAndOverloads) {
  Tensor x = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}, {.dtype = kFloat64});
  EXPECT_TRUE(x.allclose(x + 1e-9));
  EXPECT_FALSE(x.allclose(x + 1e-3));
  EXPECT_TRUE(x.allclose(x + 1e-3, 0, 1e-2));
  EXPECT_TRUE(ones({2, 3}).allclose(ones({3})));  // broadcasts, as torch.allclose
  EXPECT_TRUE(x.equal(x.clone()));
  EXPECT_FALSE(x.equal(x.t()));
  Tensor z = x.new_zeros({2}), o = x.new_ones({1, 2}, {.dtype = kInt64}), f = x.new_full({3}, 2);
  EXPECT_EQ(z.dtype(), kFloat64);
  EXPECT_EQ(o.dtype(), kInt64);
  EXPECT_EQ(f.dtype(), kFloat64);
  EXPECT_EQ(values(f), (std::vector<double>{2, 2, 2}));
  EXPECT_EQ(x.new_empty({4, 1}).sizes(), (std::vector<int64_t>{4, 1}));
  Tensor n = x.new_tensor({{1, 2}, {3, 4}});  // int data takes self's dtype, like PyTorch
  EXPECT_EQ(n.dtype(), kFloat64);
  EXPECT_EQ(values(n), (std::vector<double>{1, 2, 3, 4}));
  Tensor w = randn({3}).requires_grad_();
  Tensor c = x.new_tensor(w);
  EXPECT_FALSE(c.requires_grad());
  EXPECT_EQ(c.dtype(), kFloat64);
  auto parts = x.split({1, 2}, 1);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(values(parts[1]), (std::vector<double>{2, 3, 5, 6}));
  EXPECT_EQ(split(x, IntArrayRef{2, 1}, 1)[0].sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(split(x, 1, 0).size(), 2u);
  EXPECT_EQ(values(x.lerp(x * 3, 0.5)), values(x * 2));
  EXPECT_EQ(std::get<0>(x.unique()).numel(), 6);
}

TEST(TensorOps, InPlaceForms) {
  Tensor x = tensor({{1.0, 2.0}, {3.0, 4.0}});
  x.tril_();
  EXPECT_EQ(values(x), (std::vector<double>{1, 0, 3, 4}));
  x.triu_(1);
  EXPECT_EQ(values(x), (std::vector<double>{0, 0, 0, 0}));
  Tensor y = tensor({NAN, INFINITY, 1.0});
  y.nan_to_num_(0.5, 9.0);
  EXPECT_EQ(values(y), (std::vector<double>{0.5, 9.0, 1.0}));
  Tensor m = zeros({3});
  m.masked_scatter_(tensor({true, false, true}), tensor({7.0f, 8.0f}));
  EXPECT_EQ(values(m), (std::vector<double>{7, 0, 8}));
  Tensor a = ones({2});
  a.addcmul_(tensor({2.0f, 3.0f}), tensor({4.0f, 5.0f}), 0.5);
  EXPECT_EQ(values(a), (std::vector<double>{5, 8.5}));
  a.addcdiv_(tensor({2.0f, 3.0f}), tensor({4.0f, 6.0f}));
  EXPECT_EQ(values(a), (std::vector<double>{5.5, 9}));
  a.lerp_(zeros({2}), 0.5);
  EXPECT_EQ(values(a), (std::vector<double>{2.75, 4.5}));
  a.lerp_(ones({2}), ones({2}));
  EXPECT_EQ(values(a), (std::vector<double>{1, 1}));
}

TEST(TensorOps, DiagonalIsAViewAndRepeatIsACopy) {
  Tensor x = zeros({3, 3});
  {
    NoGradGuard ng;
    x.diagonal().fill_(1);
  }
  EXPECT_TRUE(equal(x, eye(3)));
  Tensor r = x.repeat({1, 1});
  r.fill_(5);
  EXPECT_TRUE(equal(x, eye(3)));  // repeat with all-ones repeats still copies, as PyTorch
  Tensor one = ones({1});
  Tensor rr = one.repeat({3});
  rr.select(0, 0).fill_(2);
  EXPECT_EQ(values(rr), (std::vector<double>{2, 1, 1}));
}

TEST(TensorOps, ArgsortStableKeepsTieOrder) {
  Tensor x = tensor({2, 1, 2, 1, 0});
  EXPECT_EQ(values(argsort(x, -1, false, true)), (std::vector<double>{4, 1, 3, 0, 2}));
  EXPECT_EQ(values(argsort(x, -1, true, true)), (std::vector<double>{0, 2, 1, 3, 4}));
}

// Deviations from PyTorch 1.13, on purpose: unique always sorts (PyTorch's unsorted order is
// unspecified), and each NaN is its own value with count 1 and its own inverse index (1.13's CPU
// kernel reports counts [1, 0, 0] and inverse [0, 0, 0] for [nan, 1, nan], which contradict each other).
TEST(TensorOps, UniqueDeviations) {
  auto [v, inv, cnt] = unique(tensor({3, 1, 2, 1}), false, true, true);
  EXPECT_EQ(values(v), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(values(inv), (std::vector<double>{2, 0, 1, 0}));
  EXPECT_EQ(values(cnt), (std::vector<double>{2, 1, 1}));
  auto [vn, invn, cntn] = unique(tensor({NAN, 1.0, NAN}), true, true, true);
  ASSERT_EQ(vn.numel(), 3);
  EXPECT_EQ(vn.at({0}).to<double>(), 1.0);
  EXPECT_TRUE(std::isnan(vn.at({1}).to<double>()) && std::isnan(vn.at({2}).to<double>()));
  EXPECT_EQ(values(cntn), (std::vector<double>{1, 1, 1}));
  EXPECT_EQ(values(invn), (std::vector<double>{1, 0, 2}));
}

TEST(TensorOps, SearchScalarsAndRows) {
  Tensor b = tensor({1.0, 2.0, 3.0});
  EXPECT_EQ(searchsorted(b, tensor(2.0)).item<int64_t>(), 1);
  EXPECT_EQ(searchsorted(b, tensor(2.0), false, true).item<int64_t>(), 2);
  EXPECT_EQ(bucketize(tensor({0.5, 3.5}), b, true).dtype(), kInt32);
}

TEST(TensorOps, EinsumMatchesComposedOps) {
  Tensor a = randn({2, 3, 4}, {.dtype = kFloat64}), b = randn({2, 4, 5}, {.dtype = kFloat64});
  EXPECT_TRUE(allclose(einsum("bij,bjk->bik", {a, b}), bmm(a, b)));
  EXPECT_TRUE(allclose(einsum("bij->", {a}), a.sum()));
  Tensor s = randn({4, 4}, {.dtype = kFloat64});
  EXPECT_TRUE(allclose(einsum("ii", {s}), diagonal(s).sum()));
  EXPECT_TRUE(allclose(einsum("ij->ji", {s}), s.t()));
  Tensor g = randn({3, 3}, {.dtype = kFloat64}).requires_grad_();
  einsum("ii->i", {g}).sum().backward();
  EXPECT_TRUE(equal(g.grad(), eye(3, std::nullopt, {.dtype = kFloat64})));
}

}  // namespace
