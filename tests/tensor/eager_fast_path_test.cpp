// The eager hot path's shortcuts give what the general path gives: Note [Small float ops skip the
// kernel machinery], the geometry copy of raw::empty_like_layout, Note [Live tensors counted per thread].
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <thread>
#include <vector>

using namespace nabla;

namespace {

std::vector<float> values(const Tensor& t) {
  Tensor c = t.contiguous();
  const float* p = c.data_ptr<float>();
  return {p, p + c.numel()};
}

// Bit patterns, so NaN payloads, signed zeros and infinities must match too.
void expect_same_bits(const Tensor& a, const Tensor& b, const char* what) {
  const auto va = values(a), vb = values(b);
  ASSERT_EQ(va.size(), vb.size()) << what;
  for (size_t i = 0; i < va.size(); ++i)
    EXPECT_EQ(std::memcmp(&va[i], &vb[i], sizeof(float)), 0)
        << what << " element " << i << ": " << va[i] << " vs " << vb[i];
}

// Operands of 1-16 elements with the awkward values; the same values as a strided view (every other
// element of a larger tensor) take the general loop.
TEST(EagerFastPath, SmallFloatOpsMatchTheGeneralLoopBitForBit) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> pool = {1.5f, -0.0f,  0.0f,  inf,  -inf,  nan,   3e38f, 1e-45f, -2.25f,
                                   7.0f, 1e-38f, -1.0f, 0.1f, 1e30f, -3.0f, 2.0f,  0.3f};
  for (int64_t n : {1, 2, 7, 16, 17}) {
    Tensor a = empty({n}), b = empty({n});
    for (int64_t i = 0; i < n; ++i) {
      a.data_ptr<float>()[i] = pool[i % pool.size()];
      b.data_ptr<float>()[i] = pool[(i * 5 + 3) % pool.size()];
    }
    Tensor as = empty({2 * n}).slice(0, 0, 2 * n, 2), bs = empty({2 * n}).slice(0, 0, 2 * n, 2);
    as.copy_(a);
    bs.copy_(b);
    ASSERT_TRUE(n == 1 || !as.is_contiguous());  // (one element with stride 2 is contiguous)
    expect_same_bits(a + b, as + bs, "add");
    expect_same_bits(a - b, as - bs, "sub");
    expect_same_bits(a * b, as * bs, "mul");
    expect_same_bits(a / b, as / bs, "div");
    expect_same_bits(add(a, b, 0.5), add(as, bs, 0.5), "add alpha 0.5");
    expect_same_bits(sub(a, b, -2), sub(as, bs, -2), "sub alpha -2");
    Tensor in_place = a.clone();
    in_place.add_(b);
    expect_same_bits(in_place, a + b, "add_");
  }
}

// What the shortcut must leave alone: other dtypes, broadcasting, 2-D shapes, autograd.
TEST(EagerFastPath, OtherOperandsStillWork) {
  Tensor i = tensor({1, 2, 3}), j = tensor({4, 5, 6});
  EXPECT_EQ((i + j).dtype(), DType::Int64);
  EXPECT_EQ((i + j)[2].item<int64_t>(), 9);
  Tensor d = tensor({1.0, 2.0}, {.dtype = DType::Float64});
  EXPECT_EQ((d * d).dtype(), DType::Float64);
  EXPECT_DOUBLE_EQ((d * d)[1].item<double>(), 4.0);
  Tensor col = tensor({1.f, 2.f}).reshape({2, 1}), row = tensor({10.f, 20.f, 30.f}).reshape({1, 3});
  Tensor outer = col + row;
  EXPECT_EQ(outer.sizes(), IntArrayRef({2, 3}));
  EXPECT_FLOAT_EQ(outer[1][2].item<float>(), 32.f);
  Tensor w = tensor({2.f, 3.f}, {.requires_grad = true});
  (w * w).sum().backward();
  EXPECT_FLOAT_EQ(w.grad()[1].item<float>(), 6.f);
}

// A contiguous tensor may carry any stride on a size-1 dim; results are laid out as raw::empty would
// lay them out, never with those strides copied.
TEST(EagerFastPath, ResultsGetDefaultStrides) {
  Tensor base = tensor({1.f, 2.f, 3.f}).reshape({3, 1});
  Tensor odd = base.t();  // sizes [1, 3], strides [1, 1]: contiguous, not raw::empty's [3, 1]
  ASSERT_TRUE(odd.is_contiguous());
  ASSERT_EQ(odd.strides(), IntArrayRef({1, 1}));
  Tensor r = odd + odd;
  EXPECT_EQ(r.strides(), IntArrayRef({3, 1}));
  EXPECT_EQ(values(r), values(base * 2));
  Tensor plain = empty({3, 1, 2});
  EXPECT_EQ((plain + plain).strides(), IntArrayRef({2, 2, 1}));
  Tensor zero = empty({0, 3});
  EXPECT_EQ((zero + zero).strides(), IntArrayRef({3, 1}));
  EXPECT_EQ((zero + zero).numel(), 0);
  Tensor scalar = tensor(2.5f);
  EXPECT_EQ((scalar * scalar).dim(), 0);
  EXPECT_FLOAT_EQ((scalar * scalar).item<float>(), 6.25f);
}

// Tensors made on one thread and freed on another, and threads that exit holding counts: the sum
// stays exact.
TEST(EagerFastPath, LiveCountAcrossThreads) {
  const int64_t before = TensorImpl::live_count();
  std::vector<Tensor> made(100);
  std::thread maker([&] {
    for (auto& t : made) t = ones({3}) + 1;
  });
  maker.join();  // the maker has exited; its +100 must still count
  EXPECT_EQ(TensorImpl::live_count(), before + 100);
  std::thread dropper([&] {
    for (size_t k = 0; k < 40; ++k) made[k] = Tensor();
  });
  dropper.join();  // a thread that only freed: -40
  EXPECT_EQ(TensorImpl::live_count(), before + 60);
  made.clear();
  EXPECT_EQ(TensorImpl::live_count(), before);
  Tensor kept;
  std::thread alive([&] { kept = zeros({2}); });
  alive.join();
  EXPECT_EQ(TensorImpl::live_count(), before + 1);
}

}  // namespace
