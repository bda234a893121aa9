// nabla-bench-allreduce — the time of one float32 all_reduce (SUM) against its size, the measured input
// of the communication-cost model in docs/distributed.md. Run under mpirun:
//   mpirun --allow-run-as-root --oversubscribe -np 2 build/bench/nabla-bench-allreduce [--seconds S]
// Rank 0 prints, per size: bytes, median microseconds per all_reduce, the algorithm bandwidth
// (bytes / time) and the bus bandwidth (algbw * 2(N-1)/N, what each link carries in a ring; NCCL's
// convention), so a fit of time = latency + bytes / bandwidth can be extrapolated to other networks.
#include <nabla/nabla.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "rank0_decides.h"

using namespace nabla;

namespace {

// Median seconds of one all_reduce of `numel` floats, over as many runs as fit in `seconds` (>= 5).
double median_allreduce_seconds(int64_t numel, double seconds) {
  Tensor t = ones({numel});
  for (int i = 0; i < 3; ++i) distributed::all_reduce(t);  // warm-up: buffers, MPI connections
  std::vector<double> times;
  auto start = std::chrono::steady_clock::now();
  for (bool keep_going = true; keep_going;) {
    distributed::barrier();  // every rank starts together: time the collective, not rank skew
    auto t0 = std::chrono::steady_clock::now();
    distributed::all_reduce(t);
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    keep_going = bench::rank0_decides(times.size() < 5 || elapsed < seconds);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seconds")) {
      seconds = std::atof(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: nabla-bench-allreduce [--seconds S per size]\n");
      return 2;
    }
  }
  set_num_threads(1);
  distributed::init_process_group();
  const int rank = distributed::get_rank(), world = distributed::get_world_size();
  if (rank == 0) std::printf("world_size=%d\nbytes\tusec\talgbw_GBps\tbusbw_GBps\n", world);
  for (int64_t bytes = 4 << 10; bytes <= (256 << 20); bytes *= 4) {
    double s = median_allreduce_seconds(bytes / 4, seconds);
    double algbw = static_cast<double>(bytes) / s / 1e9;
    if (rank == 0)
      std::printf("%lld\t%.1f\t%.2f\t%.2f\n", static_cast<long long>(bytes), s * 1e6, algbw,
                  algbw * 2.0 * (world - 1) / world);
    std::fflush(stdout);
  }
  distributed::destroy_process_group();
  return 0;
}
