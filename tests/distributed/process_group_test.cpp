// The process group in a program started without mpirun: errors before init, then MPI's singleton (a
// job of one process) through init, collectives, destroy; MPI cannot be initialized twice. CTest runs
// each test in its own process; run as one program, the tests also work in this order.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cstdlib>

#include "expect_error.h"

using namespace nabla;
using namespace nabla::distributed;
using nabla::testing::expect_error;

TEST(ProcessGroup, CollectivesBeforeInitNameTheMissingCall) {
  if (is_initialized()) GTEST_SKIP() << "run after the lifecycle test";
  expect_error<ValueError>([] { get_rank(); }, {"get_rank", "init_process_group"});
  expect_error<ValueError>([] { all_reduce(zeros({2})); }, {"all_reduce", "not initialized"});
  expect_error<ValueError>([] { barrier(); }, {"barrier", "not initialized"});
  auto net = std::make_shared<nn::Linear>(2, 2);
  expect_error<ValueError>([&] { DistributedDataParallel ddp(net); },
                           {"DistributedDataParallel", "init_process_group"});
  destroy_process_group();  // a no-op when not initialized
}

TEST(ProcessGroup, SingletonLifecycle) {
  setenv("NABLA_DIST_TIMEOUT", "2.5", 1);
  init_process_group();
  ASSERT_TRUE(is_initialized());
  EXPECT_EQ(get_world_size(), 1);
  EXPECT_EQ(get_rank(), 0);
  EXPECT_EQ(get_timeout(), std::chrono::milliseconds(2500));  // from NABLA_DIST_TIMEOUT
  Tensor t = tensor({1.5, -2.0});
  all_reduce(t, ReduceOp::AVG);
  EXPECT_EQ(t.to_vector(), (std::vector<double>{1.5, -2.0}));
  // DDP on one rank: gradients unchanged (divided by a world of 1).
  auto net = std::make_shared<nn::Linear>(3, 1);
  DistributedDataParallel ddp(net);
  ddp(ones({4, 3})).sum().backward();
  EXPECT_EQ(net->bias.grad().item<float>(), 4.0f);
  destroy_process_group();
  EXPECT_FALSE(is_initialized());
  expect_error<DistributedError>([] { init_process_group(); },
                                 {"init_process_group", "cannot be initialized again"});
}

TEST(ProcessGroup, BadTimeoutIsRefusedBeforeMpiStarts) {
  expect_error<ValueError>([] { init_process_group({.timeout = std::chrono::milliseconds(0)}); },
                           {"init_process_group", "timeout"});
  setenv("NABLA_DIST_TIMEOUT", "soon", 1);
  expect_error<ValueError>([] { init_process_group(); }, {"NABLA_DIST_TIMEOUT", "soon"});
  unsetenv("NABLA_DIST_TIMEOUT");
}
