// nabla's tensor API in the shapes a LibTorch user writes (issue 19): tuple results, var/std's
// `unbiased` overloads, dtype inference of tensor({...}) and void tensor hooks. Values are PyTorch
// 1.13's, printed by the one-liners in the comments.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <tuple>
#include <type_traits>

#include "expect_error.h"
#include "expect_values.h"

using namespace nabla;
using nabla::testing::expect_error;
using nabla::testing::expect_values;

namespace {
using T2 = std::tuple<Tensor, Tensor>;
std::vector<int64_t> shape(const Tensor& t) { return t.sizes().vec(); }

// x = torch.tensor([[1., 5., 3., 0.], [4., 2., 6., -1.], [0.5, 7., 2., 3.]])
Tensor sample() { return tensor({{1., 5., 3., 0.}, {4., 2., 6., -1.}, {0.5, 7., 2., 3.}}); }
}  // namespace

// ---- tuples, not pairs: the types LibTorch's functions return ----
static_assert(std::is_same_v<decltype(std::declval<Tensor>().max(1)), T2>);
static_assert(std::is_same_v<decltype(std::declval<Tensor>().min(1, true)), T2>);
static_assert(std::is_same_v<decltype(std::declval<Tensor>().topk(2)), T2>);
static_assert(std::is_same_v<decltype(std::declval<Tensor>().sort()), T2>);
static_assert(std::is_same_v<decltype(nabla::max(Tensor(), 0)), T2>);
static_assert(std::is_same_v<decltype(nabla::min(Tensor(), 0)), T2>);
static_assert(std::is_same_v<decltype(nabla::topk(Tensor(), 1)), T2>);
static_assert(std::is_same_v<decltype(nabla::sort(Tensor())), T2>);
static_assert(std::is_same_v<decltype(nn::functional::max_pool2d_with_indices(Tensor(), {})), T2>);
static_assert(std::is_same_v<decltype(std::declval<nn::MaxPool2d>().forward_with_indices(Tensor())), T2>);
static_assert(std::is_same_v<decltype(std::declval<nn::RNN>()(Tensor())), T2>);
static_assert(std::is_same_v<decltype(std::declval<nn::GRU>().forward(Tensor())), T2>);
static_assert(std::is_same_v<decltype(std::declval<nn::LSTM>().forward(Tensor())), std::tuple<Tensor, T2>>);
static_assert(std::is_same_v<decltype(std::declval<nn::LSTM>()(Tensor(), T2())), std::tuple<Tensor, T2>>);
static_assert(
    std::is_same_v<decltype(nn::init::calculate_fan_in_and_fan_out(Tensor())), std::tuple<int64_t, int64_t>>);

TEST(LibTorchStyle, TupleResultsUnpackWithGetAndTie) {
  Tensor x = sample();
  expect_values(std::get<0>(x.max(1)), {5, 6, 7});
  expect_values(std::get<1>(x.min(0)), {2, 1, 2, 1});
  Tensor values, indices;
  std::tie(values, indices) = x.topk(2, /*dim=*/1);
  expect_values(indices, {1, 2, 2, 0, 1, 3});
  auto [sorted, order] = nabla::sort(x[0], /*dim=*/0, /*descending=*/true);
  expect_values(sorted, {5, 3, 1, 0});
  expect_values(order, {1, 2, 0, 3});
  auto [fan_in, fan_out] = nn::init::calculate_fan_in_and_fan_out(zeros({6, 4, 3, 3}));
  EXPECT_EQ(fan_in, 36);
  EXPECT_EQ(fan_out, 54);
}

// LibTorch's idiom: the (h, c) tuple an LSTM returns goes back in as its state.
TEST(LibTorchStyle, LstmStateRoundTripsAsATuple) {
  manual_seed(0);
  nn::LSTM lstm(3, 5);
  Tensor x1 = randn({2, 4, 3}), x2 = randn({2, 4, 3});
  auto [y1, hc] = lstm(x1);
  EXPECT_EQ(shape(std::get<0>(hc)), (std::vector<int64_t>{1, 4, 5}));
  auto [y_tuple, hc_tuple] = lstm(x2, hc);
  auto [y_split, hc_split] = lstm.forward(x2, std::get<0>(hc), std::get<1>(hc));
  auto [y_fresh, hc_fresh] = lstm(x2);
  EXPECT_TRUE(y_tuple.equal(y_split));
  EXPECT_TRUE(std::get<1>(hc_tuple).equal(std::get<1>(hc_split)));
  EXPECT_FALSE(y_tuple.equal(y_fresh));  // the state was used, not dropped
}

// ---- var/std: LibTorch's overloads beside the correction rows (Note [var and std overloads]) ----
TEST(LibTorchStyle, VarIntegerArgumentIsADimAndBoolIsUnbiased) {
  Tensor x = sample();
  // x.var(1) and x.var(0) reduce one dim (LibTorch's var(int dim)), not var(unbiased=true).
  expect_values(x.var(1), {4.9166665, 8.9166670, 7.7291665});
  expect_values(x.var(0), {3.5833333, 6.3333335, 4.3333335, 4.3333335});
  expect_values(x.var(int64_t{1}), {4.9166665, 8.9166670, 7.7291665});
  expect_values(nabla::var(x, 1), {4.9166665, 8.9166670, 7.7291665});
  // x.var(True) / x.var(False): all elements.
  expect_values(x.var(true), {6.0208335});
  expect_values(x.var(false), {5.5190973});
  expect_values(nabla::var(x, false), {5.5190973});
  EXPECT_EQ(x.var(false).dim(), 0);
  expect_values(x.std(1), {2.2173557, 2.9860787, 2.7801378});
  expect_values(x.std(false), {2.3492758});
  expect_values(nabla::std(x, true), {x.std().item<double>()});
}

TEST(LibTorchStyle, VarDimsThenUnbiasedOrCorrection) {
  Tensor x = sample();
  // x.var([0, 1], False); x.var(1, False, True)
  expect_values(x.var({0, 1}, false), {5.5190973});
  expect_values(x.var({0, 1}), {6.0208335});
  Tensor k = x.var(1, false, true);
  EXPECT_EQ(shape(k), (std::vector<int64_t>{3, 1}));
  expect_values(k, {3.6875, 6.6875, 5.796875});
  expect_values(x.var({1}, false, true), {3.6875, 6.6875, 5.796875});
  expect_values(nabla::var(x, {1}, false, true), {3.6875, 6.6875, 5.796875});
  // IntArrayRef dims (a view, as LibTorch's) work too.
  const std::vector<int64_t> dims{0, 1};
  expect_values(x.var(IntArrayRef(dims), false), {5.5190973});
  // A non-bool integer after the dims is a correction: torch.var(x, (0, 1), correction=2),
  // torch.std(x, 1, correction=2, keepdim=True).
  expect_values(x.var({0, 1}, 2), {6.6229167});
  expect_values(x.std({1}, 2, true), {2.7156951, 3.6571846, 3.4049597});
  expect_values(nabla::std(x, std::vector<int64_t>{1}, 2, true), {2.7156951, 3.6571846, 3.4049597});
  expect_values(x.std(std::vector<int64_t>{0}, 0), {1.5456030, 2.0548046, 1.6996732, 1.6996732});
}

// The overloads forward to the row, so its checks (and their messages) hold: x.var(5) on a 2-d x.
TEST(LibTorchStyle, VarOverloadsKeepTheRowsErrors) {
  Tensor x = sample();
  expect_error<IndexError>([&] { x.var(5); }, {"var", "dimension 5 out of range"});
  expect_error<IndexError>([&] { x.std({0, -3}, false); }, {"std", "dimension -3 out of range"});
}

// ---- tensor({...}) infers the dtype as torch.tensor([...]) ----
TEST(LibTorchStyle, TensorInfersDtypeLikeTorchTensor) {
  EXPECT_EQ(nabla::tensor({1, 2}).dtype(), kInt64);             // torch.tensor([1, 2])
  EXPECT_EQ(tensor({1, 2}, TensorOptions{}).dtype(), kInt64);   // options without a dtype
  EXPECT_EQ(tensor({int32_t{1}, int32_t{2}}).dtype(), kInt64);  // any C++ integer type
  EXPECT_EQ(tensor({1., 2.}).dtype(), kFloat32);                // torch.tensor([1., 2.])
  EXPECT_EQ(tensor({1.f, 2.f}).dtype(), kFloat32);
  EXPECT_EQ(tensor({true, false}).dtype(), kBool);         // torch.tensor([True, False])
  EXPECT_EQ(tensor({1, 2.5}).dtype(), kFloat32);           // torch.tensor([1, 2.5])
  EXPECT_EQ(tensor({{1, 2}, {3., 4}}).dtype(), kFloat32);  // a float anywhere
  EXPECT_EQ(tensor({true, 2}).dtype(), kInt64);            // torch.tensor([True, 2])
  EXPECT_EQ(tensor(3).dtype(), kInt64);                    // torch.tensor(3)
  EXPECT_EQ(tensor(3).dim(), 0);
  EXPECT_EQ(tensor({}).dtype(), kFloat32);                           // torch.tensor([])
  EXPECT_EQ(tensor({1, 2}, {.dtype = kFloat64}).dtype(), kFloat64);  // a dtype given wins
  expect_values(tensor({1, 2.5}), {1, 2.5});
}

// x.new_tensor(data) takes x's dtype unless told (torch.randn(2).new_tensor([1, 2]) is float32,
// torch.arange(2).new_tensor([1.5, 2]) is int64 [1, 2]).
TEST(LibTorchStyle, NewTensorTakesSelfsDtype) {
  EXPECT_EQ(randn({2}).new_tensor({1, 2}).dtype(), kFloat32);
  Tensor i = arange(2).new_tensor({1.5, 2});
  EXPECT_EQ(i.dtype(), kInt64);
  expect_values(i, {1, 2});
  EXPECT_EQ(arange(2).new_tensor({1.5, 2}, {.dtype = kFloat64}).dtype(), kFloat64);
}

// ---- hooks: LibTorch takes Tensor(Tensor) and void(Tensor) ----
TEST(LibTorchStyle, VoidHookObservesWithoutChangingTheGradient) {
  Tensor x = tensor({1., 2.}).requires_grad_();
  std::vector<double> seen;
  int calls = 0;
  int h = x.register_hook([&](const Tensor& g) { seen = g.to_vector(); });
  x.register_hook([&calls](Tensor) mutable { ++calls; });  // by value, LibTorch's void(Tensor)
  (x * 3).sum().backward();
  EXPECT_EQ(seen, (std::vector<double>{3, 3}));
  EXPECT_EQ(calls, 1);
  expect_values(x.grad(), {3, 3});
  x.remove_hook(h);
  seen.clear();
  (x * 3).sum().backward();
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(calls, 2);
  expect_values(x.grad(), {6, 6});
}

TEST(LibTorchStyle, VoidHookOnANonLeafAndTheReplacingKindStillWorks) {
  Tensor x = tensor({1., 2.}).requires_grad_();
  Tensor y = x * 2;
  std::vector<double> seen;
  y.register_hook([&](const Tensor& g) { seen = g.to_vector(); });
  y.register_hook([](const Tensor& g) { return g * 10; });  // runs after: replaces what flows on
  (y * 3).sum().backward();
  EXPECT_EQ(seen, (std::vector<double>{3, 3}));
  expect_values(x.grad(), {60, 60});
}
