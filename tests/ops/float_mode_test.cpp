// float_mode_test.cpp — set_flush_denormal (torch.set_flush_denormal): subnormal inputs read as zero
// and subnormal results become zero on the calling thread, in multi-threaded elementwise kernels and
// in the few-row matmul whose second half runs on the helper thread; off again restores IEEE results.
#include "ops/cpu/float_mode.h"

#include <gtest/gtest.h>
#include <nabla/nabla.h>

using namespace nabla;

namespace {

constexpr float kSubnormal = 1e-40f;  // below FLT_MIN (1.18e-38)

class FlushDenormal : public ::testing::Test {
 protected:
  void SetUp() override { threads_ = get_num_threads(); }
  void TearDown() override {
    set_flush_denormal(false);
    set_num_threads(threads_);
  }
  int threads_ = 1;
};

TEST_F(FlushDenormal, OffByDefaultKeepsSubnormals) {
  Tensor x = full({4}, kSubnormal);
  EXPECT_EQ((x * 1.0f).to_vector()[0], kSubnormal);
  EXPECT_GT((full({4}, 1e-30f) * 1e-10f).to_vector()[0], 0.0f);
}

TEST_F(FlushDenormal, OnFlushesInputsAndResultsOnEveryKernelThread) {
#if defined(__x86_64__)
  // Made before the switch: with FTZ on, even converting 1e-40 to float gives 0.
  Tensor big = full({1 << 20}, kSubnormal);  // above the threading grain: both OpenMP threads run
  Tensor one = ones({1 << 20}), tiny = full({1 << 20}, 1e-10f);  // tensor operands: the flat 2-thread loop
  Tensor x = full({1, 784}, 1e-20f), W = full({256, 784}, 1e-20f);
  set_num_threads(2);
  // Start the OpenMP workers and the helper thread first: threads created later would simply
  // inherit the caller's mode, and the test must see it reach threads that already exist.
  EXPECT_EQ((big * one).min().item<float>(), kSubnormal);
  EXPECT_GT(mm(x, W.t()).min().item<float>(), 0.0f);

  ASSERT_TRUE(set_flush_denormal(true));
  Tensor y = big * one, z = full({1 << 20}, 1e-30f) * tiny;
  Tensor lin = mm(x, W.t());  // each product 1e-40 flushes: 0 instead of ~7.8e-38
  // Read the results with flushing off, so a subnormal left by any thread would show.
  ASSERT_TRUE(set_flush_denormal(false));
  EXPECT_EQ(y.abs().max().item<float>(), 0.0f);    // inputs read as zero (DAZ), on both threads
  EXPECT_EQ(z.max().item<float>(), 0.0f);          // results flushed to zero (FTZ), on both threads
  EXPECT_EQ(lin.abs().max().item<float>(), 0.0f);  // both halves, the helper thread's too
  // Off again everywhere: IEEE results on every thread.
  EXPECT_EQ((big * one).min().item<float>(), kSubnormal);
  EXPECT_GT(mm(x, W.t()).min().item<float>(), 0.0f);
#else
  EXPECT_FALSE(set_flush_denormal(true));
#endif
}

}  // namespace

// The scoped flush of the recurrent layers' backward (Note [Recurrent layers flush subnormals]) reaches
// the OpenMP workers while alive and gives every thread set_flush_denormal's mode back afterwards.
TEST_F(FlushDenormal, ScopedFlushReachesTheWorkersAndIsUndone) {
#if defined(__x86_64__)
  Tensor big = full({1 << 20}, kSubnormal), one = ones({1 << 20});
  set_num_threads(2);
  EXPECT_EQ((big * one).min().item<float>(), kSubnormal);  // workers started, IEEE
  {
    const cpu::FlushSubnormalsEverywhere flush;
    EXPECT_EQ((big * one).max().item<float>(), 0.0f);  // both threads' halves flushed
  }
  EXPECT_EQ((big * one).min().item<float>(), kSubnormal);
  set_flush_denormal(true);
  { const cpu::FlushSubnormalsEverywhere flush; }
  EXPECT_EQ((big * one).max().item<float>(), 0.0f);  // the global mode survives the scope's end
#endif
}
