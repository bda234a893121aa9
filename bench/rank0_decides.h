// rank0_decides.h — for benchmarks under mpirun: every rank must run the same number of collectives,
// so when a timing loop stops is rank 0's decision, broadcast to the others.
#pragma once
#include <nabla/nabla.h>

namespace nabla::bench {

// Rank 0's `go_on`, on every rank (one tiny broadcast).
inline bool rank0_decides(bool go_on) {
  Tensor flag = full({1}, static_cast<int64_t>(go_on));
  distributed::broadcast(flag, 0);
  return flag.item<int64_t>() != 0;
}

}  // namespace nabla::bench
