// failure_mpi.cpp — a job whose rank 1 dies or hangs must end with an error, not hang (run by
// expect_failure.cmake under mpirun -np 2):
//   failure_mpi exit   rank 1 calls std::_Exit(3) before the first all_reduce (mpirun ends the job)
//   failure_mpi hang   rank 1 sleeps instead of calling all_reduce; rank 0's watchdog (NABLA_DIST_TIMEOUT)
//                      aborts the job with a message naming the collective
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "nabla/distributed/process_group.h"
#include "nabla/ops/ops.h"

int main(int argc, char** argv) {
  using namespace nabla;
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode != "exit" && mode != "hang") {
    std::fprintf(stderr, "usage: failure_mpi exit|hang\n");
    return 2;
  }
  distributed::init_process_group();
  Tensor t = ones({4});
  distributed::all_reduce(t);  // both ranks are up
  if (distributed::get_rank() == 1) {
    if (mode == "exit") std::_Exit(3);
    std::this_thread::sleep_for(std::chrono::seconds(120));
  }
  for (int i = 0; i < 3; ++i) distributed::all_reduce(t);
  std::printf("rank %d: the collectives completed, which they must not\n", distributed::get_rank());
  distributed::destroy_process_group();
  return 0;
}
