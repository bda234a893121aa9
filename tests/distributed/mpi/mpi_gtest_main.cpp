// mpi_gtest_main.cpp — the main of the tests run under `mpirun -np 2` (tests/CMakeLists.txt): every rank
// runs the same tests in the same order (their collectives must match), and a failure on any rank
// makes every rank exit non-zero, so mpirun and CTest report it. The watchdog timeout is short (60 s):
// a test whose ranks diverge (one returned early from a failed ASSERT) aborts instead of hanging.
#include <gtest/gtest.h>

#include <chrono>

#include "nabla/distributed/process_group.h"
#include "nabla/ops/ops.h"

int main(int argc, char** argv) {
  using namespace nabla;
  distributed::init_process_group({.timeout = std::chrono::seconds(60)});
  ::testing::InitGoogleTest(&argc, argv);
  int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  Tensor any = tensor({static_cast<int64_t>(failed)}, {.dtype = kInt64});
  distributed::all_reduce(any, distributed::ReduceOp::MAX);
  const int64_t ranks_failed = any.item<int64_t>();
  if (ranks_failed && !failed)
    std::fprintf(stderr, "rank %d: passed, but another rank failed\n", distributed::get_rank());
  distributed::destroy_process_group();
  return ranks_failed ? 1 : 0;
}
