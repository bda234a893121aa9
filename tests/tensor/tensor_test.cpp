// Tensor basics: creation, dtypes and promotion, views, indexing, reductions and the errors users hit.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>

#include "expect_error.h"

using namespace nabla;

namespace {
std::vector<double> V(const Tensor& t) { return t.to_vector(); }
using nabla::testing::expect_error;
}  // namespace

TEST(Creation, NestedListInfersShapeAndDtype) {
  Tensor a = tensor({{1., 2., 3.}, {4., 5., 6.}});
  EXPECT_EQ(a.sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.dtype(), kFloat32);
  EXPECT_EQ(tensor({1, 2, 3}).dtype(), kInt64);
  EXPECT_EQ(tensor({true, false}).dtype(), kBool);
  EXPECT_EQ(tensor({1, 2}, {.dtype = kFloat64}).dtype(), kFloat64);
  EXPECT_EQ(V(a), (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST(Creation, RaggedListNamesTheRow) {
  expect_error<ValueError>([] { tensor({{1., 2.}, {3.}}); }, {"ragged", "[1]", "expected 2"});
}

TEST(Creation, Factories) {
  EXPECT_EQ(V(zeros({2, 2})), (std::vector<double>(4, 0)));
  EXPECT_EQ(V(ones({3}, {.dtype = kInt32})), (std::vector<double>(3, 1)));
  EXPECT_EQ(V(full({2}, 7.5)), (std::vector<double>{7.5, 7.5}));
  EXPECT_EQ(V(arange(5)), (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(arange(5).dtype(), kInt64);
  EXPECT_EQ(arange(0., 1., 0.25).dtype(), kFloat32);
  EXPECT_EQ(V(arange(1, 10, 3)), (std::vector<double>{1, 4, 7}));
  EXPECT_EQ(V(linspace(0, 1, 5)), (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
  EXPECT_EQ(V(eye(2, 3)), (std::vector<double>{1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(zeros_like(eye(2), {.dtype = kInt64}).dtype(), kInt64);
}

// TensorOptions fields left unset behave like PyTorch's dtype=None: the factory decides.
TEST(Creation, UnsetOptionsLetTheFactoryDecideLikePyTorch) {
  // torch.tensor([1, 2]) is int64 even with other keywords given; torch.arange(3, requires_grad=...)
  // needs a float range; torch.full((2,), 7) is int64; torch.zeros_like(int_t) keeps int64.
  EXPECT_EQ(tensor({1, 2}, {}).dtype(), kInt64);
  EXPECT_EQ(tensor({1, 2}, {.dtype = kFloat64}).dtype(), kFloat64);
  Tensor r = arange(0.0, 3.0, 1.0, {.requires_grad = true});
  EXPECT_EQ(r.dtype(), kFloat32);
  EXPECT_TRUE(r.requires_grad());
  EXPECT_EQ(full({2}, 7).dtype(), kInt64);
  EXPECT_EQ(full({2}, 7, {.dtype = kFloat32}).dtype(), kFloat32);
  EXPECT_EQ(scalar_tensor(7).dtype(), kFloat32);  // torch.scalar_tensor(7) is float32
  EXPECT_EQ(zeros({2}).dtype(), kFloat32);
  EXPECT_EQ(randint(0, 5, {3}).dtype(), kInt64);
  EXPECT_EQ(randperm(4).dtype(), kInt64);
  Tensor i = arange(4);
  EXPECT_EQ(zeros_like(i).dtype(), kInt64);
  EXPECT_EQ(ones_like(i, {.dtype = kFloat64}).dtype(), kFloat64);
  Tensor f = ones_like(zeros({2}, {.dtype = kFloat64}), {.requires_grad = true});
  EXPECT_EQ(f.dtype(), kFloat64);
  EXPECT_TRUE(f.requires_grad());
  const TensorOptions o = f.options();
  EXPECT_EQ(o.dtype, kFloat64);
  EXPECT_TRUE(o.requires_grad);
}

// torch.*_like default to memory_format=torch.preserve_format: a channels-last input gives
// channels-last results (values as for a contiguous input); a contiguous or transposed one,
// contiguous results here. requires_grad makes a leaf.
TEST(Creation, LikeFactoriesKeepChannelsLast) {
  Tensor cl = randn({2, 3, 4, 5}).contiguous(MemoryFormat::ChannelsLast);
  const std::vector<int64_t> nhwc_strides{60, 1, 15, 3};
  std::vector<Tensor> made{empty_like(cl),
                           zeros_like(cl),
                           ones_like(cl),
                           full_like(cl, 2.5),
                           rand_like(cl),
                           randn_like(cl),
                           zeros_like(cl, {.dtype = kFloat64, .requires_grad = true})};
  for (const Tensor& t : made) {
    EXPECT_EQ(t.sizes().vec(), cl.sizes().vec());
    EXPECT_EQ(t.strides().vec(), nhwc_strides);
    EXPECT_TRUE(t.is_contiguous(MemoryFormat::ChannelsLast));
  }
  EXPECT_TRUE(equal(made[1], zeros({2, 3, 4, 5})));
  EXPECT_TRUE(equal(made[3], full({2, 3, 4, 5}, 2.5)));
  EXPECT_GE(made[4].min().item<float>(), 0.0f);
  EXPECT_LT(made[4].max().item<float>(), 1.0f);
  EXPECT_GT(made[5].std().item<float>(), 0.5f);
  EXPECT_TRUE(made[6].requires_grad());
  EXPECT_TRUE(made[6].is_leaf());
  EXPECT_EQ(made[6].dtype(), kFloat64);
  (made[6] * 2).sum().backward();
  EXPECT_TRUE(equal(made[6].grad(), full({2, 3, 4, 5}, 2.0, {.dtype = kFloat64})));
  EXPECT_TRUE(zeros_like(randn({2, 3, 4, 5})).is_contiguous());
  EXPECT_TRUE(ones_like(randn({3, 4}).t()).is_contiguous());
}

TEST(Creation, FromBufferCopiesAndFromBlobShares) {
  float data[4] = {1, 2, 3, 4};
  Tensor copy = from_buffer(data, {2, 2}, kFloat32);
  Tensor view = from_blob(data, {2, 2}, kFloat32);
  data[0] = 100;
  EXPECT_EQ(copy.at({0, 0}).to<float>(), 1);
  EXPECT_EQ(view.at({0, 0}).to<float>(), 100);
}

TEST(Random, SeededGeneratorIsReproducible) {
  manual_seed(42);
  Tensor a = randn({100});
  manual_seed(42);
  Tensor b = randn({100});
  EXPECT_TRUE(equal(a, b));
  Tensor u = rand({10000});
  EXPECT_GE(min(u).item<float>(), 0.f);
  EXPECT_LT(max(u).item<float>(), 1.f);
  EXPECT_NEAR(u.mean().item<float>(), 0.5, 0.02);
  Tensor n = randn({20000});
  EXPECT_NEAR(n.mean().item<float>(), 0.0, 0.03);
  EXPECT_NEAR(n.std().item<float>(), 1.0, 0.03);
  Tensor p = randperm(50);
  auto s = std::get<0>(sort(p));
  EXPECT_TRUE(equal(s, arange(50)));
  Tensor r = randint(3, 7, {1000});
  EXPECT_GE(min(r).item<int64_t>(), 3);
  EXPECT_LE(max(r).item<int64_t>(), 6);
}

TEST(Promotion, FollowsPyTorch) {
  Tensor f32 = ones({2}), f64 = ones({2}, {.dtype = kFloat64}), i64 = ones({2}, {.dtype = kInt64}),
         i32 = ones({2}, {.dtype = kInt32});
  Tensor u8 = ones({2}, {.dtype = kUInt8}), b = ones({2}, {.dtype = kBool});
  EXPECT_EQ((f32 + f64).dtype(), kFloat64);
  EXPECT_EQ((i64 + f32).dtype(), kFloat32);
  EXPECT_EQ((i32 + i64).dtype(), kInt64);
  EXPECT_EQ((u8 + i32).dtype(), kInt32);
  EXPECT_EQ((b + b).dtype(), kBool);
  EXPECT_EQ((i64 + 2.5).dtype(), kFloat32);  // float scalar -> default float
  EXPECT_EQ((i32 + 2).dtype(), kInt32);      // int scalar does not widen
  EXPECT_EQ((u8 * 3).dtype(), kUInt8);
  EXPECT_EQ((b + 1).dtype(), kInt64);
  EXPECT_EQ((f32 + ones({}, {.dtype = kFloat64})).dtype(), kFloat32);  // 0-d tensor of the same category
  EXPECT_EQ((i32 + ones({}, {.dtype = kFloat64})).dtype(), kFloat64);  // 0-d tensor of a higher category
  EXPECT_EQ((i64 / i64).dtype(), kFloat32);                            // true division
  EXPECT_EQ((f32 < f64).dtype(), kBool);
}

TEST(Elementwise, BroadcastingAndErrors) {
  Tensor a = arange(6).reshape({2, 3}).to(kFloat32);
  Tensor b = tensor({10., 20., 30.});
  EXPECT_EQ(V(a + b), (std::vector<double>{10, 21, 32, 13, 24, 35}));
  EXPECT_EQ(V(a.add(b, 2)), (std::vector<double>{20, 41, 62, 23, 44, 65}));
  expect_error<ShapeError>([&] { a + ones({4}); }, {"add", "[2, 3]", "[4]", "broadcastable"});
  expect_error<DTypeError>([&] { ones({2}, {.dtype = kBool}) - ones({2}, {.dtype = kBool}); },
                           {"sub", "bool"});
}

TEST(Elementwise, InplaceRules) {
  Tensor i = ones({3}, {.dtype = kInt64});
  expect_error<DTypeError>([&] { i.add_(ones({3})); }, {"add_", "float32", "int64"});
  Tensor small = ones({3});
  expect_error<ShapeError>([&] { small.add_(ones({2, 3})); }, {"add_", "[3]", "[2, 3]"});
  Tensor x = ones({2, 3});
  x.add_(tensor({1., 2., 3.}));
  EXPECT_EQ(V(x), (std::vector<double>{2, 3, 4, 2, 3, 4}));
  uint32_t v = x.version();
  x.mul_(2);
  EXPECT_EQ(x.version(), v + 1);
}

TEST(Elementwise, UnaryValues) {
  Tensor x = tensor({-2., -0.5, 0.5, 2.});
  EXPECT_EQ(V(relu(x)), (std::vector<double>{0, 0, 0.5, 2}));
  EXPECT_EQ(V(abs(x)), (std::vector<double>{2, 0.5, 0.5, 2}));
  EXPECT_EQ(V(sign(x)), (std::vector<double>{-1, -1, 1, 1}));
  EXPECT_EQ(V(clamp(x, -1, 1)), (std::vector<double>{-1, -0.5, 0.5, 1}));
  EXPECT_EQ(V(round(tensor({0.5, 1.5, 2.5, -0.5}))), (std::vector<double>{0, 2, 2, -0}));  // half to even
  EXPECT_EQ(exp(tensor({1, 2})).dtype(), kFloat32);  // ints compute in float
  EXPECT_NEAR(sigmoid(tensor({0.})).item<double>(), 0.5, 1e-7);
}

TEST(Views, ShareStorageAndFollowStrides) {
  Tensor a = arange(12).reshape({3, 4});
  Tensor t = a.t();
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.sizes().vec(), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(t.at({1, 2}).to<int64_t>(), 9);
  Tensor col = a.select(1, 2);
  EXPECT_EQ(V(col), (std::vector<double>{2, 6, 10}));
  col.fill_(-1);
  EXPECT_EQ(a.at({1, 2}).to<int64_t>(), -1);
  EXPECT_EQ(V(a.index({Slice(None, None, 2), Slice(1, 3)})), (std::vector<double>{1, -1, 9, -1}));
  EXPECT_EQ(a.unsqueeze(0).sizes().vec(), (std::vector<int64_t>{1, 3, 4}));
  EXPECT_EQ(a.view({-1}).numel(), 12);
  EXPECT_EQ(a.flatten().dim(), 1);
  EXPECT_EQ(a.unflatten(1, {2, 2}).sizes().vec(), (std::vector<int64_t>{3, 2, 2}));
  EXPECT_EQ(a.permute({1, 0}).stride(0), 1);
  EXPECT_EQ(ones({3, 1}).expand({3, 4}).stride(1), 0);
  EXPECT_EQ(V(a.narrow(0, 1, 1)), (std::vector<double>{4, 5, -1, 7}));
}

TEST(Views, ImpossibleViewErrorsLikePyTorch) {
  Tensor t = arange(6).reshape({2, 3}).t();
  expect_error<ShapeError>([&] { t.view({6}); }, {"view", "[6]", "[3, 2]", "reshape"});
  EXPECT_EQ(V(t.reshape({6})), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  expect_error<ShapeError>([&] { arange(6).view({4, -1}); }, {"[4, -1]", "size 6"});
}

TEST(Shape, CatStackSplitChunk) {
  Tensor a = ones({2, 3}), b = zeros({1, 3});
  Tensor c = cat({a, b}, 0);
  EXPECT_EQ(c.sizes().vec(), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(stack({a, a}, 1).sizes().vec(), (std::vector<int64_t>{2, 2, 3}));
  auto parts = arange(7).split(3);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2].numel(), 1);
  EXPECT_EQ(arange(6).chunk(4).size(), 3u);
  expect_error<ShapeError>(
      [&] {
        cat({ones({2, 3}), ones({2, 4})}, 0);
      },
      {"cat", "dimension 0", "[2, 3]", "[2, 4]"});
}

TEST(Indexing, GatherScatterMasksNonzero) {
  Tensor x = tensor({{1., 2.}, {3., 4.}});
  Tensor idx = tensor({{0, 0}, {1, 0}});
  EXPECT_EQ(V(x.gather(1, idx)), (std::vector<double>{1, 1, 4, 3}));
  EXPECT_EQ(V(zeros({2, 2}).scatter_add(1, idx, ones({2, 2}))), (std::vector<double>{2, 0, 1, 1}));
  EXPECT_EQ(V(x.index_select(0, tensor({1, 1, 0}))), (std::vector<double>{3, 4, 3, 4, 1, 2}));
  Tensor mask = x > 2.5;
  EXPECT_EQ(V(x.masked_select(mask)), (std::vector<double>{3, 4}));
  EXPECT_EQ(V(x.masked_fill(mask, 0)), (std::vector<double>{1, 2, 0, 0}));
  EXPECT_EQ(V(where(mask, x, -x)), (std::vector<double>{-1, -2, 3, 4}));
  EXPECT_EQ(V(mask.nonzero()), (std::vector<double>{1, 0, 1, 1}));
  EXPECT_EQ(V(one_hot(tensor({0, 2}), 3)), (std::vector<double>{1, 0, 0, 0, 0, 1}));
  EXPECT_EQ(V(x.index({mask})), (std::vector<double>{3, 4}));
  EXPECT_EQ(V(x.index({tensor({1, 0}), tensor({0, 1})})), (std::vector<double>{3, 2}));
  expect_error<IndexError>([&] { x.index_select(0, tensor({2})); }, {"index_select", "2", "size 2"});
  Tensor y = zeros({2, 3});
  y.index_put_({Slice(), 1}, 5.0);
  y.index_put_({tensor({0}), tensor({2})}, tensor({7.}));
  EXPECT_EQ(V(y), (std::vector<double>{0, 5, 7, 0, 5, 0}));
}

TEST(Reductions, ValuesIndicesAndDims) {
  Tensor x = tensor({{1., 5., 3.}, {4., 2., 6.}});
  EXPECT_EQ(x.sum().item<float>(), 21);
  EXPECT_EQ(V(x.sum({0})), (std::vector<double>{5, 7, 9}));
  EXPECT_EQ(x.sum({1}, true).sizes().vec(), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(V(x.mean({1})), (std::vector<double>{3, 4}));
  auto [v, i] = x.max(1);
  EXPECT_EQ(V(v), (std::vector<double>{5, 6}));
  EXPECT_EQ(V(i), (std::vector<double>{1, 2}));
  EXPECT_EQ(x.argmax().item<int64_t>(), 5);
  EXPECT_EQ(V(x.argmin(0)), (std::vector<double>{0, 1, 0}));
  EXPECT_NEAR(x.var().item<float>(), 3.5, 1e-5);
  EXPECT_NEAR(x.std(std::vector<int64_t>{1}, 0).at({0}).to<double>(), std::sqrt(8.0 / 3), 1e-5);
  EXPECT_NEAR(tensor({3., 4.}).norm().item<float>(), 5, 1e-6);
  EXPECT_EQ(V(x.cumsum(1)), (std::vector<double>{1, 6, 9, 4, 6, 12}));
  EXPECT_EQ(tensor({1, 2, 3}).sum().dtype(), kInt64);
  auto [tv, ti] = x.topk(2, 1);
  EXPECT_EQ(V(tv), (std::vector<double>{5, 3, 6, 4}));
  EXPECT_EQ(V(ti), (std::vector<double>{1, 2, 2, 0}));
  EXPECT_TRUE((x > 0).all().item<bool>());
  EXPECT_FALSE((x > 5).all().item<bool>());
  Tensor sm = x.softmax(1);
  EXPECT_NEAR(sm.sum().item<float>(), 2, 1e-6);
  EXPECT_TRUE(allclose(x.log_softmax(1).exp(), sm, 1e-5, 1e-6));
  EXPECT_NEAR(x.logsumexp({1}).at({0}).to<double>(), std::log(std::exp(1) + std::exp(5) + std::exp(3)), 1e-5);
  expect_error<IndexError>([&] { x.sum({2}); }, {"sum", "dimension 2", "[-2, 1]"});
}

TEST(Linalg, MatmulCases) {
  Tensor a = arange(6).reshape({2, 3}).to(kFloat32), b = arange(12).reshape({3, 4}).to(kFloat32);
  Tensor c = matmul(a, b);
  EXPECT_EQ(c.sizes().vec(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(V(c), (std::vector<double>{20, 23, 26, 29, 56, 68, 80, 92}));
  EXPECT_EQ(matmul(ones({5, 2, 3}), ones({3, 4})).sizes().vec(), (std::vector<int64_t>{5, 2, 4}));
  EXPECT_EQ(matmul(ones({3}), ones({3, 4})).sizes().vec(), (std::vector<int64_t>{4}));
  EXPECT_EQ(matmul(ones({2, 1, 2, 3}), ones({5, 3, 1})).sizes().vec(), (std::vector<int64_t>{2, 5, 2, 1}));
  EXPECT_EQ(dot(tensor({1., 2.}), tensor({3., 4.})).item<float>(), 11);
  EXPECT_EQ(outer(tensor({1., 2.}), tensor({3., 4., 5.})).sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(allclose(matmul(a.t().contiguous().t(), b), c));  // non-contiguous operand
  EXPECT_TRUE(allclose(matmul(a.to(kFloat64), b.to(kFloat64)), c.to(kFloat64)));
  expect_error<ShapeError>([&] { mm(ones({2, 3}), ones({2, 3})); }, {"mm", "2x3", "2x3"});
  expect_error<DTypeError>(
      [&] {
        mm(ones({2, 3}), ones({3, 2}, {.dtype = kFloat64}));
      },
      {"mm", "float32", "float64"});
}

TEST(Device, CudaIsAClearError) {
  expect_error<DeviceError>([] { Device d("cuda"); }, {"cuda", "CUDA support"});
  expect_error<DeviceError>([] { ones({2}).to(Device("cuda:0")); }, {"cuda"});
  EXPECT_FALSE(cuda_is_available());
}

TEST(Errors, AllDeriveFromNablaError) {
  EXPECT_THROW(ones({2}).item(), Error);
  EXPECT_THROW(ones({2, 3}).t().view({6}), Error);
  EXPECT_THROW(ones({2}).size(3), IndexError);
  expect_error<ShapeError>([] { ones({1, 1, 1, 1, 1, 1, 1, 1, 1}); }, {"at most 8"});
}

// Note [Large block cache]: a block above glibc's mmap threshold is reused for the next request of
// the same size instead of being unmapped and page-faulted again.
TEST(Storage, LargeBlocksAreReusedBySize) {
  const int64_t n = (int64_t{48} << 20) / 4;  // 48 MiB of float32
  void* first = nullptr;
  {
    Tensor a = empty({n});
    first = a.data_ptr();
  }
  Tensor b = empty({n});
  EXPECT_EQ(b.data_ptr(), first);
  Tensor c = empty({n});  // the cached block is taken: a second live tensor gets its own
  EXPECT_NE(c.data_ptr(), b.data_ptr());
}
